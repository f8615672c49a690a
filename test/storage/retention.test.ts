import test from 'ava'
import { existsSync, readFileSync, readdirSync, readlinkSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { isBrokerError } from '../../src/errors.js'
import { realFs, type FsLike } from '../../src/storage/fs.js'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { makeBatch } from '../helpers/make-batch.js'
import { checkEveryOffset, segmentFiles, testConfig, type StoredBatch } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

const T0 = 1_700_000_000_000
const HOUR = 3_600_000
/** 1 KiB segments and ~360-byte batches: two batches (six offsets) per segment. */
const config = testConfig({ segmentBytes: 1024, indexIntervalBytes: 128 })

/** Appends batch i (3 records) with maxTimestamp `timestamps[i]`, one append each. */
function appendBatches(log: PartitionLog, timestamps: number[], seed = 1): StoredBatch[] {
  return timestamps.map((timestamp, i) => {
    const bytes = makeBatch({ records: 3, payloadBytes: 300, timestamp, seed: seed * 1000 + i })
    const result = log.append(bytes)
    return { baseOffset: result.baseOffset, lastOffset: result.lastOffset, bytes }
  })
}

/** Batch i is `i` hours after T0. */
const hourly = (count: number): number[] => Array.from({ length: count }, (_, i) => T0 + i * HOUR)

function outOfRange(t: import('ava').ExecutionContext, call: () => unknown): void {
  const error = t.throws(call)
  t.true(isBrokerError(error) && error.code === 'OFFSET_OUT_OF_RANGE', `expected OFFSET_OUT_OF_RANGE, got ${String(error)}`)
}

function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => name.endsWith('.deleted'))
}

function fileBytes(dir: string, names: string[]): Map<string, Buffer> {
  return new Map(names.map((name) => [name, readFileSync(join(dir, name))]))
}

test('time retention deletes exactly the expired closed segments; the rest stay byte-identical', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  const stored = appendBatches(log, hourly(10))
  await log.sync()
  t.deepEqual(segmentFiles(dir).length, 5)
  const before = fileBytes(dir, readdirSync(dir).filter((name) => /\.(log|index|timeindex)$/.test(name)))

  // Segment k holds batches 2k and 2k+1 (max timestamp T0 + (2k+1)h). Keep 10 h: as of T0 + 14.5 h,
  // anything whose largest timestamp is before T0 + 4.5 h expired: segments 0 and 1.
  const result = log.applyRetention({ retentionMs: 10 * HOUR, retentionBytes: -1, nowMs: T0 + 14.5 * HOUR })
  t.deepEqual(
    result.deletedSegments.map(({ baseOffset, lastOffset, maxTimestamp, reason }) => ({ baseOffset, lastOffset, maxTimestamp, reason })),
    [
      { baseOffset: 0, lastOffset: 5, maxTimestamp: T0 + HOUR, reason: 'time' },
      { baseOffset: 6, lastOffset: 11, maxTimestamp: T0 + 3 * HOUR, reason: 'time' },
    ],
  )
  t.is(result.logStartOffset, 12)
  t.is(log.logStartOffset, 12)
  t.is(log.stats().segments, 3)
  t.deepEqual(leftovers(dir), [])
  for (const [name, bytes] of before) {
    const base = Number(name.slice(0, 20))
    if (base < 12) t.false(existsSync(join(dir, name)), `${name} deleted`)
    else if (name.endsWith('.log')) t.true(readFileSync(join(dir, name)).equals(bytes), `${name} unchanged`)
  }

  outOfRange(t, () => log.read(0, 1))
  outOfRange(t, () => log.read(11, 1))
  t.true(log.read(12, 1).equals(stored[4]!.bytes))
  checkEveryOffset(t, log, stored.slice(4))
  t.is(log.offsetForTimestamp(0), 12, 'offsetForTimestamp never answers below the log start')

  // Nothing more is due: a second run is a no-op.
  t.deepEqual(log.applyRetention({ retentionMs: 10 * HOUR, retentionBytes: -1, nowMs: T0 + 14.5 * HOUR }).deletedSegments, [])
})

test('a wholly expired active segment is rolled, then deleted: log start = log end, appends continue densely', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  appendBatches(log, hourly(5))
  await log.sync()
  t.is(log.logEndOffset, 15)
  const result = log.applyRetention({ retentionMs: HOUR, retentionBytes: -1, nowMs: T0 + 100 * HOUR })
  t.deepEqual(
    result.deletedSegments.map((segment) => [segment.baseOffset, segment.lastOffset, segment.reason]),
    [
      [0, 5, 'time'],
      [6, 11, 'time'],
      [12, 14, 'time'],
    ],
  )
  t.is(log.logStartOffset, 15)
  t.is(log.logEndOffset, 15)
  t.is(log.durableEndOffset, 15)
  t.deepEqual(segmentFiles(dir), ['00000000000000000015.log'])
  t.deepEqual(leftovers(dir), [])
  outOfRange(t, () => log.read(14, 1))
  t.is(log.read(15, 1).length, 0, 'reading at the log end is empty, not an error')

  const [next] = appendBatches(log, [T0 + 100 * HOUR], 9)
  t.is(next!.baseOffset, 15)
  await log.sync()
  checkEveryOffset(t, log, [next!])
})

test('a wholly expired active segment with unsynced appends is kept until it is below the high watermark', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  appendBatches(log, hourly(5))
  const options = { retentionMs: HOUR, retentionBytes: -1, nowMs: T0 + 100 * HOUR }
  // Nothing synced yet: no segment is wholly below the high watermark.
  t.deepEqual(log.applyRetention(options).deletedSegments, [])
  await log.sync()
  t.is(log.applyRetention(options).deletedSegments.length, 3)
})

test('size retention deletes the oldest segments while the rest still hold retention.bytes', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  const stored = appendBatches(log, hourly(10))
  await log.sync()
  const segmentBytes = stored[0]!.bytes.length * 2
  const total = log.stats().sizeBytes
  t.is(total, segmentBytes * 5)
  const retentionBytes = segmentBytes * 3 - 100
  const result = log.applyRetention({ retentionMs: -1, retentionBytes, nowMs: T0 })
  t.deepEqual(
    result.deletedSegments.map((segment) => [segment.baseOffset, segment.sizeBytes, segment.reason]),
    [
      [0, segmentBytes, 'size'],
      [6, segmentBytes, 'size'],
    ],
  )
  const kept = log.stats().sizeBytes
  t.true(kept >= retentionBytes, 'what is kept still holds retention.bytes')
  t.true(kept - segmentBytes < retentionBytes, 'deleting one more would go below retention.bytes')
  t.is(log.logStartOffset, 12)
  checkEveryOffset(t, log, stored.slice(4))
  // retention.bytes 0 empties every sealed segment but never the active one.
  log.applyRetention({ retentionMs: -1, retentionBytes: 0, nowMs: T0 })
  t.is(log.stats().segments, 1)
  t.is(log.logStartOffset, 24)
  checkEveryOffset(t, log, stored.slice(8))
})

test('retention.ms -1 and retention.bytes -1 keep everything, whatever the clock says', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  const stored = appendBatches(log, hourly(10))
  await log.sync()
  const result = log.applyRetention({ retentionMs: -1, retentionBytes: -1, nowMs: Number.MAX_SAFE_INTEGER })
  t.deepEqual(result, { deletedSegments: [], logStartOffset: 0 })
  t.is(log.stats().segments, 5)
  checkEveryOffset(t, log, stored)
  const described = log.describeRetention({ retentionMs: -1, retentionBytes: -1, nowMs: Number.MAX_SAFE_INTEGER })
  t.deepEqual(
    described.segments.map((segment) => segment.kept),
    ['retention.ms is -1; retention.bytes is -1', 'retention.ms is -1; retention.bytes is -1', 'retention.ms is -1; retention.bytes is -1', 'retention.ms is -1; retention.bytes is -1', 'active segment'],
  )
  t.true(described.segments.every((segment) => segment.expiresAtMs === null && segment.deletion === null))
})

test('invalid retention settings are INVALID_REQUEST and change nothing', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  appendBatches(log, hourly(4))
  await log.sync()
  for (const options of [
    { retentionMs: -2, retentionBytes: -1, nowMs: T0 },
    { retentionMs: 1.5, retentionBytes: -1, nowMs: T0 },
    { retentionMs: 1, retentionBytes: Number.NaN, nowMs: T0 },
    { retentionMs: 1, retentionBytes: -1, nowMs: Number.POSITIVE_INFINITY },
  ]) {
    const error = t.throws(() => log.applyRetention(options))
    t.true(isBrokerError(error) && error.code === 'INVALID_REQUEST')
  }
  t.is(log.stats().segments, 2)
})

test('deleteRecordsBefore moves the log start to the offset and deletes the whole sealed segments below it', async (t) => {
  const dir = tempDir(t)
  let log = PartitionLog.open(dir, config)
  const stored = appendBatches(log, hourly(10))
  await log.sync()
  outOfRange(t, () => log.deleteRecordsBefore(31))
  outOfRange(t, () => log.deleteRecordsBefore(-1))

  // 14 is inside segment 2 (offsets 12..17): segments 0 and 1 go, segment 2 stays but reads below 14 fail.
  const result = log.deleteRecordsBefore(14)
  t.deepEqual(
    result.deletedSegments.map((segment) => [segment.baseOffset, segment.reason]),
    [
      [0, 'log-start'],
      [6, 'log-start'],
    ],
  )
  t.is(result.logStartOffset, 14)
  t.deepEqual(segmentFiles(dir).slice(0, 1), ['00000000000000000012.log'])
  outOfRange(t, () => log.read(13, 1))
  t.true(log.read(14, 1).equals(stored[4]!.bytes), 'a read at the start returns the batch holding it')
  t.is(log.offsetForTimestamp(0), 14)
  // A smaller offset never moves the start back.
  t.deepEqual(log.deleteRecordsBefore(3), { deletedSegments: [], logStartOffset: 14 })
  await log.close()

  log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  t.is(log.logStartOffset, 14, 'the start inside a segment survives a reopen')
  outOfRange(t, () => log.read(13, 1))
  checkEveryOffset(t, log, stored.slice(5))

  // Up to the high watermark: every sealed segment goes, the active one stays.
  const all = log.deleteRecordsBefore(30)
  t.deepEqual(
    all.deletedSegments.map((segment) => segment.baseOffset),
    [12, 18],
  )
  t.is(log.logStartOffset, 30)
  t.is(log.logEndOffset, 30)
  t.deepEqual(segmentFiles(dir), ['00000000000000000024.log'])
  t.is(appendBatches(log, [T0])[0]!.baseOffset, 30)
})

test('describeRetention says what is kept and why, and changes nothing', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  const stored = appendBatches(log, hourly(10))
  await log.sync()
  const batchBytes = stored[0]!.bytes.length
  const options = { retentionMs: 10 * HOUR, retentionBytes: batchBytes * 4, nowMs: T0 + 14.5 * HOUR }
  const described = log.describeRetention(options)
  t.like(described, {
    retentionMs: 10 * HOUR,
    logStartOffset: 0,
    logEndOffset: 30,
    highWatermark: 30,
    totalBytes: batchBytes * 10,
    deletableSegments: 3,
    deletableBytes: batchBytes * 6,
    keptBytes: batchBytes * 4,
    logStartOffsetAfter: 18,
  })
  t.deepEqual(
    described.segments.map(({ baseOffset, lastOffset, active, expiresAtMs, deletion, kept }) => ({ baseOffset, lastOffset, active, expiresAtMs, deletion, kept })),
    [
      { baseOffset: 0, lastOffset: 5, active: false, expiresAtMs: T0 + 11 * HOUR, deletion: 'time', kept: null },
      { baseOffset: 6, lastOffset: 11, active: false, expiresAtMs: T0 + 13 * HOUR, deletion: 'time', kept: null },
      { baseOffset: 12, lastOffset: 17, active: false, expiresAtMs: T0 + 15 * HOUR, deletion: 'size', kept: null },
      { baseOffset: 18, lastOffset: 23, active: false, expiresAtMs: T0 + 17 * HOUR, deletion: null, kept: 'newer than retention.ms; within retention.bytes' },
      { baseOffset: 24, lastOffset: 29, active: true, expiresAtMs: T0 + 19 * HOUR, deletion: null, kept: 'active segment' },
    ],
  )
  t.is(log.stats().segments, 5, 'a dry run deletes nothing')
  t.is(log.logStartOffset, 0)

  // What the dry run promised is what a run does.
  const result = log.applyRetention(options)
  t.deepEqual(
    result.deletedSegments.map((segment) => segment.reason),
    ['time', 'time', 'size'],
  )
  t.is(result.logStartOffset, described.logStartOffsetAfter)

  // A segment with a timestamp from the future blocks the ones after it: only a prefix ever goes.
  const dir2 = tempDir(t)
  const log2 = PartitionLog.open(dir2, config)
  t.teardown(() => log2.close())
  appendBatches(log2, [T0 + 1000 * HOUR, T0, T0, T0, T0, T0])
  await log2.sync()
  const blocked = log2.describeRetention({ retentionMs: HOUR, retentionBytes: -1, nowMs: T0 + 10 * HOUR })
  t.deepEqual(
    blocked.segments.map((segment) => segment.kept),
    ['newer than retention.ms; retention.bytes is -1', 'an older segment is kept', 'an older segment is kept'],
  )
  t.deepEqual(log2.applyRetention({ retentionMs: HOUR, retentionBytes: -1, nowMs: T0 + 10 * HOUR }).deletedSegments, [])
})

test('reopen after retention keeps the log start; appends continue at the same next offset', async (t) => {
  const dir = tempDir(t)
  let log = PartitionLog.open(dir, config)
  const stored = appendBatches(log, hourly(10))
  await log.sync()
  log.applyRetention({ retentionMs: 10 * HOUR, retentionBytes: -1, nowMs: T0 + 14.5 * HOUR })
  t.is(log.logStartOffset, 12)
  await log.close()

  log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  t.true(log.recovery.cleanShutdown)
  t.is(log.logStartOffset, 12)
  t.is(log.logEndOffset, 30)
  outOfRange(t, () => log.read(11, 1))
  checkEveryOffset(t, log, stored.slice(4))
  t.is(appendBatches(log, [T0], 5)[0]!.baseOffset, 30)
})

test('a crash mid-delete (segment files renamed to .deleted) recovers to a consistent log start', async (t) => {
  const dir = tempDir(t)
  let log = PartitionLog.open(dir, config)
  const stored = appendBatches(log, hourly(10))
  await log.close()
  // What retention leaves when killed after renaming the first segment: its files renamed away, no
  // log-start-offset file yet.
  for (const suffix of ['.index', '.timeindex', '.log']) {
    renameSync(join(dir, `00000000000000000000${suffix}`), join(dir, `00000000000000000000${suffix}.deleted`))
  }
  t.is(leftovers(dir).length, 3)

  log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  t.deepEqual(leftovers(dir), [], 'leftover .deleted files are removed at open')
  t.is(log.logStartOffset, 6, 'the log start is the first remaining segment')
  outOfRange(t, () => log.read(0, 1))
  outOfRange(t, () => log.read(5, 1))
  checkEveryOffset(t, log, stored.slice(2))
  // Retention carries on from there.
  const result = log.applyRetention({ retentionMs: 10 * HOUR, retentionBytes: -1, nowMs: T0 + 14.5 * HOUR })
  t.deepEqual(
    result.deletedSegments.map((segment) => segment.baseOffset),
    [6],
  )
  t.is(log.logStartOffset, 12)
})

test('a deleted segment held open by the read cache is closed and never served again', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, config)
  t.teardown(() => log.close())
  const stored = appendBatches(log, hourly(10))
  await log.sync()
  // Reading the first two segments puts them in the cache (descriptor open, indexes loaded).
  t.true(log.read(0, 1).equals(stored[0]!.bytes))
  t.true(log.read(6, 1).equals(stored[2]!.bytes))
  const openLinks = () => readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [readlinkSync(join('/proc/self/fd', fd))]
    } catch {
      return []
    }
  })
  t.true(openLinks().some((link) => link.startsWith(join(dir, '00000000000000000000.log'))))
  log.applyRetention({ retentionMs: 10 * HOUR, retentionBytes: -1, nowMs: T0 + 14.5 * HOUR })
  t.deepEqual(
    openLinks().filter((link) => link.startsWith(dir) && (link.includes('.deleted') || link.includes('(deleted)'))),
    [],
    'no descriptor of a deleted segment stays open',
  )
  outOfRange(t, () => log.read(0, 1))
  outOfRange(t, () => log.read(6, 1))
})

test('a failed rename part way keeps what was deleted consistent and a later run finishes', async (t) => {
  const dir = tempDir(t)
  let failNext = true
  const fs: FsLike = {
    ...realFs,
    renameSync(from, to) {
      if (failNext && from.endsWith('00000000000000000006.log')) {
        failNext = false
        throw Object.assign(new Error('EIO: injected fault'), { code: 'EIO' })
      }
      realFs.renameSync(from, to)
    },
  }
  const log = PartitionLog.open(dir, config, { fs })
  t.teardown(() => log.close())
  const stored = appendBatches(log, hourly(10))
  await log.sync()
  const options = { retentionMs: 10 * HOUR, retentionBytes: -1, nowMs: T0 + 14.5 * HOUR }
  const error = t.throws(() => log.applyRetention(options))
  t.true(isBrokerError(error) && error.code === 'STORAGE_ERROR')
  t.is(log.logStartOffset, 6, 'the first segment went; the start follows it')
  checkEveryOffset(t, log, stored.slice(2))
  t.deepEqual(
    log.applyRetention(options).deletedSegments.map((segment) => segment.baseOffset),
    [6],
  )
  t.is(log.logStartOffset, 12)
  checkEveryOffset(t, log, stored.slice(4))
})
