/**
 * A growing output buffer that refuses to pass a byte bound: decoders reserve room before they
 * write, so a bomb fails at the bound instead of after allocating what it asks for. Capacity
 * doubles (never past the bound), so the work stays linear in what is really written.
 */
import { outputTooLarge } from './errors.js'

/** First capacity when nothing better is known: a few times the input is typical for Kafka batches. */
const INITIAL_RATIO = 4
const MIN_INITIAL_BYTES = 1024

export class BoundedOutput {
  buffer: Buffer
  length = 0

  constructor(readonly codec: string, readonly maxBytes: number, inputBytes: number) {
    this.buffer = Buffer.allocUnsafe(Math.min(maxBytes, Math.max(MIN_INITIAL_BYTES, inputBytes * INITIAL_RATIO)))
  }

  /** Makes room for `bytes` more, or throws RECORD_LIST_TOO_LARGE when that would pass the bound. */
  reserve(bytes: number): void {
    const needed = this.length + bytes
    if (needed > this.maxBytes) throw outputTooLarge(this.codec, this.maxBytes)
    if (needed <= this.buffer.length) return
    const grown = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(needed, this.buffer.length * 2)))
    this.buffer.copy(grown, 0, 0, this.length)
    this.buffer = grown
  }

  append(source: Buffer, start: number, end: number): void {
    this.reserve(end - start)
    source.copy(this.buffer, this.length, start, end)
    this.length += end - start
  }

  /** The bytes written; a view, so a spare half of the last doubling is not copied again. */
  result(): Buffer {
    return this.buffer.subarray(0, this.length)
  }
}
