/**
 * End-to-end latency measured the same way for every system: each 100-byte value carries its
 * intended send time (performance.now() clock — producer and consumer share this process), the
 * producer keeps a fixed rate with `sendAtRate` (no coordinated omission), and the consumer
 * records delivery latency into an HdrHistogram.
 */
import { latencyFigures, latencyHistogram, recordMs, type LatencyFigures } from '../latency.js'
import { recordsAtRate, sendAtRate } from '../rate.js'

export const VALUE_BYTES = 100

/** One side of a system under test: a subscriber and a sender on the same stream/topic. */
export interface E2eSide {
  /** Starts consuming in the background; resolves once subscribed, so no record is missed. */
  subscribe(deliver: (value: Buffer) => void): Promise<void>
  send(values: Buffer[]): Promise<void>
  close(): Promise<void>
}

export function stampedValue(intendedMs: number): Buffer {
  const value = Buffer.alloc(VALUE_BYTES, 0x61)
  value.writeDoubleLE(intendedMs, 0)
  return value
}

export interface E2eResult extends LatencyFigures {
  records: number
}

/** Sends `ratePerSecond × durationMs` records and waits for every one to be delivered once. */
export async function runE2e(side: E2eSide, ratePerSecond: number, durationMs: number): Promise<E2eResult> {
  const histogram = latencyHistogram()
  const expected = recordsAtRate({ ratePerSecond, durationMs })
  let delivered = 0
  let allDelivered!: () => void
  const done = new Promise<void>((resolve) => (allDelivered = resolve))
  try {
    await side.subscribe((value) => {
      recordMs(histogram, performance.now() - value.readDoubleLE(0))
      if (++delivered === expected) allDelivered()
    })
    await sendAtRate({ ratePerSecond, durationMs }, (intended) => side.send(intended.map(stampedValue)))
    // Bounded: a lost record must fail the row, not hang the suite.
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`delivered ${delivered} of ${expected} records within 30 s of the last send`)), 30_000)
    })
    await Promise.race([done, timeout]).finally(() => clearTimeout(timer))
  } finally {
    await side.close()
  }
  if (delivered !== expected) throw new Error(`delivered ${delivered} records, expected ${expected}`)
  return { records: expected, ...latencyFigures(histogram) }
}
