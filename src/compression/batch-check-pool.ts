/**
 * A piscina pool that checks compressed produced batches off the event loop (batch-check.ts
 * says what is checked). Decompressing up to 16 MiB takes milliseconds that a socket loop
 * should not spend; a worker thread also keeps a pathological batch from stalling other
 * connections. One thread by default (the target machine has 2 cores and the event loop needs
 * one); idle threads exit, so a broker that never sees compressed batches holds none.
 */
// piscina: the worker-thread pool DESIGN.md names for stateless CPU work (queueing, idle exit, clean shutdown).
import { Piscina } from 'piscina'
import { fileURLToPath } from 'node:url'
import { BrokerError, brokerErrorFromData, isBrokerErrorData } from '../errors.js'
import type { BatchCheckTask } from '../../workers/batch-check-worker.js'
import type { BatchCheckLimits } from './batch-check.js'

export { decompressedLimitFor } from './decompressed-limit.js'
export type { BatchCheckLimits } from './batch-check.js'

export interface BatchCheckPoolOptions {
  /** Worker threads at most (default 1). */
  threads?: number
}

const DEFAULT_THREADS = 1
/** A thread idle this long exits; the next check starts one again (tens of ms). */
const IDLE_TIMEOUT_MS = 30_000

const runningFromSource = import.meta.url.endsWith('.ts')

/**
 * Piscina loads its task file itself, so src/worker-url.ts's startWorker cannot be used; the
 * same rule applies: .js from dist/, and from sources a tsx shim (piscina-tsx-entry.mjs) that
 * boots through workers/tsx-bootstrap.mjs and re-exports the .ts task file's handler.
 */
function taskFile(): { filename: string; workerData?: { entry: string } } {
  if (!runningFromSource) return { filename: fileURLToPath(new URL('../../workers/batch-check-worker.js', import.meta.url)) }
  return {
    filename: fileURLToPath(new URL('./piscina-tsx-entry.mjs', import.meta.url)),
    workerData: { entry: new URL('../../workers/batch-check-worker.ts', import.meta.url).href },
  }
}

export class BatchCheckPool {
  private closing: Promise<void> | null = null
  /** Checks not yet settled: close() waits for them, queued ones included (piscina's close drops those). */
  private readonly pending = new Set<Promise<unknown>>()

  private constructor(private readonly piscina: Piscina) {
    // Task failures reach their callers through run(); a pool-level error (a close timeout) has
    // no caller left, and an 'error' event without a listener would throw on the event loop.
    piscina.on('error', () => {})
  }

  static create(options: BatchCheckPoolOptions = {}): BatchCheckPool {
    const threads = options.threads ?? DEFAULT_THREADS
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`)
    return new BatchCheckPool(new Piscina({
      ...taskFile(),
      minThreads: 0,
      maxThreads: threads,
      idleTimeout: IDLE_TIMEOUT_MS,
    }))
  }

  /**
   * Checks one whole RecordBatch v2 (CRC already verified by the caller). Resolves when its
   * records are sound; rejects with CORRUPT_MESSAGE, RECORD_LIST_TOO_LARGE, BROKER_CLOSED after
   * close(), or WORKER_CRASHED if the thread itself failed. The batch is copied to the worker,
   * never transferred: the caller still appends these bytes.
   */
  async check(batch: Buffer, limits: BatchCheckLimits): Promise<void> {
    if (this.closing !== null) throw new BrokerError('BROKER_CLOSED', 'the batch-check pool is closed')
    const task: BatchCheckTask = { batch, maxDecompressedBytes: limits.maxDecompressedBytes }
    let result: unknown
    const run = this.piscina.run(task)
    this.pending.add(run)
    try {
      result = await run
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      if (this.closing !== null) throw new BrokerError('BROKER_CLOSED', `the batch-check pool closed during a check: ${reason}`)
      throw new BrokerError('WORKER_CRASHED', `batch-check worker failed: ${reason}`)
    } finally {
      this.pending.delete(run)
    }
    if (result === null) return
    if (isBrokerErrorData(result)) throw brokerErrorFromData(result)
    throw new BrokerError('WORKER_CRASHED', 'batch-check worker returned an unexpected result')
  }

  /** Lets the checks already asked for finish, then stops the threads. Safe to call more than once. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.pending])
      await this.piscina.destroy()
    })()
    return this.closing
  }
}
