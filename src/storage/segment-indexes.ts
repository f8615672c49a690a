/**
 * Loading a segment's index files with validation, and rebuilding them from the log when they
 * are missing or damaged. Used at open (every segment) and when a sealed segment's indexes are
 * loaded again for a read.
 */
import type { DamagedRange } from './damaged-ranges.js'
import type { FileWindow } from './file-window.js'
import type { FsLike } from './fs.js'
import { loadIndexFile } from './index-file.js'
import { OFFSET_INDEX_ENTRY_BYTES, OffsetIndex } from './offset-index.js'
import type { Segment } from './segment.js'
import { indexesDisagree, scanSegment } from './segment-scan.js'
import { TIME_INDEX_ENTRY_BYTES, TimeIndex } from './time-index.js'

export interface LoadIndexOptions {
  /** Exclusive end of the offsets the indexes may name. */
  endOffset: number
  /** Take only this many leading entries (a checkpoint's counts); the files may hold more. */
  entries?: { offsetIndex: number; timeIndex: number }
  /** For a sealed segment: the index interval, to check that the indexes reach the log's end. */
  sealedIntervalBytes?: number
}

/**
 * Loads and validates the segment's index files against the log bytes in `window` (which ends
 * where the indexes may point). On success installs them in the segment and returns null, with
 * `exact` telling whether the files hold exactly what was loaded; otherwise returns the problem.
 */
export function loadIndexes(fs: FsLike, segment: Segment, window: FileWindow, options: LoadIndexOptions): { problem: string } | { exact: boolean } {
  let offsetBytes: Buffer | null
  let timeBytes: Buffer | null
  try {
    offsetBytes = loadIndexFile(fs, segment.indexPath)
    timeBytes = loadIndexFile(fs, segment.timeIndexPath)
  } catch (error) {
    return { problem: `unreadable: ${(error as Error).message}` }
  }
  if (offsetBytes === null || timeBytes === null) return { problem: 'missing' }
  const wholeOffsetFile = offsetBytes.length
  const wholeTimeFile = timeBytes.length
  if (options.entries !== undefined) {
    const offsetLength = options.entries.offsetIndex * OFFSET_INDEX_ENTRY_BYTES
    const timeLength = options.entries.timeIndex * TIME_INDEX_ENTRY_BYTES
    if (offsetBytes.length < offsetLength || timeBytes.length < timeLength) return { problem: 'fewer entries than the checkpoint records' }
    offsetBytes = offsetBytes.subarray(0, offsetLength)
    timeBytes = timeBytes.subarray(0, timeLength)
  }
  const endRelativeOffset = options.endOffset - segment.baseOffset
  const problem = OffsetIndex.problem(offsetBytes, window.end, endRelativeOffset) ?? TimeIndex.problem(timeBytes, endRelativeOffset)
  if (problem !== null) return { problem }
  const offsetIndex = new OffsetIndex(segment.baseOffset, offsetBytes)
  const timeIndex = new TimeIndex(segment.baseOffset, timeBytes)
  const disagreement = indexesDisagree(window, segment.baseOffset, offsetIndex, timeIndex, options.sealedIntervalBytes ?? null)
  if (disagreement !== null) return { problem: disagreement }
  const exact = wholeOffsetFile === offsetBytes.length && wholeTimeFile === timeBytes.length
  offsetIndex.entries.flushedEntries = exact ? offsetIndex.size : 0
  timeIndex.entries.flushedEntries = exact ? timeIndex.size : 0
  segment.offsetIndex = offsetIndex
  segment.timeIndex = timeIndex
  return { exact }
}

/**
 * Rebuilds the segment's indexes from the log bytes in `window` (headers only: the bytes were
 * verified when written; corruption is caught on the read path), resyncing past lost framing.
 * Leaves the index-building state at the window's end in the segment. Returns the damage found.
 */
export function rebuildIndexes(segment: Segment, window: FileWindow, endOffset: number, indexIntervalBytes: number): DamagedRange[] {
  segment.resetIndexes()
  const scan = scanSegment(window, segment, 0, segment.baseOffset, { verifyCrc: false, stopAtFault: false, endOffset, indexIntervalBytes })
  return scan.damaged
}
