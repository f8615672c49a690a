/**
 * RSS of the harness process over a run (with an embedded broker, that is the broker too), one
 * sample a second, so a report can show whether memory stayed flat. Long runs keep every
 * other sample once the list is full, so the list stays small whatever the duration.
 */
const MAX_SAMPLES = 600
const MIB = 1024 * 1024

export interface MemorySummary {
  startMiB: number
  peakMiB: number
  endMiB: number
  /** [seconds since the start, RSS MiB], evenly thinned over the run. */
  samples: Array<[number, number]>
}

export class MemorySamples {
  private samples: Array<[number, number]> = []
  /** Every `stride`-th call is kept; it doubles each time the list is thinned. */
  private stride = 1
  private calls = 0
  private peak = 0

  sample(elapsedMs: number): void {
    const rssMiB = Math.round((process.memoryUsage.rss() / MIB) * 10) / 10
    this.peak = Math.max(this.peak, rssMiB)
    if (this.calls++ % this.stride !== 0) return
    this.samples.push([Math.round(elapsedMs / 100) / 10, rssMiB])
    if (this.samples.length >= MAX_SAMPLES) {
      this.samples = this.samples.filter((_, index) => index % 2 === 0)
      this.stride *= 2
    }
  }

  summary(): MemorySummary {
    const first = this.samples[0]?.[1] ?? 0
    const last = this.samples[this.samples.length - 1]?.[1] ?? 0
    return { startMiB: first, peakMiB: this.peak, endMiB: last, samples: this.samples }
  }
}
