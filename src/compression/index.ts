/**
 * The four Kafka compression codecs behind one pair of calls, keyed by the codec id of a
 * RecordBatch's attributes (bits 0-2, see protocol/batch-header.ts COMPRESSION).
 *
 * decompress() is the one door for untrusted compressed bytes: it never returns more than
 * `maxOutputBytes` (RECORD_LIST_TOO_LARGE instead, raised before the oversized output exists
 * where the format announces its size, and as the output grows otherwise), and any malformed
 * input ends in CORRUPT_MESSAGE, never in another error type.
 */
import { BrokerError } from '../errors.js'
import { COMPRESSION } from '../protocol/batch-header.js'
import { asCorrupt, assertOutputBound, corruptPayload, outputTooLarge } from './errors.js'
import { gzipCompress, gzipDecompress } from './gzip.js'
import { lz4Compress, lz4Decompress } from './lz4.js'
import { snappyCompress, snappyDecompress } from './snappy.js'
import { zstdCompress, zstdDecompress } from './zstd.js'

export { decompressedLimitFor } from './decompressed-limit.js'

export const CODEC_NAMES: Readonly<Record<number, string>> = { 0: 'none', 1: 'gzip', 2: 'snappy', 3: 'lz4', 4: 'zstd' }

export function codecName(codec: number): string {
  return CODEC_NAMES[codec] ?? `codec ${codec}`
}

/** Decompresses `payload` of `codec`; codec 0 (none) returns it as is, within the same bound. */
export function decompress(codec: number, payload: Buffer, maxOutputBytes: number): Buffer {
  assertOutputBound(maxOutputBytes)
  const name = codecName(codec)
  try {
    switch (codec) {
      case COMPRESSION.none:
        if (payload.length > maxOutputBytes) throw outputTooLarge(name, maxOutputBytes)
        return payload
      case COMPRESSION.gzip: return gzipDecompress(payload, maxOutputBytes)
      case COMPRESSION.snappy: return snappyDecompress(payload, maxOutputBytes)
      case COMPRESSION.lz4: return lz4Decompress(payload, maxOutputBytes)
      case COMPRESSION.zstd: return zstdDecompress(payload, maxOutputBytes)
      default: throw corruptPayload(name, 'unknown compression codec')
    }
  } catch (error) {
    // Codecs raise typed errors; anything else escaping a library (a RangeError from a bad
    // length, say) is still bad input, not a broker fault.
    throw asCorrupt(name, error)
  }
}

/** Compresses `payload` with `codec`, in the form Kafka clients read (see each codec's file). */
export function compress(codec: number, payload: Buffer): Buffer {
  switch (codec) {
    case COMPRESSION.none: return payload
    case COMPRESSION.gzip: return gzipCompress(payload)
    case COMPRESSION.snappy: return snappyCompress(payload)
    case COMPRESSION.lz4: return lz4Compress(payload)
    case COMPRESSION.zstd: return zstdCompress(payload)
    default: throw new BrokerError('UNSUPPORTED_COMPRESSION_TYPE', `compression codec ${codec} does not exist`, { codec })
  }
}
