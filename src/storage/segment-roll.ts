/**
 * Rolling to a new segment. The segment rolled away from is fsynced first, so every sealed
 * segment is durable: recovery then only ever scans (and truncates) the active segment, and a bad
 * batch anywhere else is real damage, reported and kept. This costs one fsync per segment on the
 * actor's thread; group commits have usually flushed most of it already.
 */
import { storageError, type BrokerError } from '../errors.js'
import { fsyncDirectory, type FsLike } from './fs.js'
import { Segment } from './segment.js'

/**
 * Makes `old` durable and creates the segment starting at `baseOffset`, its directory entry
 * durable too (P1). A failed fsync goes through `fence` (the log must go offline: fsyncgate);
 * a failed create only fails this append.
 */
export function rollSegment(fs: FsLike, dir: string, old: Segment, baseOffset: number, fence: (cause: BrokerError) => BrokerError): Segment {
  try {
    fs.fsyncSync(old.writeFd!)
  } catch (error) {
    throw fence(storageError('fsync segment before roll', error, { segment: old.logFile }))
  }
  const segment = new Segment(dir, baseOffset)
  try {
    segment.writeFd = fs.openSync(segment.logPath, 'wx+', 0o600)
  } catch (error) {
    throw storageError('create segment', error, { segment: segment.logPath })
  }
  try {
    fsyncDirectory(fs, dir)
  } catch (error) {
    try {
      fs.closeSync(segment.writeFd)
    } catch {
      // The log goes offline anyway.
    }
    throw fence(storageError('fsync directory', error, { dir }))
  }
  segment.resetIndexes()
  old.sealTimeIndex()
  try {
    old.writeIndexes(fs)
  } catch {
    // Best effort: the next load of this segment validates the files and rebuilds them.
  }
  return segment
}
