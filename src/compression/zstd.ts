/**
 * zstd (Kafka codec 4): one or more zstd frames (skippable frames allowed). Decoding is the
 * reference libzstd compiled to WebAssembly, one frame at a time, with the output capacity as
 * the bound: ZSTD_decompress writes straight into that buffer (no window of its own) and fails
 * with dstSize_tooSmall instead of writing past it. Frames are split here first, because a
 * frame that states its content size is checked against the bound before anything is allocated
 * for it, and because the wrapper sizes its buffer from the first frame's header only.
 *
 *   Frame      magic 28 b5 2f fd | descriptor | [window byte] | [dict id 0/1/2/4] | [content size 0/1/2/4/8]
 *              blocks | [checksum u32]
 *   descriptor bits 7-6 content size flag, 5 single segment, 3 reserved, 2 checksum, 1-0 dict id flag
 *   Block      u24 LE header: bit 0 last, bits 2-1 type (raw, RLE, compressed, reserved), size
 *              (the bytes that follow; an RLE block is followed by its 1 byte)
 *   Skippable  magic 5x 2a 4d 18 | u32 LE size | data
 *
 * The wasm module is instantiated once per thread at import (top-level await, ~15 ms), because
 * the codec API is synchronous. Its memory grows to the largest bound used and stays there; the
 * untouched part of a capacity costs address space, not resident memory.
 */
// The reference libzstd as wasm: no native binary and no install step; the native zstd bindings on npm download their binary at install.
import { compress as wasmCompress, decompress as wasmDecompress, init } from '@bokuweb/zstd-wasm'
import { corruptPayload, outputTooLarge } from './errors.js'
import { frameBytes } from './frame-bytes.js'

const { need, skip, readU32 } = frameBytes('zstd')

await init()

const FRAME_MAGIC = 0xfd2fb528
const SKIPPABLE_MAGIC_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
/** ZSTD_error_dstSize_tooSmall: the output would not fit the capacity given. */
const ZSTD_DST_SIZE_TOO_SMALL = 70
/** ZSTD_WINDOWLOG_MAX for a 32-bit build such as this wasm. */
const MAX_WINDOW_LOG = 30
/**
 * The wasm heap is 32-bit and its wrapper does not check malloc: larger bounds are clamped to
 * this (16x the 16 MiB batch limit), so a capacity can always be allocated.
 */
const MAX_BOUND_BYTES = 256 * 1024 * 1024
/** zstd's default level, as Kafka's `compression.zstd.level` default. */
const LEVEL = 3

export function zstdCompress(payload: Buffer): Buffer {
  const output = wasmCompress(payload, LEVEL)
  return Buffer.from(output.buffer, output.byteOffset, output.byteLength)
}

export function zstdDecompress(payload: Buffer, requestedMaxBytes: number): Buffer {
  if (payload.length === 0) throw corruptPayload('zstd', 'empty payload')
  const maxOutputBytes = Math.min(requestedMaxBytes, MAX_BOUND_BYTES)
  const outputs: Buffer[] = []
  let total = 0
  let position = 0
  while (position < payload.length) {
    const frame = readFrame(payload, position)
    if (frame.contentSize !== null && frame.contentSize > maxOutputBytes - total) throw outputTooLarge('zstd', maxOutputBytes)
    if (!frame.skippable) {
      const output = decodeFrame(payload.subarray(position, frame.end), frame.contentSize, maxOutputBytes - total, maxOutputBytes)
      outputs.push(output)
      total += output.length
    }
    position = frame.end
  }
  return outputs.length === 1 ? outputs[0] : Buffer.concat(outputs, total)
}

function readContentSize(payload: Buffer, at: number, bytes: number): number {
  if (bytes === 1) return payload[at]
  if (bytes === 2) return payload.readUInt16LE(at) + 256
  if (bytes === 4) return payload.readUInt32LE(at)
  const size = payload.readBigUInt64LE(at)
  // Beyond 2^53 no bound can hold it: saturate rather than round.
  return size > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(size)
}

interface Frame {
  skippable: boolean
  /** The frame's declared output size, or null when its header does not say. */
  contentSize: number | null
  end: number
}

/** Finds where the frame at `position` ends and what its header declares, without decoding it. */
function readFrame(payload: Buffer, position: number): Frame {
  const magic = readU32(payload, position)
  if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
    return { skippable: true, contentSize: null, end: skip(payload, position + 8, readU32(payload, position + 4)) }
  }
  if (magic !== FRAME_MAGIC) throw corruptPayload('zstd', `no zstd frame magic at byte ${position}`)
  let at = position + 4
  need(payload, at, 1)
  const descriptor = payload[at++]
  const contentSizeFlag = descriptor >> 6
  const singleSegment = (descriptor & 0x20) !== 0
  if ((descriptor & 0x08) !== 0) throw corruptPayload('zstd', 'reserved frame header bit set')
  if ((descriptor & 0x03) !== 0) throw corruptPayload('zstd', 'frames that need a dictionary are not supported')
  if (!singleSegment) {
    need(payload, at, 1)
    // libzstd's header parser fails on larger windows, and the wrapper would then size its buffer from the error code.
    if ((payload[at] >> 3) + 10 > MAX_WINDOW_LOG) throw corruptPayload('zstd', 'window larger than libzstd accepts')
    at += 1
  }
  const contentSizeBytes = [singleSegment ? 1 : 0, 2, 4, 8][contentSizeFlag]
  need(payload, at, contentSizeBytes)
  const contentSize = contentSizeBytes === 0 ? null : readContentSize(payload, at, contentSizeBytes)
  at += contentSizeBytes
  for (;;) {
    need(payload, at, 3)
    const header = payload.readUIntLE(at, 3)
    at += 3
    const type = (header >> 1) & 0x03
    if (type === 3) throw corruptPayload('zstd', 'reserved block type')
    at = skip(payload, at, type === 1 ? 1 : header >>> 3)
    if ((header & 0x01) !== 0) break
  }
  const checksumBytes = (descriptor & 0x04) !== 0 ? 4 : 0
  return { skippable: false, contentSize, end: skip(payload, at, checksumBytes) }
}

/**
 * One frame. With a declared size the wrapper allocates exactly that (already checked) and
 * libzstd refuses a frame that produces anything else; without one, the capacity is what is
 * left of the bound, so running out of room means the records are too large.
 */
function decodeFrame(frame: Buffer, contentSize: number | null, budget: number, maxOutputBytes: number): Buffer {
  let output: Uint8Array
  try {
    output = wasmDecompress(frame, { defaultHeapSize: budget })
  } catch (error) {
    if (contentSize === null && zstdErrorCode(error) === ZSTD_DST_SIZE_TOO_SMALL) throw outputTooLarge('zstd', maxOutputBytes)
    throw corruptPayload('zstd', zstdErrorName(error))
  }
  if (output.byteLength > budget) throw outputTooLarge('zstd', maxOutputBytes)
  return Buffer.from(output.buffer, output.byteOffset, output.byteLength)
}

/** The wrapper reports failures as "Failed to ... with code -N", N being libzstd's ZSTD_ErrorCode. */
function zstdErrorCode(error: unknown): number | null {
  const match = /code (-?\d+)/.exec(error instanceof Error ? error.message : String(error))
  if (match === null) return null
  const raw = Number(match[1])
  // size_t error codes are -N; read as unsigned 32-bit they are 2^32 - N.
  return raw < 0 ? -raw : raw > 0x7fffffff ? 0x100000000 - raw : raw
}

function zstdErrorName(error: unknown): string {
  const code = zstdErrorCode(error)
  return code === null ? String(error instanceof Error ? error.message : error) : `libzstd error ${code}`
}
