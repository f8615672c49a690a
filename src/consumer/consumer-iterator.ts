/**
 * `for await (const { topic, partition, message } of consumer)`: the consumer's eachMessage hands
 * each record to the loop and waits until the loop asks for the next one, so a record counts as
 * processed (and its offset is committed) only after the loop body that received it finished.
 */
import type { FetchedRecord } from '../protocol/record-batch.js'
import { NotProcessed } from './retry.js'

export interface IteratedMessage {
  topic: string
  partition: number
  message: FetchedRecord
}

export class ConsumerIterator implements AsyncIterator<IteratedMessage> {
  /** The loop is waiting for a record. */
  private taker: { resolve: (result: IteratorResult<IteratedMessage>) => void; reject: (error: unknown) => void } | null = null
  /** A record is waiting for the loop. */
  private offered: { value: IteratedMessage; taken: () => void; dropped: (error: Error) => void } | null = null
  /** The record the loop is processing now; done when the loop asks for the next. */
  private inLoop: (() => void) | null = null
  private failure: unknown = null
  private finished = false

  constructor(private readonly stop: () => Promise<void>) {}

  offer(payload: IteratedMessage): Promise<void> {
    const value = { topic: payload.topic, partition: payload.partition, message: payload.message }
    if (this.finished) return Promise.reject(new NotProcessed())
    return new Promise<void>((taken, dropped) => {
      if (this.taker) {
        const taker = this.taker
        this.taker = null
        this.inLoop = taken
        taker.resolve({ value, done: false })
      } else {
        this.offered = { value, taken, dropped }
      }
    })
  }

  fail(error: unknown): void {
    this.failure = error
    if (this.taker) {
      this.taker.reject(error)
      this.taker = null
    }
  }

  async next(): Promise<IteratorResult<IteratedMessage>> {
    // Asking for the next record means the previous one was processed.
    this.inLoop?.()
    this.inLoop = null
    if (this.failure) throw this.failure
    if (this.finished) return { value: undefined, done: true }
    if (this.offered) {
      const { value, taken } = this.offered
      this.offered = null
      this.inLoop = taken
      return { value, done: false }
    }
    return new Promise((resolve, reject) => {
      this.taker = { resolve, reject }
    })
  }

  /** Leaving the loop (break, return, throw) stops the consumer cleanly: commits and leaves the group. */
  async return(): Promise<IteratorResult<IteratedMessage>> {
    this.finished = true
    // The record the loop left from was processed; one still waiting was not, and stays uncommitted.
    this.inLoop?.()
    this.inLoop = null
    this.offered?.dropped(new NotProcessed())
    this.offered = null
    this.taker?.resolve({ value: undefined, done: true })
    this.taker = null
    await this.stop()
    return { value: undefined, done: true }
  }
}
