import test from 'ava'
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, unlinkSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { listBatches, makeBatch, random } from '../helpers/make-batch.js'
import { checkEveryOffset, copyDir, fill, segmentFiles, testConfig, type StoredBatch } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

const ACTIVE = '00000000000000000000.log'

/** A closed log whose last batch was appended after the last recovery point; returns its batches. */
async function pristine(dir: string): Promise<StoredBatch[]> {
  let now = 0
  const log = PartitionLog.open(dir, testConfig({ indexIntervalBytes: 64 }), { now: () => now })
  const stored: StoredBatch[] = []
  for (let i = 0; i < 20; i++) {
    stored.push(...fill(log, 1, { seed: i + 1 }))
    now += 2_000 // each sync records a recovery point...
    await log.sync()
  }
  stored.push(...fill(log, 1, { seed: 99, maxRecords: 4, maxPayload: 120 }))
  await log.sync() // ...but not this one: the recovery point stays before the last batch
  await log.close()
  return stored
}

function withCopy<T>(source: string, fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'brook-cut-'))
  try {
    copyDir(source, dir)
    return fn(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

async function checkRecoveredTo(t: import('ava').ExecutionContext, dir: string, kept: StoredBatch[], expect: { truncatedBytes: number; scannedBytes?: number }): Promise<boolean> {
  // The same clock as `pristine` used, so the segment's age does not trigger a roll.
  const log = PartitionLog.open(dir, testConfig({ indexIntervalBytes: 64 }), { now: () => 50_000 })
  try {
    const end = kept[kept.length - 1]!.lastOffset + 1
    const ok =
      log.logEndOffset === end &&
      log.durableEndOffset === end &&
      !log.recovery.cleanShutdown &&
      log.recovery.truncatedBytes === expect.truncatedBytes &&
      (expect.scannedBytes === undefined || log.recovery.scannedBytes === expect.scannedBytes) &&
      log.read(0, 1 << 20).equals(Buffer.concat(kept.map((batch) => batch.bytes))) &&
      log.append(makeBatch()).baseOffset === end &&
      statSync(join(dir, ACTIVE)).size === kept.reduce((sum, batch) => sum + batch.bytes.length, 0) + 61 + 16
    if (!ok) t.log('recovered state', log.logEndOffset, log.recovery, expect)
    return ok
  } finally {
    await log.close()
  }
}

test('torn tail: cut at every byte of the last batch, with and without a recovery point', async (t) => {
  const source = tempDir(t)
  const stored = await pristine(source)
  const kept = stored.slice(0, -1)
  const lastStart = kept.reduce((sum, batch) => sum + batch.bytes.length, 0)
  const fullSize = statSync(join(source, ACTIVE)).size
  t.is(fullSize, lastStart + stored[stored.length - 1]!.bytes.length)
  let good = 0
  let cuts = 0
  for (let length = lastStart; length < fullSize; length++) {
    cuts += 1
    const withPoint = await withCopy(source, (dir) => {
      truncateSync(join(dir, ACTIVE), length)
      return checkRecoveredTo(t, dir, kept, { truncatedBytes: length - lastStart, scannedBytes: length - lastStart })
    })
    const withoutPoint = await withCopy(source, (dir) => {
      truncateSync(join(dir, ACTIVE), length)
      unlinkSync(join(dir, 'recovery-point'))
      return checkRecoveredTo(t, dir, kept, { truncatedBytes: length - lastStart, scannedBytes: length })
    })
    if (withPoint && withoutPoint) good += 1
  }
  t.log(`tear positions survived: ${good}/${cuts}`)
  t.is(good, cuts)
})

test('torn tail variants: 4 KiB of zeros, a garbled length field (-1, 0, 2^31-1, remaining+1)', async (t) => {
  const source = tempDir(t)
  const stored = await pristine(source)
  const kept = stored.slice(0, -1)
  const lastStart = kept.reduce((sum, batch) => sum + batch.bytes.length, 0)
  const lastSize = stored[stored.length - 1]!.bytes.length
  t.true(
    await withCopy(source, (dir) => {
      appendFileSync(join(dir, ACTIVE), Buffer.alloc(4096))
      return checkRecoveredTo(t, dir, stored, { truncatedBytes: 4096 })
    }),
    '4 KiB of zeros',
  )
  for (const length of [-1, 0, 0x7fffffff, lastSize - 12 + 1]) {
    t.true(
      await withCopy(source, (dir) => {
        const fd = openSync(join(dir, ACTIVE), 'r+')
        const field = Buffer.alloc(4)
        field.writeInt32BE(length)
        writeSync(fd, field, 0, 4, lastStart + 8)
        closeSync(fd)
        unlinkSync(join(dir, 'clean-shutdown')) // a crash, not a clean stop: the batch was never acked
        return checkRecoveredTo(t, dir, kept, { truncatedBytes: lastSize })
      }),
      `length field ${length}`,
    )
  }
})

test("Kafka's testCorruptLog: random bytes appended to the active .log and .index, 10 iterations", async (t) => {
  const seed = Date.now() % 100_000
  t.log(`seed ${seed}`)
  const next = random(seed)
  for (let iteration = 0; iteration < 10; iteration++) {
    const dir = tempDir(t)
    const config = testConfig({ segmentBytes: 1024, indexIntervalBytes: 1 })
    const count = 50 + Math.floor(next() * 50)
    let log = PartitionLog.open(dir, config)
    const stored: StoredBatch[] = []
    for (let i = 0; i < count; i++) stored.push(...fill(log, 1, { seed: seed + i, maxRecords: 1, maxPayload: 40 }))
    await log.sync()
    const crashed = mkdtempSync(join(tmpdir(), 'brook-crash-'))
    t.teardown(() => rmSync(crashed, { recursive: true, force: true }))
    // Iterations alternate between a clean close and a crash (a copy of the open log's files).
    if (iteration % 2 === 0) {
      await log.close()
      copyDir(dir, crashed)
    } else {
      copyDir(dir, crashed)
      await log.close()
    }
    const active = segmentFiles(crashed).at(-1)!
    const junk = (): Buffer => Buffer.from(Array.from({ length: 1 + Math.floor(next() * 1024) }, () => Math.floor(next() * 256)))
    appendFileSync(join(crashed, active), junk())
    appendFileSync(join(crashed, active.replace('.log', '.index')), junk())
    log = PartitionLog.open(crashed, config)
    t.is(log.logEndOffset, count)
    checkEveryOffset(t, log, stored)
    t.true(log.recovery.truncatedBytes > 0)
    await log.close()
  }
})

test('a crash copy (no close) recovers everything synced; recovery is idempotent', async (t) => {
  const dir = tempDir(t)
  let now = 0
  const config = testConfig({ segmentBytes: 2048, indexIntervalBytes: 100 })
  const log = PartitionLog.open(dir, config, { now: () => now })
  const stored = fill(log, 60)
  now += 5_000
  await log.sync()
  const unsynced = fill(log, 3, { seed: 5 })
  const crashed = tempDir(t)
  copyDir(dir, crashed)
  await log.close()
  t.false(existsSync(join(crashed, 'clean-shutdown')))
  // Tear the unsynced tail in the middle of its second batch.
  const active = join(crashed, segmentFiles(crashed).at(-1)!)
  const size = statSync(active).size
  truncateSync(active, size - unsynced[2]!.bytes.length - 10)
  const reopened = PartitionLog.open(crashed, config)
  t.false(reopened.recovery.cleanShutdown)
  t.is(reopened.logEndOffset, unsynced[1]!.baseOffset)
  checkEveryOffset(t, reopened, [...stored, unsynced[0]!])
  // Crash again right after recovery (no close): the second recovery finds nothing to cut.
  const again = tempDir(t)
  copyDir(crashed, again)
  await reopened.close()
  const third = PartitionLog.open(again, config)
  t.is(third.recovery.truncatedBytes, 0)
  t.is(third.logEndOffset, unsynced[1]!.baseOffset)
  await third.close()
})

test('leftover .tmp and .swap files are removed; unknown files are ignored', async (t) => {
  const dir = tempDir(t)
  let log = PartitionLog.open(dir, testConfig())
  fill(log, 5)
  await log.close()
  appendFileSync(join(dir, 'recovery-point.tmp'), 'x')
  appendFileSync(join(dir, '00000000000000000000.index.swap'), 'x')
  appendFileSync(join(dir, 'notes.txt'), 'keep me')
  log = PartitionLog.open(dir, testConfig())
  t.false(existsSync(join(dir, 'recovery-point.tmp')))
  t.false(existsSync(join(dir, '00000000000000000000.index.swap')))
  t.true(existsSync(join(dir, 'notes.txt')))
  t.is(listBatches(log.read(0, 1 << 20)).length, 5)
  await log.close()
})
