/**
 * Group commit: at most one flush (fdatasync) runs at a time. A sync() with nothing running
 * starts one that covers everything written so far. A sync() while one runs waits for the NEXT
 * flush, which starts when the running one ends and covers everything written until then, so N
 * appends during one fdatasync share one following fdatasync. A failed flush rejects every
 * waiter it covered and is never retried (fsyncgate): the host fences the log.
 */
import type { BrokerError } from '../errors.js'

/** One flush: a snapshot of what it covers, taken when it starts. */
export interface FlushJob {
  /** The log end offset the flush covers once it completes. */
  readonly endOffset: number
  run(): Promise<void>
}

export interface GroupCommitHost {
  /** Non-null when the log refuses syncs (offline or closed). */
  fenced(): BrokerError | null
  /** The end offset covered by completed flushes. */
  durableEndOffset(): number
  /** Whether anything was written that the given end offset (of a completed or running flush) does not cover. */
  hasWritesBeyond(endOffset: number): boolean
  startFlush(): FlushJob
  /** Called when a flush completed; returns the new durable end offset. */
  flushSucceeded(job: FlushJob): number
  /** Called when a flush failed; fences the log and returns the error its waiters get. */
  flushFailed(job: FlushJob, error: unknown): BrokerError
}

interface Deferred {
  promise: Promise<number>
  resolve(value: number): void
  reject(error: unknown): void
}

function deferred(): Deferred {
  let resolve!: (value: number) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<number>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

export class GroupCommit {
  private running: { job: FlushJob; promise: Promise<number> } | null = null
  private queued: Deferred | null = null

  constructor(private readonly host: GroupCommitHost) {}

  /** Whether a flush is running now. */
  get flushing(): boolean {
    return this.running !== null
  }

  /** Resolves with the durable end offset once a completed flush covers everything written before the call. */
  sync(): Promise<number> {
    const fence = this.host.fenced()
    if (fence !== null) return Promise.reject(fence)
    if (this.running === null) {
      if (!this.host.hasWritesBeyond(this.host.durableEndOffset())) return Promise.resolve(this.host.durableEndOffset())
      return this.start()
    }
    if (!this.host.hasWritesBeyond(this.running.job.endOffset)) return this.running.promise
    if (this.queued === null) this.queued = deferred()
    return this.queued.promise
  }

  /** Resolves when no flush is running or queued (whatever their outcome). */
  async idle(): Promise<void> {
    while (this.running !== null || this.queued !== null) {
      const pending = this.queued?.promise ?? this.running?.promise
      await pending?.then(
        () => undefined,
        () => undefined,
      )
    }
  }

  private start(): Promise<number> {
    const job = this.host.startFlush()
    const promise = job.run().then(
      () => this.host.flushSucceeded(job),
      (error: unknown) => {
        throw this.host.flushFailed(job, error)
      },
    )
    this.running = { job, promise }
    const next = (): void => {
      this.running = null
      const waiting = this.queued
      if (waiting === null) return
      this.queued = null
      this.sync().then(waiting.resolve, waiting.reject)
    }
    promise.then(next, next)
    return promise
  }
}
