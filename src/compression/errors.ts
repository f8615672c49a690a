/**
 * The two ways a compressed payload is refused, shared by every codec so they read alike: the
 * output would pass the caller's bound (a decompression bomb, or just too much), or the bytes
 * are not a valid stream of that codec.
 */
import { BrokerError, isBrokerError } from '../errors.js'

export function outputTooLarge(codec: string, maxOutputBytes: number): BrokerError {
  return new BrokerError('RECORD_LIST_TOO_LARGE', `${codec} records decompress to more than ${maxOutputBytes} bytes`, { codec, maxOutputBytes })
}

export function corruptPayload(codec: string, reason: string): BrokerError {
  return new BrokerError('CORRUPT_MESSAGE', `${codec} records do not decompress: ${reason}`, { codec })
}

/** A library's own error (native, wasm or zlib) as CORRUPT_MESSAGE; our BrokerErrors pass through. */
export function asCorrupt(codec: string, error: unknown): BrokerError {
  if (isBrokerError(error)) return error
  return corruptPayload(codec, error instanceof Error ? error.message : String(error))
}

/** Guards the bound itself: a bad bound is a caller bug, not bad data. */
export function assertOutputBound(maxOutputBytes: number): void {
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw new RangeError(`maxOutputBytes must be a non-negative integer, got ${maxOutputBytes}`)
  }
}
