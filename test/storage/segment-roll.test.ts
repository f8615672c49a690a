import test from 'ava'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { makeBatch } from '../helpers/make-batch.js'
import { checkEveryOffset, fill, segmentFiles, testConfig } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

test('rolls by size: no segment exceeds segmentBytes, names are 20-digit base offsets', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, testConfig({ segmentBytes: 2048, indexIntervalBytes: 100 }))
  const stored = fill(log, 200, { perCall: 2 })
  await log.sync()
  const logs = segmentFiles(dir)
  t.true(logs.length > 10, `${logs.length} segments`)
  t.is(log.stats().segments, logs.length)
  for (const name of logs) {
    t.regex(name, /^\d{20}\.log$/)
    t.true(statSync(join(dir, name)).size <= 2048)
    const base = Number(name.slice(0, 20))
    t.truthy(stored.find((batch) => batch.baseOffset === base), `segment ${name} starts at a batch`)
  }
  t.is(logs[0], '00000000000000000000.log')
  t.truthy(segmentFiles(dir, '.index').length >= logs.length - 1)
  checkEveryOffset(t, log, stored)
  await log.close()
})

test('an append larger than segmentBytes is refused (RECORD_LIST_TOO_LARGE), as Kafka does', async (t) => {
  const log = PartitionLog.open(tempDir(t), testConfig({ segmentBytes: 1024 }))
  t.like(t.throws(() => log.append(makeBatch({ payloadBytes: 1100 }))), { code: 'RECORD_LIST_TOO_LARGE' })
  t.is(log.logEndOffset, 0)
  await log.close()
})

test('rolls by age with the injected clock (segmentMs)', async (t) => {
  const dir = tempDir(t)
  let now = 1_000_000
  const log = PartitionLog.open(dir, testConfig({ segmentMs: 60_000 }), { now: () => now })
  log.append(makeBatch({ records: 2 }))
  now += 30_000
  log.append(makeBatch({ records: 2 }))
  t.is(segmentFiles(dir).length, 1)
  now += 30_000
  log.append(makeBatch({ records: 2 }))
  t.is(segmentFiles(dir).length, 1, 'exactly segmentMs old: not yet')
  now += 1
  const rolled = log.append(makeBatch({ records: 2 }))
  t.deepEqual(segmentFiles(dir), ['00000000000000000000.log', '00000000000000000006.log'])
  t.is(rolled.baseOffset, 6)
  now += 59_000
  log.append(makeBatch())
  t.is(segmentFiles(dir).length, 2, 'the new segment ages from its first batch')
  await log.sync()
  t.is(log.read(6, 1).readBigInt64BE(0), 6n)
  await log.close()
})

test('updateConfig applies to the next appends', async (t) => {
  const dir = tempDir(t)
  const log = PartitionLog.open(dir, testConfig())
  fill(log, 20)
  t.is(segmentFiles(dir).length, 1)
  log.updateConfig(testConfig({ segmentBytes: 1024 }))
  fill(log, 40, { seed: 2 })
  t.true(segmentFiles(dir).length > 2)
  t.like(t.throws(() => log.updateConfig(testConfig({ segmentBytes: 10 }))), { code: 'INVALID_CONFIG' })
  await log.close()
})
