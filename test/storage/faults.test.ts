import test from 'ava'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { faultyFs, realFs, type FsLike } from '../../src/storage/fs.js'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { listBatches, makeBatch } from '../helpers/make-batch.js'
import { checkEveryOffset, fill, segmentFiles, testConfig, gatedFdatasyncFs } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

const ACTIVE = '00000000000000000000.log'

for (const [name, shortWriteBytes] of [
  ['ENOSPC', undefined],
  ['a short write, then ENOSPC', 30],
] as const) {
  test(`a failed write (${name}) is undone: STORAGE_ERROR, no partial batch, the next append gets the same offset`, async (t) => {
    const dir = tempDir(t)
    const fs = faultyFs([])
    const log = PartitionLog.open(dir, testConfig(), { fs })
    const stored = fill(log, 10)
    await log.sync()
    const end = log.logEndOffset
    const size = statSync(join(dir, ACTIVE)).size
    fs.rules.push({ kind: 'write', nth: fs.calls.write + 1, errno: 'ENOSPC', shortWriteBytes })
    const error = t.throws(() => log.append(Buffer.concat([makeBatch({ records: 3 }), makeBatch()])))
    t.like(error, { code: 'STORAGE_ERROR', retriable: true, details: { errno: 'ENOSPC' } })
    t.is(statSync(join(dir, ACTIVE)).size, size, 'file back to the previous end')
    t.is(log.logEndOffset, end)
    t.false(log.stats().offline)
    checkEveryOffset(t, log, stored)
    const retry = log.append(makeBatch({ records: 3 }))
    t.is(retry.baseOffset, end)
    t.is(await log.sync(), end + 3)
    await log.close()
    const reopened = PartitionLog.open(dir, testConfig())
    t.is(reopened.logEndOffset, end + 3)
    t.is(listBatches(reopened.read(0, 1 << 20)).length, 11)
    await reopened.close()
  })
}

test('a disk that stays full: every append fails cleanly, reads keep working, produce resumes without a restart', async (t) => {
  const dir = tempDir(t)
  const fs = faultyFs([])
  const log = PartitionLog.open(dir, testConfig({ segmentBytes: 2048 }), { fs })
  const stored = fill(log, 30)
  await log.sync()
  const end = log.logEndOffset
  fs.rules.push({ kind: 'write', nth: fs.calls.write + 1, errno: 'ENOSPC', sticky: true, shortWriteBytes: 7 })
  for (let i = 0; i < 20; i++) t.like(t.throws(() => log.append(makeBatch({ payloadBytes: 100 + i * 50 }))), { code: 'STORAGE_ERROR' })
  t.is(await log.sync(), end)
  checkEveryOffset(t, log, stored)
  fs.rules.length = 0 // space freed
  const more = fill(log, 30, { seed: 3 })
  t.is(more[0]!.baseOffset, end)
  await log.sync()
  checkEveryOffset(t, log, [...stored, ...more])
  await log.close()
})

test('when undoing a failed write fails too, the log goes offline until reopened', async (t) => {
  const dir = tempDir(t)
  let truncateFails = false
  const base: FsLike = {
    ...realFs,
    ftruncateSync: (fd, length) => {
      if (truncateFails) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' })
      realFs.ftruncateSync(fd, length)
    },
  }
  const fs = faultyFs([], base)
  const log = PartitionLog.open(dir, testConfig(), { fs })
  const stored = fill(log, 5)
  await log.sync()
  truncateFails = true
  fs.rules.push({ kind: 'write', nth: fs.calls.write + 1, errno: 'EIO', shortWriteBytes: 40 })
  t.like(t.throws(() => log.append(makeBatch({ records: 2, payloadBytes: 200 }))), { code: 'PARTITION_OFFLINE' })
  t.true(log.stats().offline)
  t.like(t.throws(() => log.append(makeBatch())), { code: 'PARTITION_OFFLINE' })
  t.like(t.throws(() => log.read(0, 100)), { code: 'PARTITION_OFFLINE' })
  await t.throwsAsync(log.sync(), { code: 'PARTITION_OFFLINE' } as never)
  await log.close()
  const reopened = PartitionLog.open(dir, testConfig())
  t.true(reopened.recovery.truncatedBytes > 0, 'the partial batch is cut as a torn tail')
  checkEveryOffset(t, reopened, stored)
  t.is(reopened.append(makeBatch()).baseOffset, stored[stored.length - 1]!.lastOffset + 1)
  await reopened.close()
})

test('a failed fdatasync: sync rejects, the durable end stays, the log is fenced; reopen recovers', async (t) => {
  const dir = tempDir(t)
  const fs = faultyFs([])
  const log = PartitionLog.open(dir, testConfig(), { fs })
  const stored = fill(log, 5)
  const durable = await log.sync()
  const unsynced = fill(log, 3, { seed: 2 })
  fs.rules.push({ kind: 'fdatasync', nth: fs.calls.fdatasync + 1, errno: 'EIO' })
  const failing = log.sync()
  const queuedAppend = fill(log, 1, { seed: 3 })
  const queued = log.sync()
  await t.throwsAsync(failing, { code: 'STORAGE_ERROR' } as never)
  await t.throwsAsync(queued, { code: 'PARTITION_OFFLINE' } as never)
  t.is(log.durableEndOffset, durable)
  t.true(log.stats().offline)
  t.like(t.throws(() => log.append(makeBatch())), { code: 'PARTITION_OFFLINE' })
  t.like(t.throws(() => log.read(0, 100)), { code: 'PARTITION_OFFLINE' })
  await t.throwsAsync(log.sync(), { code: 'PARTITION_OFFLINE' } as never)
  t.is(fs.calls.fdatasync, 2, 'the failed fdatasync is never retried')
  await log.close()
  const reopened = PartitionLog.open(dir, testConfig())
  t.false(reopened.stats().offline)
  t.false(reopened.recovery.cleanShutdown)
  checkEveryOffset(t, reopened, [...stored, ...unsynced, ...queuedAppend])
  t.is(reopened.durableEndOffset, reopened.logEndOffset)
  await reopened.close()
})

test('group commit: 50 appends during one fdatasync share exactly one more', async (t) => {
  const dir = tempDir(t)
  const { fs: gated, release } = gatedFdatasyncFs()
  const fs = faultyFs([], gated)
  const log = PartitionLog.open(dir, testConfig(), { fs })
  log.append(makeBatch())
  const first = log.sync()
  t.is(fs.calls.fdatasync, 1)
  const waiters: Array<Promise<number>> = []
  for (let i = 0; i < 50; i++) {
    log.append(makeBatch({ seed: i }))
    waiters.push(log.sync())
  }
  t.is(fs.calls.fdatasync, 1, 'nothing more starts while one runs')
  release()
  t.is(await first, 1)
  const results = await Promise.all(waiters)
  t.true(results.every((end) => end === 51))
  t.is(fs.calls.fdatasync, 2)
  t.is(log.durableEndOffset, 51)
  // Nothing new: sync answers without another fdatasync.
  t.is(await log.sync(), 51)
  t.is(fs.calls.fdatasync, 2)
  await log.close()
})

test('a roll fsyncs the segment it leaves and the directory; a sync then flushes only the active one', async (t) => {
  const dir = tempDir(t)
  const fs = faultyFs([])
  const log = PartitionLog.open(dir, testConfig({ segmentBytes: 1024 }), { fs })
  const fsyncsAtOpen = fs.calls.fsync
  fill(log, 40)
  const rolls = segmentFiles(dir).length - 1
  t.true(rolls > 2)
  t.is(fs.calls.fsync - fsyncsAtOpen, 2 * rolls, 'per roll: the old segment, then the directory')
  await log.sync()
  t.is(fs.calls.fdatasync, 1)
  t.is(log.durableEndOffset, log.logEndOffset)
  await log.close()
})

for (const [name, which] of [
  ['of the segment rolled away from', 1],
  ['of the directory', 2],
] as const) {
  test(`a failed fsync ${name} when rolling fences the log`, async (t) => {
    const dir = tempDir(t)
    const fs = faultyFs([])
    const log = PartitionLog.open(dir, testConfig({ segmentBytes: 1024 }), { fs })
    fill(log, 3, { maxPayload: 100 })
    await log.sync()
    fs.rules.push({ kind: 'fsync', nth: fs.calls.fsync + which, errno: 'EIO' })
    let failure: unknown
    for (let i = 0; i < 20 && failure === undefined; i++) {
      try {
        fill(log, 1, { seed: 10 + i, maxPayload: 200 })
      } catch (error) {
        failure = error
      }
    }
    t.like(failure, { code: 'PARTITION_OFFLINE', details: { errno: 'EIO' } })
    t.true(log.stats().offline)
    await log.close()
    const reopened = PartitionLog.open(dir, testConfig({ segmentBytes: 1024 }))
    t.false(reopened.stats().offline)
    t.is(reopened.append(makeBatch()).baseOffset, reopened.logEndOffset - 1)
    await reopened.close()
  })
}
