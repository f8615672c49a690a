import test from 'ava'
import { runLoadTest } from '../../src/loadtest/harness.js'

test('a short embedded run: 2 producers, 2 consumers, 1 group, 4 partitions — nothing lost or reordered', async (t) => {
  t.timeout(45_000)
  const progress: number[] = []
  const report = await runLoadTest({
    producers: 2, consumers: 2, groups: 1, partitions: 4, rate: 'max', size: 64, keys: 500, messages: 6_000,
    drainTimeoutMs: 20_000, onProgress: (p) => progress.push(p.acked),
  })
  t.true(report.ok, JSON.stringify(report.verification))
  t.true(report.drained)
  t.is(report.config.mode, 'embedded')
  t.is(report.produced.acked, 6_000)
  t.is(report.verification.acked, 6_000)
  t.is(report.verification.lost, 0)
  t.is(report.verification.reordered, 0)
  t.is(report.verification.seenNeverAcked, 0)
  t.is(report.verification.mismatched, 0)
  t.is(report.verification.groups.length, 1)
  t.is(report.verification.groups[0]!.seenDistinct, 6_000)
  t.true(report.consumed.deliveries >= 6_000)
  t.is(report.latency.endToEnd.count, report.consumed.deliveries)
  for (const key of ['p50Ms', 'p90Ms', 'p99Ms', 'p999Ms', 'maxMs'] as const) t.true(report.latency.endToEnd[key] > 0)
  t.true(report.latency.endToEnd.p50Ms <= report.latency.endToEnd.p99Ms)
  t.true(report.produced.recordsPerSec > 0)
  t.true(progress.length > 0)
  // RSS is sampled from the first progress tick on.
  t.true(report.memory.samples.length > 0)
  t.true(report.memory.startMiB > 0 && report.memory.peakMiB >= report.memory.endMiB)
  // The JSON form round-trips.
  t.deepEqual(JSON.parse(JSON.stringify(report)), report)
})

test('producers on kafkajs instead of the raw client verify the same way', async (t) => {
  t.timeout(45_000)
  const report = await runLoadTest({
    producers: 1, consumers: 1, groups: 1, partitions: 3, rate: 'max', size: 32, keys: 50, messages: 2_000,
    producerClient: 'kafkajs', drainTimeoutMs: 20_000,
  })
  t.true(report.ok, JSON.stringify(report.verification))
  t.is(report.produced.acked, 2_000)
  t.is(report.verification.groups[0]!.seenDistinct, 2_000)
})
