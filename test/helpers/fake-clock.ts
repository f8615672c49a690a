/**
 * A manual clock for timer-driven code: time moves only by `advance(ms)`, which runs every timer
 * that falls due, in due order (ties in scheduling order), with `now()` at each timer's due time.
 * Timers scheduled while advancing run in the same advance if they fall due within it.
 */
export class FakeClock {
  private time: number
  private sequence = 0
  private readonly timers: Array<{ dueAt: number; sequence: number; fn: () => void; cancelled: boolean }> = []

  constructor(startMs = 1_000_000) {
    this.time = startMs
  }

  now(): number {
    return this.time
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer = { dueAt: this.time + Math.max(ms, 0), sequence: this.sequence++, fn, cancelled: false }
    this.timers.push(timer)
    return {
      cancel: () => {
        timer.cancelled = true
      },
    }
  }

  advance(ms: number): void {
    const target = this.time + ms
    for (;;) {
      let next: (typeof this.timers)[number] | undefined
      for (const timer of this.timers) {
        if (timer.cancelled || timer.dueAt > target) continue
        if (!next || timer.dueAt < next.dueAt || (timer.dueAt === next.dueAt && timer.sequence < next.sequence)) next = timer
      }
      if (!next) break
      this.timers.splice(this.timers.indexOf(next), 1)
      this.time = next.dueAt
      next.fn()
    }
    this.time = target
  }

  /** Timers scheduled and neither run nor cancelled. */
  pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length
  }
}
