/**
 * Retries a failing handler with exponential backoff, like kafkajs's `retry` options; once the
 * retries are spent the last error is thrown (and the consumer crashes without skipping the record).
 */
export interface RetryOptions {
  /** Retries after the first failure (kafkajs default 5). */
  retries?: number
  initialRetryTime?: number
  maxRetryTime?: number
  /** Backoff growth per retry. */
  multiplier?: number
}

/** Thrown by an internal handler whose record was not processed (the consumer is stopping): never retried, never skips. */
export class NotProcessed extends Error {
  constructor() {
    super('record not processed: the consumer is stopping')
  }
}

/**
 * Runs `task`; on failure retries per `options`. The first attempt is a plain call, so the hot
 * path (a handler that succeeds) costs no more than awaiting it.
 */
export async function runWithRetry<T>(task: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  try {
    return await task()
  } catch (error) {
    if (error instanceof NotProcessed || (options.retries ?? 5) <= 0) throw error
    return retryAfterFailure(task, options)
  }
}

async function retryAfterFailure<T>(task: () => Promise<T>, options: RetryOptions): Promise<T> {
  const retries = options.retries ?? 5
  const initial = options.initialRetryTime ?? 100
  const max = options.maxRetryTime ?? 30_000
  const multiplier = options.multiplier ?? 2
  for (let attempt = 0; ; attempt++) {
    // Full jitter: spreads the retries of many partitions that failed together.
    const delay = Math.min(max, initial * multiplier ** attempt) * (0.5 + Math.random() / 2)
    await new Promise((resolve) => setTimeout(resolve, delay))
    try {
      return await task()
    } catch (error) {
      if (attempt + 1 >= retries || error instanceof NotProcessed) throw error
    }
  }
}
