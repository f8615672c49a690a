/**
 * Piscina task file of the batch-check pool (src/compression/batch-check-pool.ts): checks one
 * compressed record batch off the event loop. Errors are returned as data, not thrown: a
 * thrown error crosses the thread boundary without its class, code or details.
 */
import { checkBatchRecords } from '../src/compression/batch-check.js'
import { toErrorData, type BrokerErrorData } from '../src/errors.js'

export interface BatchCheckTask {
  /** The whole batch; structured clone delivers a Buffer as a plain Uint8Array. */
  batch: Uint8Array
  maxDecompressedBytes: number
}

/** null when the records are sound, the BrokerError as data otherwise. */
export default function checkBatchTask(task: BatchCheckTask): BrokerErrorData | null {
  try {
    const batch = Buffer.from(task.batch.buffer, task.batch.byteOffset, task.batch.byteLength)
    checkBatchRecords(batch, { maxDecompressedBytes: task.maxDecompressedBytes })
    return null
  } catch (error) {
    return toErrorData(error)
  }
}
