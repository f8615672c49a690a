/**
 * A fixed-rate send scheduler for latency benchmarks. Record i is *intended* to be sent at
 * `start + i / rate`, whatever happened before it: when a send stalls, the records that fell due
 * meanwhile keep their intended times and go out together as soon as a send slot frees up. A
 * latency measured from the intended time therefore includes the stall (no coordinated omission),
 * where one measured from the actual send would hide it.
 */
import { setTimeout as delay } from 'node:timers/promises'

export interface RateOptions {
  ratePerSecond: number
  durationMs: number
  /** Most records per send call, so a long stall does not turn into one giant send. */
  maxBatch?: number
  /** Sends kept in flight at once; past it, due records wait (and their latency grows). */
  inFlight?: number
}

/** How many records a run sends: at least one. */
export function recordsAtRate({ ratePerSecond, durationMs }: RateOptions): number {
  return Math.max(1, Math.round((ratePerSecond * durationMs) / 1000))
}

/**
 * Calls `send` with the intended send times (`performance.now()` clock, ms) of the records due,
 * until `ratePerSecond × durationMs` records went out; resolves with that count once every send
 * has settled, or rejects with the first send's error.
 */
export async function sendAtRate(options: RateOptions, send: (intendedMs: number[]) => Promise<void>): Promise<number> {
  const { ratePerSecond, maxBatch = 1000, inFlight = 16 } = options
  const total = recordsAtRate(options)
  const interval = 1000 / ratePerSecond
  const pending = new Set<Promise<void>>()
  let failure: unknown = null
  const start = performance.now()
  let next = 0
  while (next < total) {
    if (failure !== null) break
    const now = performance.now()
    const due = Math.min(total, Math.floor((now - start) / interval) + 1)
    if (due <= next) {
      // The scheduler's one timer: wake when the next record falls due.
      await delay(Math.max(0, start + next * interval - now))
      continue
    }
    if (pending.size >= inFlight) {
      await Promise.race(pending)
      continue
    }
    const count = Math.min(due - next, maxBatch)
    const intended = Array.from({ length: count }, (_, k) => start + (next + k) * interval)
    next += count
    const sending: Promise<void> = send(intended)
      .catch((error: unknown) => void (failure ??= error))
      .finally(() => pending.delete(sending))
    pending.add(sending)
  }
  await Promise.all(pending)
  if (failure !== null) throw failure
  return total
}
