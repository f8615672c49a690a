import test from 'ava'
import { LIMITS } from '../../src/limits.js'
import { realFs, type FsLike } from '../../src/storage/fs.js'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { checkEveryOffset, fill, segmentFiles, testConfig, gatedFdatasyncFs } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

/** A file system that tracks which descriptors are open. */
function trackingFs(base: FsLike = realFs): FsLike & { open: Set<number>; peak: number } {
  const open = new Set<number>()
  const fs = {
    ...base,
    open,
    peak: 0,
    openSync(path: string, flags: string, mode?: number) {
      const fd = base.openSync(path, flags, mode)
      open.add(fd)
      fs.peak = Math.max(fs.peak, open.size)
      return fd
    },
    closeSync(fd: number) {
      base.closeSync(fd)
      open.delete(fd)
    },
  }
  return fs
}

test('reads over many sealed segments keep at most the active segment plus a small LRU open', async (t) => {
  const dir = tempDir(t)
  const fs = trackingFs()
  const config = testConfig({ segmentBytes: 1024, indexIntervalBytes: 100 })
  let log = PartitionLog.open(dir, config, { fs })
  const stored = fill(log, 150)
  await log.sync()
  t.true(segmentFiles(dir).length > 20)
  checkEveryOffset(t, log, stored)
  t.true(fs.open.size <= 1 + LIMITS.openSealedSegmentsPerPartition, `${fs.open.size} open after reading every segment`)
  await log.close()
  t.is(fs.open.size, 0, 'close closes everything')
  fs.peak = 0
  log = PartitionLog.open(dir, config, { fs })
  t.true(fs.peak <= 2, `open keeps no more than the active segment (+1 transient): peak ${fs.peak}`)
  checkEveryOffset(t, log, stored)
  await log.close()
  t.is(fs.open.size, 0)
})

test('rolling while an fdatasync runs: the old descriptor stays valid until it ends, reads keep working', async (t) => {
  const dir = tempDir(t)
  const { fs: gated, release } = gatedFdatasyncFs()
  const fs = trackingFs(gated)
  const log = PartitionLog.open(dir, testConfig({ segmentBytes: 1024 }), { fs })
  const first = fill(log, 2)
  const syncing = log.sync()
  const more = fill(log, 30, { seed: 2 })
  t.true(segmentFiles(dir).length > 3, 'rolled during the flush')
  checkEveryOffset(t, log, [...first, ...more], log.logEndOffset)
  release()
  await syncing
  t.is(await log.sync(), log.logEndOffset)
  checkEveryOffset(t, log, [...first, ...more])
  await log.close()
  t.is(fs.open.size, 0)
})
