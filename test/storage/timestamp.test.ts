import test from 'ava'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { makeBatch } from '../helpers/make-batch.js'
import { fill, testConfig } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

test('offsetForTimestamp: earliest batch with a timestamp >= target, across segments and reopen', async (t) => {
  const dir = tempDir(t)
  const config = testConfig({ segmentBytes: 4096, indexIntervalBytes: 200 })
  let log = PartitionLog.open(dir, config)
  // Timestamps rise by 10 per batch, with one late-arriving (older) batch in the middle.
  const stored = fill(log, 300, { timestamp: (i) => (i === 150 ? 1_000 : 1_000_000 + i * 10) })
  await log.sync()
  t.true(log.stats().segments > 3)
  const expectFor = (ts: number): number | null => {
    const found = stored.find((batch) => batch.bytes.readBigInt64BE(35) >= BigInt(ts))
    return found === undefined ? null : found.baseOffset
  }
  const check = (current: PartitionLog): void => {
    for (const ts of [0, 999, 1_000, 1_000_000, 1_000_005, 1_000_010, 1_001_490, 1_001_500, 1_002_000, 1_002_990, 1_002_991, 9_999_999]) {
      t.is(current.offsetForTimestamp(ts), expectFor(ts), `timestamp ${ts}`)
    }
  }
  check(log)
  await log.close()
  log = PartitionLog.open(dir, config)
  check(log)
  // Only durable batches count.
  log.append(makeBatch({ timestamp: 50_000_000 }))
  t.is(log.offsetForTimestamp(50_000_000), null)
  await log.sync()
  t.is(log.offsetForTimestamp(50_000_000), stored[stored.length - 1]!.lastOffset + 1)
  await log.close()
})
