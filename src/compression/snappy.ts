/**
 * snappy (Kafka codec 2), in the two shapes clients send:
 *
 *   raw      one snappy block, as librdkafka writes it: varint uncompressed length, then elements
 *   xerial   as the Java client (snappy-java) writes it:
 *              magic "\x82SNAPPY\x00" (8 bytes), version int32 BE, compatible version int32 BE,
 *              then repeated [int32 BE compressed length, one raw snappy block]
 *
 * Every raw block announces its size in its preamble, so the bound is checked before the
 * library allocates anything; the library then refuses output that disagrees with the preamble.
 * compress() writes one raw block, like librdkafka: every Kafka client and broker reads it.
 */
// napi-rs binding of the Rust snap crate: prebuilt for linux-x64 through optional packages, no compiler at install.
import { compressSync, uncompressSync } from 'snappy'
import { asCorrupt, corruptPayload, outputTooLarge } from './errors.js'

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00])
/** Magic plus the two version ints. */
const XERIAL_HEADER_BYTES = 16
/** The preamble is an unsigned LEB128 of at most 32 bits: 5 bytes. */
const MAX_PREAMBLE_BYTES = 5

export function snappyCompress(payload: Buffer): Buffer {
  return compressSync(payload)
}

export function snappyDecompress(payload: Buffer, maxOutputBytes: number): Buffer {
  if (!isXerial(payload)) return decompressBlock(payload, maxOutputBytes, maxOutputBytes)
  const blocks: Buffer[] = []
  let total = 0
  let position = XERIAL_HEADER_BYTES
  while (position < payload.length) {
    if (payload.length - position < 4) throw corruptPayload('snappy', `xerial chunk length truncated at byte ${position}`)
    const length = payload.readInt32BE(position)
    position += 4
    if (length < 0 || length > payload.length - position) throw corruptPayload('snappy', `xerial chunk at byte ${position - 4} claims ${length} bytes`)
    const block = decompressBlock(payload.subarray(position, position + length), maxOutputBytes - total, maxOutputBytes)
    blocks.push(block)
    total += block.length
    position += length
  }
  return Buffer.concat(blocks, total)
}

function isXerial(payload: Buffer): boolean {
  return payload.length >= XERIAL_HEADER_BYTES && payload.subarray(0, XERIAL_MAGIC.length).equals(XERIAL_MAGIC)
}

/** One raw block, refused before decompression when its preamble exceeds what is left (`budget`) of the bound. */
function decompressBlock(block: Buffer, budget: number, maxOutputBytes: number): Buffer {
  const announced = readPreamble(block)
  if (announced > budget) throw outputTooLarge('snappy', maxOutputBytes)
  let output: Buffer
  try {
    output = uncompressSync(block, { asBuffer: true }) as Buffer
  } catch (error) {
    throw asCorrupt('snappy', error)
  }
  // snap already refuses a length mismatch; this keeps the bound independent of the library.
  if (output.length !== announced) throw corruptPayload('snappy', `block announced ${announced} bytes but held ${output.length}`)
  return output
}

function readPreamble(block: Buffer): number {
  let value = 0
  for (let i = 0; i < MAX_PREAMBLE_BYTES && i < block.length; i++) {
    const byte = block[i]
    value += (byte & 0x7f) * 2 ** (7 * i)
    if (byte < 0x80) {
      if (value > 0xffffffff) break
      return value
    }
  }
  throw corruptPayload('snappy', 'bad length preamble')
}
