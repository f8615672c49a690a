import test from 'ava'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { makeBatch } from '../helpers/make-batch.js'
import { checkEveryOffset, fill, segmentFiles, testConfig } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

test('close + reopen keeps the same bytes and offsets; appends continue densely', async (t) => {
  const dir = tempDir(t)
  const config = testConfig({ segmentBytes: 4096, indexIntervalBytes: 128 })
  let log = PartitionLog.open(dir, config)
  const stored = fill(log, 150)
  await log.close()
  const before = Object.fromEntries(segmentFiles(dir).map((name) => [name, readFileSync(join(dir, name))]))

  log = PartitionLog.open(dir, config)
  t.like(log.recovery, { cleanShutdown: true, scannedBytes: 0, truncatedBytes: 0, rebuiltIndexes: [] })
  t.is(log.logEndOffset, stored[stored.length - 1]!.lastOffset + 1)
  t.is(log.durableEndOffset, log.logEndOffset)
  t.is(log.logStartOffset, 0)
  for (const name of segmentFiles(dir)) t.true(readFileSync(join(dir, name)).equals(before[name]!), `${name} unchanged`)
  checkEveryOffset(t, log, stored)
  const more = fill(log, 50, { seed: 7 })
  t.is(more[0]!.baseOffset, log.logEndOffset - (more[more.length - 1]!.lastOffset + 1 - more[0]!.baseOffset))
  t.is(more[0]!.baseOffset, stored[stored.length - 1]!.lastOffset + 1)
  await log.close()

  log = PartitionLog.open(dir, config)
  t.true(log.recovery.cleanShutdown)
  checkEveryOffset(t, log, [...stored, ...more])
  await log.close()
})

test('a partition directory is created with its parents; a second open of an empty log works', async (t) => {
  const dir = join(tempDir(t), 'data', 'topic-3')
  let log = PartitionLog.open(dir, testConfig())
  await log.close()
  log = PartitionLog.open(dir, testConfig())
  t.is(log.logEndOffset, 0)
  t.true(log.recovery.cleanShutdown)
  t.is(log.append(makeBatch()).baseOffset, 0)
  await log.close()
})

test('reopening ~50 MB in 1 MB segments after a clean close takes well under 1 s', async (t) => {
  const dir = tempDir(t)
  const config = testConfig({ segmentBytes: 1 << 20, indexIntervalBytes: 4096 })
  let log = PartitionLog.open(dir, config)
  // 50 MB: 64 KiB appends of 4 batches each.
  const batch = makeBatch({ records: 16, payloadBytes: 16 * 1024 - 61 })
  const call = Buffer.concat([batch, batch, batch, batch])
  for (let i = 0; i < 800; i++) log.append(Buffer.from(call))
  await log.close()
  const started = performance.now()
  log = PartitionLog.open(dir, config)
  const elapsedMs = performance.now() - started
  t.log(`reopen of ${(log.stats().sizeBytes / 1e6).toFixed(1)} MB in ${log.stats().segments} segments: ${elapsedMs.toFixed(1)} ms (recovery ${log.recovery.durationMs.toFixed(1)} ms)`)
  t.true(log.recovery.cleanShutdown)
  t.is(log.recovery.scannedBytes, 0)
  t.true(elapsedMs < 1000)
  t.is(log.logEndOffset, 800 * 4 * 16)
  t.is(log.read(25_000, 1).readBigInt64BE(0), BigInt(25_000 - (25_000 % 16)))
  await log.close()
})
