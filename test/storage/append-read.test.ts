import test from 'ava'
import { isBrokerError } from '../../src/errors.js'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { listBatches, makeBatch } from '../helpers/make-batch.js'
import { batchHolding, checkEveryOffset, fill, testConfig } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'
import { join } from 'node:path'
import { existsSync } from 'node:fs'

test('append assigns dense offsets and read returns the same bytes', async (t) => {
  const dir = join(tempDir(t), 'orders-0')
  const log = PartitionLog.open(dir, testConfig())
  t.true(existsSync(join(dir, '00000000000000000000.log')))
  t.is(log.logEndOffset, 0)
  const first = log.append(makeBatch({ records: 3, timestamp: 1000, maxTimestamp: 1002 }))
  t.deepEqual(first, { baseOffset: 0, lastOffset: 2, logEndOffset: 3, maxTimestamp: 1002 })
  const second = log.append(Buffer.concat([makeBatch({ records: 1 }), makeBatch({ records: 4 })]))
  t.deepEqual([second.baseOffset, second.lastOffset, second.logEndOffset], [3, 7, 8])
  t.is(log.durableEndOffset, 0, 'nothing durable before sync')
  t.is(log.read(0, 1 << 20).length, 0, 'readers see only the durable end')
  t.is(await log.sync(), 8)
  t.is(log.durableEndOffset, 8)
  const all = listBatches(log.read(0, 1 << 20))
  t.deepEqual(
    all.map((batch) => [batch.baseOffset, batch.lastOffset]),
    [
      [0, 2],
      [3, 3],
      [4, 7],
    ],
  )
  await log.close()
})

test('many batches: dense numbering, every offset reads the batch holding it', async (t) => {
  const log = PartitionLog.open(tempDir(t), testConfig({ indexIntervalBytes: 300 }))
  const stored = fill(log, 400, { perCall: 3 })
  await log.sync()
  let expected = 0
  for (const batch of stored) {
    t.is(batch.baseOffset, expected)
    expected = batch.lastOffset + 1
  }
  t.is(log.logEndOffset, expected)
  checkEveryOffset(t, log, stored)
  // A full read from 0 returns every batch in order, byte for byte.
  const chunks: Buffer[] = []
  for (let offset = 0; offset < log.logEndOffset; ) {
    const bytes = log.read(offset, 4096)
    chunks.push(bytes)
    const batches = listBatches(bytes)
    offset = batches[batches.length - 1]!.lastOffset + 1
  }
  t.true(Buffer.concat(chunks).equals(Buffer.concat(stored.map((batch) => batch.bytes))))
  await log.close()
})

test('maxBytes is honoured, with at least one whole batch', async (t) => {
  const log = PartitionLog.open(tempDir(t), testConfig())
  const stored = fill(log, 50, { maxPayload: 500 })
  await log.sync()
  const single = log.read(10, 1)
  t.true(single.equals(batchHolding(stored, 10).bytes), 'one batch even when larger than maxBytes')
  const budget = stored[0]!.bytes.length + stored[1]!.bytes.length + stored[2]!.bytes.length
  const three = log.read(0, budget)
  t.is(listBatches(three).length, 3)
  t.is(listBatches(log.read(0, budget - 1)).length, 2)
  for (const maxBytes of [100, 1000, 5000]) {
    const bytes = log.read(stored[5]!.baseOffset, maxBytes)
    t.true(bytes.length <= Math.max(maxBytes, stored[5]!.bytes.length))
  }
  await log.close()
})

test('maxOffset cuts batches that start at or past it; offset at the end is empty', async (t) => {
  const log = PartitionLog.open(tempDir(t), testConfig())
  const stored = fill(log, 10)
  await log.sync()
  const cut = stored[4]!.baseOffset
  const bytes = log.read(0, 1 << 20, cut)
  t.deepEqual(
    listBatches(bytes).map((batch) => batch.baseOffset),
    stored.slice(0, 4).map((batch) => batch.baseOffset),
  )
  t.is(log.read(cut, 1 << 20, cut).length, 0)
  t.is(log.read(log.logEndOffset, 1 << 20).length, 0)
  // Offsets not yet durable are readable only when asked for explicitly.
  const more = fill(log, 1, { seed: 9 })
  t.is(log.read(more[0]!.baseOffset, 1 << 20).length, 0)
  t.true(log.read(more[0]!.baseOffset, 1 << 20, log.logEndOffset).equals(more[0]!.bytes))
  await log.close()
})

test('out-of-range reads fail with OFFSET_OUT_OF_RANGE and the log bounds', async (t) => {
  const log = PartitionLog.open(tempDir(t), testConfig())
  fill(log, 3)
  await log.sync()
  for (const offset of [-1, log.logEndOffset + 1, 1.5]) {
    const error = t.throws(() => log.read(offset, 100))
    t.true(isBrokerError(error))
    t.like(error, { code: 'OFFSET_OUT_OF_RANGE', details: { logStartOffset: 0, logEndOffset: log.logEndOffset } })
  }
  await log.close()
})

test('invalid batches are refused before anything is written', async (t) => {
  const log = PartitionLog.open(tempDir(t), testConfig({ maxMessageBytes: 1000 }))
  fill(log, 2)
  const end = log.logEndOffset
  const size = log.stats().sizeBytes
  const good = makeBatch({ records: 2 })
  const badCrc = makeBatch({ records: 2 })
  badCrc[70] = badCrc[70]! ^ 1
  const tooLarge = makeBatch({ records: 1, payloadBytes: 2000 })
  t.like(t.throws(() => log.append(Buffer.concat([good, badCrc]))), { code: 'CORRUPT_MESSAGE' })
  t.like(t.throws(() => log.append(Buffer.concat([good, tooLarge]))), { code: 'MESSAGE_TOO_LARGE' })
  t.like(t.throws(() => log.append(Buffer.concat([good, good.subarray(0, 30)]))), { code: 'CORRUPT_MESSAGE' })
  t.like(t.throws(() => log.append(Buffer.alloc(0))), { code: 'CORRUPT_MESSAGE' })
  t.is(log.logEndOffset, end)
  t.is(log.stats().sizeBytes, size)
  t.is(log.append(good).baseOffset, end)
  await log.close()
})

test('stats and close are idempotent; a closed log refuses calls', async (t) => {
  const log = PartitionLog.open(tempDir(t), testConfig())
  fill(log, 5)
  await Promise.all([log.close(), log.close()])
  await log.close()
  t.like(t.throws(() => log.append(makeBatch())), { code: 'PARTITION_OFFLINE' })
  await t.throwsAsync(log.sync(), { code: 'PARTITION_OFFLINE' } as never)
  t.like(log.stats(), { segments: 1, logEndOffset: log.logEndOffset, offline: false })
})
