import test from 'ava'
import fc from 'fast-check'
import { isBrokerError } from '../../src/errors.js'
import {
  readUnsignedVarint,
  readVarint,
  readVarlong,
  unsignedVarintSize,
  varintSize,
  varlongSize,
  writeUnsignedVarint,
  writeVarint,
  writeVarlong,
} from '../../src/protocol/varint.js'

const seed = Number(process.env.FC_SEED ?? Date.now() % 0x7fffffff)
const numRuns = 300

/** Independent reference: zig-zag + LEB128 in BigInt arithmetic. */
function referenceEncode(value: bigint, bits: 32n | 64n): Buffer {
  const mask = (1n << bits) - 1n
  let raw = ((value << 1n) ^ (value >> (bits - 1n))) & mask
  const out: number[] = []
  while (raw >= 0x80n) {
    out.push(Number(raw & 0x7fn) | 0x80)
    raw >>= 7n
  }
  out.push(Number(raw))
  return Buffer.from(out)
}

function corruptCode(t: import('ava').ExecutionContext, run: () => unknown): void {
  const error = t.throws(run)
  t.true(isBrokerError(error), String(error))
  t.is((error as { code?: string }).code, 'CORRUPT_MESSAGE')
}

test('known varint encodings (Kafka ByteUtils examples)', (t) => {
  const cases: Array<[number, number[]]> = [
    [0, [0x00]], [-1, [0x01]], [1, [0x02]], [63, [0x7e]], [-64, [0x7f]], [64, [0x80, 0x01]],
    [300, [0xd8, 0x04]], [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]], [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ]
  for (const [value, bytes] of cases) {
    const buffer = Buffer.alloc(5)
    const end = writeVarint(buffer, 0, value)
    t.deepEqual([...buffer.subarray(0, end)], bytes, `write ${value}`)
    t.is(varintSize(value), bytes.length)
    const cursor = { position: 0 }
    t.is(readVarint(Buffer.from(bytes), cursor), value)
    t.is(cursor.position, bytes.length)
  }
})

test('known varlong encodings at the safe-integer edges', (t) => {
  for (const value of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 31, -(2 ** 31) - 1, 2 ** 30, -(2 ** 30) - 1, 1_700_000_000_000]) {
    const expected = referenceEncode(BigInt(value), 64n)
    const buffer = Buffer.alloc(10)
    const end = writeVarlong(buffer, 0, value)
    t.deepEqual(buffer.subarray(0, end), expected, `write ${value}`)
    t.is(varlongSize(value), expected.length)
    const cursor = { position: 0 }
    t.is(readVarlong(expected, cursor), value)
    t.is(cursor.position, expected.length)
  }
})

test('property: varint round-trips every int32 and matches the reference bytes', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.nat(3), (value, at) => {
    const buffer = Buffer.alloc(at + 5)
    const end = writeVarint(buffer, at, value)
    const expected = referenceEncode(BigInt(value), 32n)
    const cursor = { position: at }
    return buffer.subarray(at, end).equals(expected) && end - at === varintSize(value) &&
      readVarint(buffer, cursor, end) === value && cursor.position === end
  }), { seed, numRuns })
  t.pass()
})

test('property: varlong round-trips every safe integer and matches the reference bytes', (t) => {
  t.log(`fast-check seed ${seed}`)
  const values = fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: -(2 ** 36), max: 2 ** 36 }))
  fc.assert(fc.property(values, (value) => {
    const buffer = Buffer.alloc(10)
    const end = writeVarlong(buffer, 0, value)
    const cursor = { position: 0 }
    return buffer.subarray(0, end).equals(referenceEncode(BigInt(value), 64n)) && end === varlongSize(value) &&
      readVarlong(buffer, cursor, end) === value && cursor.position === end
  }), { seed, numRuns })
  t.pass()
})

test('property: any int64 varlong reads back exactly or is refused as outside the safe range', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (value) => {
    const bytes = referenceEncode(value, 64n)
    const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    try {
      const read = readVarlong(bytes, { position: 0 })
      return safe && read === Number(value)
    } catch (error) {
      return !safe && isBrokerError(error) && error.code === 'CORRUPT_MESSAGE'
    }
  }), { seed, numRuns })
  t.pass()
})

test('property: unsigned varint round-trips 0 .. 2^32-1', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
    const buffer = Buffer.alloc(5)
    const end = writeUnsignedVarint(buffer, 0, value)
    const cursor = { position: 0 }
    return end === unsignedVarintSize(value) && readUnsignedVarint(buffer, cursor) === value && cursor.position === end
  }), { seed, numRuns })
  t.pass()
})

test('unsigned varints are not zig-zagged', (t) => {
  const buffer = Buffer.alloc(5)
  t.is(writeUnsignedVarint(buffer, 0, 1), 1)
  t.is(buffer[0], 1)
  t.is(writeUnsignedVarint(buffer, 0, 0xffffffff), 5)
  t.deepEqual([...buffer], [0xff, 0xff, 0xff, 0xff, 0x0f])
})

test('truncated encodings throw CORRUPT_MESSAGE', (t) => {
  corruptCode(t, () => readVarint(Buffer.alloc(0), { position: 0 }))
  corruptCode(t, () => readVarint(Buffer.from([0x80]), { position: 0 }))
  corruptCode(t, () => readVarint(Buffer.from([0xff, 0xff, 0xff, 0xff]), { position: 0 }))
  corruptCode(t, () => readVarlong(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), { position: 0 }))
  corruptCode(t, () => readUnsignedVarint(Buffer.from([0x81]), { position: 0 }))
  // The end bound is honoured even when the buffer holds more bytes.
  corruptCode(t, () => readVarint(Buffer.from([0x80, 0x01]), { position: 0 }, 1))
})

test('over-long encodings throw CORRUPT_MESSAGE', (t) => {
  corruptCode(t, () => readVarint(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), { position: 0 }))
  corruptCode(t, () => readVarint(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x10]), { position: 0 }))
  corruptCode(t, () => readUnsignedVarint(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), { position: 0 }))
  corruptCode(t, () => readVarlong(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]), { position: 0 }))
  corruptCode(t, () => readVarlong(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02]), { position: 0 }))
})

test('writeVarlong refuses values that are not safe integers', (t) => {
  t.throws(() => writeVarlong(Buffer.alloc(10), 0, 2 ** 60), { instanceOf: RangeError })
  t.throws(() => writeVarlong(Buffer.alloc(10), 0, 1.5e10 + 0.5), { instanceOf: RangeError })
})

test('property: arbitrary bytes read as a value or a BrokerError, never out of bounds', (t) => {
  t.log(`fast-check seed ${seed}`)
  fc.assert(fc.property(fc.uint8Array({ maxLength: 12 }), fc.nat(12), (raw, endRaw) => {
    const bytes = Buffer.from(raw)
    const end = Math.min(endRaw, bytes.length)
    for (const read of [readVarint, readVarlong, readUnsignedVarint]) {
      const cursor = { position: 0 }
      try {
        const value = read(bytes, cursor, end)
        if (!Number.isSafeInteger(value) || cursor.position > end || cursor.position < 1) return false
      } catch (error) {
        if (!isBrokerError(error) || cursor.position !== 0) return false
      }
    }
    return true
  }), { seed, numRuns })
  t.pass()
})
