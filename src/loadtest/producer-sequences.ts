/**
 * One producer's sequences to one partition, for two questions without keeping every range:
 * do acknowledged offsets grow with the sequence (producer-side order), and was a given sequence
 * acknowledged, in doubt (its send failed), or never sent? Ranges are taken in sequence order —
 * ones that arrive early wait in `early` — so only the previous acknowledged range is needed for
 * the order check; failed sends are kept (they are rare) to tell in-doubt sequences apart.
 */
interface Pending {
  count: number
  /** -1 for a failed send. */
  baseOffset: number
}

export class ProducerSequences {
  /** Every sequence below this has been taken (acknowledged or in doubt). */
  private next = 0
  private previous: { baseOffset: number; count: number } | undefined
  private readonly early = new Map<number, Pending>()
  private readonly inDoubt: Array<{ firstSequence: number; count: number }> = []
  private violations = 0

  acked(firstSequence: number, count: number, baseOffset: number): void {
    this.take(firstSequence, { count, baseOffset })
  }

  failed(firstSequence: number, count: number): void {
    this.inDoubt.push({ firstSequence, count })
    this.take(firstSequence, { count, baseOffset: -1 })
  }

  isInDoubt(sequence: number): boolean {
    return this.inDoubt.some((r) => sequence >= r.firstSequence && sequence < r.firstSequence + r.count)
  }

  isAcked(sequence: number): boolean {
    if (this.isInDoubt(sequence)) return false
    if (sequence < this.next) return true
    for (const [first, pending] of this.early) if (pending.baseOffset >= 0 && sequence >= first && sequence < first + pending.count) return true
    return false
  }

  /**
   * Violations, counting also the ranges still waiting behind a gap that never closed (checked in
   * sequence order, as if the gap were not there). Leaves the state as it is.
   */
  violationsAtEnd(): number {
    let violations = this.violations
    let previous = this.previous
    for (const [, pending] of [...this.early].sort((a, b) => a[0] - b[0])) {
      if (pending.baseOffset < 0) continue
      if (previous !== undefined && pending.baseOffset <= previous.baseOffset + previous.count - 1) violations++
      previous = pending
    }
    return violations
  }

  private take(firstSequence: number, pending: Pending): void {
    if (firstSequence !== this.next) {
      this.early.set(firstSequence, pending)
      return
    }
    this.check(pending)
    this.next = firstSequence + pending.count
    for (let queued = this.early.get(this.next); queued !== undefined; queued = this.early.get(this.next)) {
      this.early.delete(this.next)
      this.check(queued)
      this.next += queued.count
    }
  }

  private check(pending: Pending): void {
    if (pending.baseOffset < 0) return
    const previous = this.previous
    if (previous !== undefined && pending.baseOffset <= previous.baseOffset + previous.count - 1) this.violations++
    this.previous = { baseOffset: pending.baseOffset, count: pending.count }
  }
}
