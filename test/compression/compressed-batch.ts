/**
 * Test helpers: RecordBatch v2 bytes with compressed records, built from the uncompressed
 * batch the builder writes (header fields kept, records compressed, length and CRC redone).
 */
import { BATCH_HEADER_BYTES, BATCH_LOG_OVERHEAD, CRC_START, OFFSET } from '../../src/protocol/batch-header.js'
import { crc32c } from '../../src/protocol/crc32c.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch.js'

/** The 10 records of every fixture batch: k<i> / v<i> / header h=1, timestamps 1700000000000 + i. */
export function fixtureLikeBatch(count = 10): Buffer {
  const builder = new RecordBatchBuilder()
  for (let i = 0; i < count; i++) builder.append(Buffer.from(`k${i}`), Buffer.from(`v${i}`), [['h', Buffer.from('1')]], 1_700_000_000_000 + i)
  return builder.finish()
}

/** `batch` (uncompressed) with its records replaced by `records` under `codec`; header otherwise kept. */
export function withRecords(batch: Buffer, codec: number, records: Buffer): Buffer {
  const out = Buffer.concat([batch.subarray(0, BATCH_HEADER_BYTES), records])
  out.writeInt32BE(out.length - BATCH_LOG_OVERHEAD, OFFSET.batchLength)
  out.writeInt16BE((out.readInt16BE(OFFSET.attributes) & ~0x07) | codec, OFFSET.attributes)
  return resealed(out)
}

/** Recomputes the CRC-32C after a header edit, as a producer would have written it. */
export function resealed(batch: Buffer): Buffer {
  batch.writeUInt32BE(crc32c(batch.subarray(CRC_START)), OFFSET.crc)
  return batch
}

/** Deterministic bytes (mulberry32), for garbage inputs and incompressible payloads. */
export function seededBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length)
  let state = seed >>> 0
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff
  }
  return out
}

/**
 * A zstd frame without a content size whose RLE blocks inflate to `outputBytes` zeros: 4 bytes
 * of input per 128 KiB of output, the streaming-bound case (nothing announces the size).
 */
export function zstdRleBomb(outputBytes: number): Buffer {
  const BLOCK = 128 * 1024
  // magic, descriptor 0 (no content size, not single segment, no checksum), window log 17 = 128 KiB
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, (17 - 10) << 3])]
  for (let left = outputBytes; left > 0; left -= BLOCK) {
    const size = Math.min(BLOCK, left)
    const header = (size << 3) | (1 << 1) | (left <= BLOCK ? 1 : 0)
    parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff, 0x00]))
  }
  return Buffer.concat(parts)
}

/** Xerial-framed snappy (as the Java client writes it) around the given raw snappy blocks. */
export function xerial(rawBlocks: Buffer[]): Buffer {
  const header = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00, 0, 0, 0, 1, 0, 0, 0, 1])
  const parts: Buffer[] = [header]
  for (const block of rawBlocks) {
    const length = Buffer.alloc(4)
    length.writeInt32BE(block.length)
    parts.push(length, block)
  }
  return Buffer.concat(parts)
}
