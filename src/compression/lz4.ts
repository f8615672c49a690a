/**
 * lz4 (Kafka codec 3): the LZ4 frame format (Kafka's v2 batches use it with a correct header
 * checksum). The frame is walked here, block by block, so the output is bounded as it grows:
 * the library's whole-frame decoder would inflate everything before we could look.
 *
 *   Frame      magic 04 22 4d 18 | FLG | BD | [content size u64 LE] | [dict id u32] | HC
 *              blocks... | end mark (u32 0) | [content checksum u32]
 *   FLG        bits 7-6 version (01), 5 block independence, 4 block checksum,
 *              3 content size present, 2 content checksum, 1 reserved, 0 dict id present
 *   BD         bits 6-4 block max size: 4 = 64 KiB, 5 = 256 KiB, 6 = 1 MiB, 7 = 4 MiB
 *   Block      u32 LE size (high bit set = stored uncompressed) | data | [block checksum u32]
 *   Skippable  magic 5x 2a 4d 18 | u32 LE size | data
 *
 * The xxHash checksums are skipped, not verified: the batch's CRC-32C already covers these bytes.
 * A frame that states its content size is refused before anything is allocated for it.
 *
 * Blocks are decoded here too (lz4-block.ts): lz4_flex's block decoder allocates and zeroes
 * its whole capacity per call, so a frame of many tiny blocks declaring 4 MiB each would cost
 * 4 MiB of work per few input bytes. The decoder here writes into one output that grows only as
 * far as the bound allows, and costs O(input + output).
 */
// napi-rs binding of lz4_flex, used to compress only: prebuilt for linux-x64 through optional packages, no compiler at install.
import { compressFrameSync } from 'lz4-napi'
import { decodeLz4Block } from './lz4-block.js'
import { BoundedOutput } from './bounded-output.js'
import { corruptPayload, outputTooLarge } from './errors.js'
import { frameBytes } from './frame-bytes.js'

const { need, skip, readU32 } = frameBytes('lz4')

const FRAME_MAGIC = 0x184d2204
const SKIPPABLE_MAGIC_MASK = 0xfffffff0
const SKIPPABLE_MAGIC = 0x184d2a50
const UNCOMPRESSED_BIT = 0x80000000
const BLOCK_MAX_BYTES: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 }

export function lz4Compress(payload: Buffer): Buffer {
  return compressFrameSync(payload)
}

export function lz4Decompress(payload: Buffer, maxOutputBytes: number): Buffer {
  if (payload.length === 0) throw corruptPayload('lz4', 'empty payload')
  const out = new BoundedOutput('lz4', maxOutputBytes, payload.length)
  let position = 0
  while (position < payload.length) {
    const magic = readU32(payload, position)
    if ((magic & SKIPPABLE_MAGIC_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      position = skip(payload, position + 8, readU32(payload, position + 4))
    } else if (magic === FRAME_MAGIC) {
      position = decodeFrame(payload, position + 4, out)
    } else {
      throw corruptPayload('lz4', `no LZ4 frame magic at byte ${position}`)
    }
  }
  return out.result()
}

/** Decodes one frame whose descriptor starts at `position`; returns the position after it. */
function decodeFrame(payload: Buffer, position: number, out: BoundedOutput): number {
  need(payload, position, 2)
  const flg = payload[position]
  const bd = payload[position + 1]
  position += 2
  if (flg >> 6 !== 0b01) throw corruptPayload('lz4', `unsupported frame version ${flg >> 6}`)
  if ((flg & 0x02) !== 0 || (bd & 0x8f) !== 0) throw corruptPayload('lz4', 'reserved frame descriptor bits set')
  const blockMaxBytes = BLOCK_MAX_BYTES[(bd >> 4) & 0x07]
  if (blockMaxBytes === undefined) throw corruptPayload('lz4', `unknown block max size id ${(bd >> 4) & 0x07}`)
  const linked = (flg & 0x20) === 0
  const blockChecksumBytes = (flg & 0x10) !== 0 ? 4 : 0
  const contentChecksumBytes = (flg & 0x04) !== 0 ? 4 : 0
  let contentSize = -1
  if ((flg & 0x08) !== 0) {
    need(payload, position, 8)
    const size = payload.readBigUInt64LE(position)
    // Refused before any block is decoded: the frame says how much it will produce.
    if (size > BigInt(out.maxBytes - out.length)) throw outputTooLarge('lz4', out.maxBytes)
    contentSize = Number(size)
    out.reserve(contentSize)
    position += 8
  }
  if ((flg & 0x01) !== 0) throw corruptPayload('lz4', 'frames that need a dictionary are not supported')
  position = skip(payload, position, 1) // header checksum
  const frameStart = out.length
  for (;;) {
    const word = readU32(payload, position)
    position += 4
    if (word === 0) break
    const size = (word & ~UNCOMPRESSED_BIT) >>> 0
    if (size > blockMaxBytes) throw corruptPayload('lz4', `block of ${size} bytes exceeds the frame's ${blockMaxBytes}`)
    need(payload, position, size)
    const blockStart = out.length
    if ((word & UNCOMPRESSED_BIT) !== 0) out.append(payload, position, position + size)
    // Linked blocks may copy from earlier blocks of the same frame, independent ones only from themselves.
    else decodeLz4Block(payload, position, position + size, out, linked ? frameStart : blockStart)
    if (out.length - blockStart > blockMaxBytes) throw corruptPayload('lz4', `block decodes to more than the frame's ${blockMaxBytes} bytes`)
    position = skip(payload, position + size, blockChecksumBytes)
  }
  if (contentSize >= 0 && out.length - frameStart !== contentSize) {
    throw corruptPayload('lz4', `frame announced ${contentSize} bytes but held ${out.length - frameStart}`)
  }
  return skip(payload, position, contentChecksumBytes)
}
