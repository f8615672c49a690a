/**
 * Serializes user handler calls across partitions: kafkajs's `partitionsConsumedConcurrently`
 * (default 1) lets at most that many run at once, while every partition keeps fetching.
 */
export class HandlerQueue {
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor(private readonly concurrency: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve))
    this.running += 1
    try {
      return await task()
    } finally {
      this.running -= 1
      this.waiting.shift()?.()
    }
  }
}
