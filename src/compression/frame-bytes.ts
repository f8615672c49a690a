/**
 * Bounds-checked reads of a codec's frame headers (lz4 and zstd frames share the little-endian
 * layout): running past the payload is CORRUPT_MESSAGE naming the codec, never a RangeError.
 */
import { corruptPayload } from './errors.js'

export interface FrameBytes {
  need(payload: Buffer, position: number, bytes: number): void
  /** The position after `bytes` more bytes, which must be there. */
  skip(payload: Buffer, position: number, bytes: number): number
  readU32(payload: Buffer, position: number): number
}

export function frameBytes(codec: string): FrameBytes {
  const need = (payload: Buffer, position: number, bytes: number): void => {
    if (bytes > payload.length - position) throw corruptPayload(codec, `frame truncated at byte ${position}`)
  }
  return {
    need,
    skip(payload, position, bytes) {
      need(payload, position, bytes)
      return position + bytes
    },
    readU32(payload, position) {
      need(payload, position, 4)
      return payload.readUInt32LE(position)
    },
  }
}
