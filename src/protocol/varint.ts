/**
 * Variable-length integers of the Kafka protocol, read from and written into Buffers at explicit
 * positions. RecordBatch v2 records use the zig-zag forms (VARINT, VARLONG); flexible protocol
 * versions use the unsigned form (UNSIGNED_VARINT) for compact lengths and tag counts.
 *
 *   unsigned LEB128 (protobuf)   7 value bits per byte, least significant group first;
 *                                high bit 0x80 = another byte follows.
 *     UNSIGNED_VARINT            uint32, at most 5 bytes (the 5th holds bits 28..31 only)
 *     VARINT   = zig-zag int32   zz = (n << 1) ^ (n >> 31), then as UNSIGNED_VARINT
 *     VARLONG  = zig-zag int64   zz = (n << 1) ^ (n >> 63), at most 10 bytes (10th holds bit 63)
 *
 * Readers take a `ReadCursor` (one mutable `position` field, a monomorphic object V8 keeps in
 * registers once the call is inlined) and an exclusive `end`; they never read at or past `end`
 * and throw CORRUPT_MESSAGE on a truncated or over-long encoding, so hostile bytes can neither
 * read out of bounds nor loop. Writers take a position and return the position after the value;
 * they do not check capacity: callers size the buffer first with the `*Size` functions.
 *
 * VARLONG values are JS numbers: Kafka uses them for timestamp deltas, which fit in 2^53. A
 * value outside the safe-integer range is refused (CORRUPT_MESSAGE when read, RangeError when
 * written) rather than silently rounded.
 */
import { BrokerError } from '../errors.js'

export interface ReadCursor {
  position: number
}

const TWO_POW_27 = 0x8000000

function truncated(kind: string, start: number): BrokerError {
  return new BrokerError('CORRUPT_MESSAGE', `${kind} truncated at byte ${start}`, { position: start })
}

function overlong(kind: string, start: number): BrokerError {
  return new BrokerError('CORRUPT_MESSAGE', `${kind} at byte ${start} is longer than allowed`, { position: start })
}

/** Reads an UNSIGNED_VARINT (0 .. 2^32-1). */
export function readUnsignedVarint(bytes: Buffer, cursor: ReadCursor, end: number = bytes.length): number {
  const start = cursor.position
  // One-byte values (lengths < 128, counts, deltas) dominate; keep that path tiny.
  if (start < end) {
    const b0 = bytes[start]
    if (b0 < 0x80) {
      cursor.position = start + 1
      return b0
    }
  }
  return readUnsignedVarintSlow(bytes, cursor, end, 'varint')
}

function readUnsignedVarintSlow(bytes: Buffer, cursor: ReadCursor, end: number, kind: string): number {
  const start = cursor.position
  let position = start
  let result = 0
  for (let shift = 0; shift < 28; shift += 7) {
    if (position >= end) throw truncated(kind, start)
    const b = bytes[position++]
    result |= (b & 0x7f) << shift
    if (b < 0x80) {
      cursor.position = position
      return result >>> 0
    }
  }
  if (position >= end) throw truncated(kind, start)
  const last = bytes[position++]
  // The 5th byte carries bits 28..31: anything above 0x0f is a 6th byte or lost bits.
  if (last > 0x0f) throw overlong(kind, start)
  cursor.position = position
  return (result | (last << 28)) >>> 0
}

/** Reads a zig-zag VARINT (int32). */
export function readVarint(bytes: Buffer, cursor: ReadCursor, end: number = bytes.length): number {
  const start = cursor.position
  let raw: number
  if (start < end && bytes[start] < 0x80) {
    raw = bytes[start]
    cursor.position = start + 1
  } else {
    raw = readUnsignedVarintSlow(bytes, cursor, end, 'varint')
  }
  return (raw >>> 1) ^ -(raw & 1)
}

/** Reads a zig-zag VARLONG whose value is a safe integer. */
export function readVarlong(bytes: Buffer, cursor: ReadCursor, end: number = bytes.length): number {
  const start = cursor.position
  if (start < end) {
    const b0 = bytes[start]
    if (b0 < 0x80) {
      cursor.position = start + 1
      return (b0 >>> 1) ^ -(b0 & 1)
    }
  }
  return readVarlongSlow(bytes, cursor, end)
}

function readVarlongSlow(bytes: Buffer, cursor: ReadCursor, end: number): number {
  const start = cursor.position
  let position = start
  // The raw 64-bit value is split as high * 2^28 + low so that both halves stay exact.
  let low = 0
  for (let shift = 0; shift < 28; shift += 7) {
    if (position >= end) throw truncated('varlong', start)
    const b = bytes[position++]
    low |= (b & 0x7f) << shift
    if (b < 0x80) {
      cursor.position = position
      return (low >>> 1) ^ -(low & 1)
    }
  }
  let high = 0
  let scale = 1
  for (let i = 4; ; i++) {
    if (position >= end) throw truncated('varlong', start)
    const b = bytes[position++]
    // The 10th byte carries bit 63 only.
    if (i === 9 && b > 0x01) throw overlong('varlong', start)
    high += (b & 0x7f) * scale
    if (b < 0x80) break
    scale *= 0x80
  }
  // zig-zag decode: value = raw / 2 for even raw, -(raw + 1) / 2 for odd raw.
  const half = high * TWO_POW_27 + (low >>> 1)
  const negative = (low & 1) === 1
  if (half > Number.MAX_SAFE_INTEGER || (negative && half + 1 > Number.MAX_SAFE_INTEGER)) {
    throw new BrokerError('CORRUPT_MESSAGE', `varlong at byte ${start} is outside the safe integer range`, { position: start })
  }
  // Moved only on success: a failed read leaves the cursor where it was.
  cursor.position = position
  return negative ? -(half + 1) : half
}

/** Bytes an UNSIGNED_VARINT of `value` (0 .. 2^32-1) occupies. */
export function unsignedVarintSize(value: number): number {
  const v = value >>> 0
  if (v < 0x80) return 1
  if (v < 0x4000) return 2
  if (v < 0x200000) return 3
  if (v < 0x10000000) return 4
  return 5
}

/** Bytes a VARINT of the int32 `value` occupies. */
export function varintSize(value: number): number {
  return unsignedVarintSize((value << 1) ^ (value >> 31))
}

/** Bytes a VARLONG of the safe integer `value` occupies. */
export function varlongSize(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return varintSize(value)
  // raw = 2 * magnitude (+1 when negative) >= 2^31: four 7-bit groups, then those of raw / 2^28.
  const magnitude = value < 0 ? -value - 1 : value
  let high = Math.floor(magnitude / TWO_POW_27)
  let groups = 4
  do {
    groups++
    high >>>= 7
  } while (high > 0)
  return groups
}

/** Writes an UNSIGNED_VARINT (0 .. 2^32-1); returns the position after it. */
export function writeUnsignedVarint(bytes: Buffer, position: number, value: number): number {
  let v = value >>> 0
  while (v >= 0x80) {
    bytes[position++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  bytes[position++] = v
  return position
}

/** Writes a VARINT of the int32 `value`; returns the position after it. */
export function writeVarint(bytes: Buffer, position: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0
  while (v >= 0x80) {
    bytes[position++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  bytes[position++] = v
  return position
}

/** Writes a VARLONG of the safe integer `value`; returns the position after it. */
export function writeVarlong(bytes: Buffer, position: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(bytes, position, value)
  if (!Number.isSafeInteger(value)) throw new RangeError(`varlong value ${value} is not a safe integer`)
  // raw = 2 * magnitude + sign, split as high * 2^28 + low; magnitude < 2^53 keeps both exact.
  const negative = value < 0
  const magnitude = negative ? -value - 1 : value
  const low = ((magnitude % TWO_POW_27) * 2) | (negative ? 1 : 0)
  let high = Math.floor(magnitude / TWO_POW_27)
  // |value| >= 2^30 means raw >= 2^31, so all four low groups are followed by more bytes.
  bytes[position++] = (low & 0x7f) | 0x80
  bytes[position++] = ((low >>> 7) & 0x7f) | 0x80
  bytes[position++] = ((low >>> 14) & 0x7f) | 0x80
  bytes[position++] = ((low >>> 21) & 0x7f) | 0x80
  // high < 2^26 (magnitude < 2^53), so 32-bit shifts are exact.
  while (high >= 0x80) {
    bytes[position++] = (high & 0x7f) | 0x80
    high >>>= 7
  }
  bytes[position++] = high
  return position
}
