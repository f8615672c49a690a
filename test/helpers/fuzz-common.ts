/**
 * Shared pieces of the fuzz targets (reliability.md C3): seeds, per-input timing with a hang
 * bound, an allocation probe, and the figure line every target prints. The targets themselves
 * (fuzz-frames.ts, fuzz-record-batch.ts) are plain functions so that `npm test` runs them with
 * a few thousand inputs and `npm run fuzz` (scripts/fuzz.ts) with hundreds of thousands.
 */
import { performance } from 'node:perf_hooks'

/** One input taking longer than this is a hang (reliability.md C3, for inputs <= 1 MiB). */
export const HANG_MS = 100

export interface FuzzOptions {
  numRuns: number
  seed: number
  /** Called with each input before it is decoded: the long run's watchdog keeps the last one as a reproducer. */
  onInput?: (input: Buffer) => void
}

export interface FuzzReport {
  /** Which property (printed in front of the figure). */
  name: string
  seed: number
  /** Inputs actually run (counted inside the property, not taken from numRuns). */
  runs: number
  crashes: number
  hangs: number
  /** Allocations above what the input could justify (bytes received, or the configured cap). */
  blowUps: number
  /** Slowest single input, in milliseconds: the lesser of its CPU and wall time (what a hang is judged by; see timeInput). */
  maxMs: number
  /** Slowest single input in wall-clock milliseconds (inflated when the machine is busy). */
  maxWallMs: number
  /** Outcomes by kind (records returned, error codes), for the log. */
  outcomes: Record<string, number>
}

/** The seed from FC_SEED, or a fresh one (printed with every figure so a failure can be replayed). */
export function seedFromEnv(): number {
  const fromEnv = process.env.FC_SEED
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv)
  return Date.now() % 0x7fffffff
}

export function newReport(name: string, seed: number): FuzzReport {
  return { name, seed, runs: 0, crashes: 0, hangs: 0, blowUps: 0, maxMs: 0, maxWallMs: 0, outcomes: {} }
}

export function count(report: FuzzReport, outcome: string): void {
  report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1
}

/** `bad inputs tried: N (seed S), 0 crashes, 0 hangs, 0 blow-ups, max decode X ms` */
export function figure(report: FuzzReport, what = 'decode'): string {
  return `${report.name}: bad inputs tried: ${report.runs} (seed ${report.seed}), ${report.crashes} crashes, ${report.hangs} hangs, ${report.blowUps} blow-ups, max ${what} ${report.maxMs.toFixed(2)} ms (slowest wall time ${report.maxWallMs.toFixed(2)} ms)`
}

export function outcomeLine(report: FuzzReport): string {
  const parts = Object.entries(report.outcomes).sort((a, b) => b[1] - a[1]).map(([outcome, n]) => `${outcome} ${n}`)
  return `${report.name} outcomes: ${parts.join(', ')}`
}

/** Thrown from inside a property: fast-check reports it with the seed and path of the input. */
export class FuzzFailure extends Error {
  constructor(readonly kind: 'crash' | 'hang' | 'blow-up' | 'wrong', message: string) {
    super(`${kind}: ${message}`)
    this.name = 'FuzzFailure'
  }
}

/**
 * Runs `run` (synchronous) and returns how long it took: the lesser of its CPU time and its wall
 * time. On a shared 2-core machine a busy neighbour stretches wall time, and the process's CPU
 * clock also counts other threads (parallel GC, a watchdog); an input that really hangs or blows
 * up is slow on both. A run over HANG_MS is timed twice more and counts as a hang only if every
 * attempt is that slow (a real hang is deterministic, a GC pause is not). A true infinite loop
 * never returns: the long run's watchdog (scripts/fuzz.ts) catches those.
 */
export function timeInput(report: FuzzReport, run: () => void): number {
  let { cost, wall } = timeOnce(run)
  for (let attempt = 0; attempt < 2 && cost > HANG_MS; attempt++) {
    const again = timeOnce(run)
    cost = Math.min(cost, again.cost)
    wall = Math.min(wall, again.wall)
  }
  if (cost > report.maxMs) report.maxMs = cost
  if (wall > report.maxWallMs) report.maxWallMs = wall
  if (cost > HANG_MS) {
    report.hangs++
    throw new FuzzFailure('hang', `one input took ${cost.toFixed(1)} ms (CPU and wall) in every one of 3 attempts; the bound is ${HANG_MS} ms`)
  }
  return cost
}

function timeOnce(run: () => void): { cost: number; wall: number } {
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  run()
  const wall = performance.now() - started
  const used = process.cpuUsage(cpuBefore)
  return { cost: Math.min(wall, (used.user + used.system) / 1000), wall }
}

/**
 * Records the largest Buffer allocated while `run` executes (Buffer.alloc, allocUnsafe,
 * allocUnsafeSlow, concat), by swapping those statics for the duration of the call.
 */
export function probeAllocations<T>(run: () => T): { result: T; largest: number; total: number } {
  const original = { alloc: Buffer.alloc, allocUnsafe: Buffer.allocUnsafe, allocUnsafeSlow: Buffer.allocUnsafeSlow, concat: Buffer.concat }
  let largest = 0
  let total = 0
  const note = (size: number) => {
    if (size > largest) largest = size
    total += size
  }
  const probe = Buffer as unknown as Record<string, unknown>
  probe.alloc = (size: number, ...rest: unknown[]) => {
    note(size)
    return (original.alloc as (...args: unknown[]) => Buffer)(size, ...rest)
  }
  probe.allocUnsafe = (size: number) => {
    note(size)
    return original.allocUnsafe(size)
  }
  probe.allocUnsafeSlow = (size: number) => {
    note(size)
    return original.allocUnsafeSlow(size)
  }
  probe.concat = (list: readonly Uint8Array[], totalLength?: number) => {
    const out = original.concat(list, totalLength)
    note(out.length)
    return out
  }
  try {
    return { result: run(), largest, total }
  } finally {
    Object.assign(Buffer, original)
  }
}

/** Kafka's hostile length/count set relative to the bytes that remain (reliability.md C3 B1). */
export function hostileValues(remaining: number): number[] {
  return [-(2 ** 31), -2, -1, 0, 1, remaining - 1, remaining, remaining + 1, 2 ** 31 - 1]
}

export const INT32_EDGES = [-(2 ** 31), -2, -1, 0, 1, 2 ** 31 - 1]
