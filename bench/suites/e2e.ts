/**
 * End-to-end latency, embedded: a producer (acks=-1) sends 100-byte records to a 1-partition topic
 * at a fixed rate of 1,000, 10,000 and 100,000 records/s while a reader follows the partition with
 * `readBatches`. Each record carries its *intended* send time (from the rate scheduler), and its
 * latency is delivery time − intended send time, so stalls on the producer side are counted
 * (coordinated-omission correction, see bench/rate.ts). Each round runs 5 s × scale (at least 1 s)
 * on a fresh topic after one uncounted warm-up round.
 *
 * Rows, one per rate: { name, ratePerSecond, durationMs, records, valueBytes, partitions, acks,
 *   p50Ms, p99Ms, p999Ms, maxMs: Summary over rounds,
 *   deliveredPerSecond: Summary (records / time from the first intended send to the last delivery),
 *   curve: Array<[percentile, latencyMs]> of every counted round's latencies together }
 */
import type { Broker } from '../../src/index.js'
import { latencyFigures, latencyHistogram, percentileCurve, recordMs, type Histogram, type LatencyFigures } from '../latency.js'
import { recordsAtRate, sendAtRate, type RateOptions } from '../rate.js'
import { summarize } from '../stats.js'
import type { SuiteContext, SuiteResult } from '../suite.js'
import { withBroker } from '../workload.js'

const RATES = [1_000, 10_000, 100_000]
const VALUE_BYTES = 100
const PARTITIONS = 1

export async function e2eSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const durationMs = Math.max(1000, Math.round(5000 * scale))
  const rows: unknown[] = []
  await withBroker(async (broker) => {
    for (const ratePerSecond of RATES) {
      const load: RateOptions = { ratePerSecond, durationMs }
      const records = recordsAtRate(load)
      const all = latencyHistogram()
      const figures: LatencyFigures[] = []
      const delivered: number[] = []
      // Round -1 warms the JIT and the partition's worker up and is not counted.
      for (let round = -1; round < rounds; round++) {
        const topic = `e2e-${ratePerSecond}-${round + 1}`
        await broker.admin().createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] })
        const histogram = latencyHistogram()
        const { elapsedMs } = await measureRound(broker, topic, load, histogram)
        if (round >= 0) {
          figures.push(latencyFigures(histogram))
          delivered.push((records / elapsedMs) * 1000)
          all.add(histogram)
        }
        histogram.destroy()
        await broker.admin().deleteTopics({ topics: [topic] })
      }
      const pick = (key: keyof LatencyFigures) => summarize(figures.map((figure) => figure[key]))
      const row = {
        name: `e2e at ${ratePerSecond.toLocaleString('en-US')} records/s`,
        ratePerSecond,
        durationMs,
        records,
        valueBytes: VALUE_BYTES,
        partitions: PARTITIONS,
        acks: -1,
        p50Ms: pick('p50Ms'),
        p99Ms: pick('p99Ms'),
        p999Ms: pick('p999Ms'),
        maxMs: pick('maxMs'),
        deliveredPerSecond: summarize(delivered),
        curve: percentileCurve(all),
      }
      all.destroy()
      const ms = (value: number) => value.toFixed(2)
      print(`${row.name}: p50 ${ms(row.p50Ms.median)}, p99 ${ms(row.p99Ms.median)} (${ms(row.p99Ms.min)}–${ms(row.p99Ms.max)}), p99.9 ${ms(row.p999Ms.median)}, max ${ms(row.maxMs.median)} ms, medians of ${rounds} rounds`)
      rows.push(row)
    }
  })
  return { name: 'e2e', rows }
}

/** One run at the load's rate; records every latency into `histogram`. */
async function measureRound(broker: Broker, topic: string, load: RateOptions, histogram: Histogram): Promise<{ elapsedMs: number }> {
  const total = recordsAtRate(load)
  const reading = deliver(broker, topic, total, histogram)
  const producer = broker.producer({ acks: -1 })
  let firstIntended = Number.NaN
  await sendAtRate(load, async (intended) => {
    if (Number.isNaN(firstIntended)) firstIntended = intended[0]
    const messages = intended.map((at) => {
      const value = Buffer.alloc(VALUE_BYTES, 0x61)
      value.writeDoubleLE(at, 0)
      return { value }
    })
    await producer.send({ topic, messages })
  })
  const lastDelivery = await reading
  await producer.disconnect()
  return { elapsedMs: lastDelivery - firstIntended }
}

/** Follows partition 0 until `total` records arrived; resolves with the time the last one did. */
async function deliver(broker: Broker, topic: string, total: number, histogram: Histogram): Promise<number> {
  let seen = 0
  for await (const batch of broker.readBatches({ topic, partition: 0, fromOffset: 0 })) {
    // The whole batch is handed over at once: one delivery time for all of its records.
    const now = performance.now()
    for (const record of batch.records) recordMs(histogram, now - record.value!.readDoubleLE(0))
    seen += batch.records.length
    if (seen >= total) return now
  }
  throw new Error(`the reader of ${topic} ended after ${seen} of ${total} records`)
}
