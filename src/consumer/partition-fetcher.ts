/**
 * The fetch-and-process loop of one assigned partition. It long-polls from its position, hands
 * each chunk to the user's handler (through the shared HandlerQueue), and advances the position
 * only past records the handler finished, so a failed handler never skips a record.
 */
import { isBrokerError } from '../errors.js'
import type { FetchedRecord } from '../protocol/record-batch.js'
import type { FetchChunk, FetchRequest } from '../broker.js'

export interface FetcherHost {
  fetch(request: FetchRequest): Promise<FetchChunk>
  /** Where to go when the position fell out of the log (retention); returns the new position. */
  resetPosition(topic: string, partition: number, reason: string): Promise<number>
  /** Processes one fetched chunk; resolves with the position after what was processed. */
  process(fetcher: PartitionFetcher, chunk: FetchChunk): Promise<void>
  maxBytes: number
  maxWaitMs: number
}

export class PartitionFetcher {
  /** The next offset to hand to the user. */
  position: number
  /** The last offset committed for this partition (the next one the group will read). */
  committed: number
  /** Set by seek(): the next commit may move backwards. */
  seeked = false
  /** Counts seeks, so a chunk being processed when one happens stops and leaves the new position alone. */
  seekEpoch = 0
  paused = false
  private stopped = false
  private abort = new AbortController()
  private resumed: (() => void) | null = null
  private loop: Promise<void> | null = null
  /** The chunk being handed to the handler, if any. */
  private processing: Promise<void> | null = null

  constructor(
    readonly topic: string,
    readonly partition: number,
    start: number,
    committed: number,
    private readonly host: FetcherHost,
    private readonly onError: (error: unknown) => void,
  ) {
    this.position = start
    this.committed = committed
  }

  get isStopped(): boolean {
    return this.stopped
  }

  start(): void {
    this.loop ??= this.run().catch((error) => {
      if (!this.stopped) this.onError(error)
    })
  }

  /**
   * Stops fetching; resolves once the handler call in progress (if any) has finished. A fetch in
   * flight is not waited for: its records are dropped when it returns.
   */
  async stop(): Promise<void> {
    this.stopped = true
    this.abort.abort()
    this.resumed?.()
    await this.processing
  }

  seek(offset: number): void {
    this.position = offset
    this.seeked = true
    this.seekEpoch += 1
    this.restartFetch()
  }

  pause(): void {
    this.paused = true
    this.restartFetch()
  }

  resume(): void {
    this.paused = false
    this.resumed?.()
  }

  /** Drops the fetch in flight (its records would start at the old position). */
  private restartFetch(): void {
    this.abort.abort()
    this.abort = new AbortController()
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.paused) {
        await new Promise<void>((resolve) => {
          this.resumed = resolve
        })
        this.resumed = null
        continue
      }
      const signal = this.abort.signal
      const from = this.position
      let result: FetchChunk
      try {
        result = await this.host.fetch({ topic: this.topic, partition: this.partition, offset: from, maxBytes: this.host.maxBytes, maxWaitMs: this.host.maxWaitMs, signal })
      } catch (error) {
        if (this.stopped) return
        if (isBrokerError(error) && error.code === 'OFFSET_OUT_OF_RANGE') {
          this.position = await this.host.resetPosition(this.topic, this.partition, error.message)
          continue
        }
        throw error
      }
      // A seek or pause while fetching makes this chunk stale.
      if (this.stopped || signal.aborted || from !== this.position || result.bytes === null) continue
      this.processing = this.host.process(this, result)
      try {
        await this.processing
      } finally {
        this.processing = null
      }
    }
  }
}

export type { FetchedRecord }
