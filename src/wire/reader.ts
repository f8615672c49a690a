/**
 * Reads Kafka protocol primitives from one request body. Every read is checked against the bytes
 * left, and every length or count is checked against them *before* anything is allocated, so a
 * hostile length (KAFKA-14063: an array count of 2^31-1 in a 10-byte body) costs nothing.
 */
import { ProtocolError } from './protocol-error.js'

/** The fewest bytes one element of an array can take; a count above remaining/min is a lie. */
export type ElementReader<T> = (reader: Reader) => T

export class Reader {
  position: number

  constructor(
    readonly buffer: Buffer,
    start = 0,
    readonly end = buffer.length,
  ) {
    this.position = start
  }

  get remaining(): number {
    return this.end - this.position
  }

  private need(bytes: number, what: string): number {
    if (bytes > this.remaining) throw new ProtocolError(`${what} needs ${bytes} bytes at ${this.position}, ${this.remaining} left`)
    const at = this.position
    this.position += bytes
    return at
  }

  int8(): number {
    return this.buffer.readInt8(this.need(1, 'int8'))
  }

  int16(): number {
    return this.buffer.readInt16BE(this.need(2, 'int16'))
  }

  int32(): number {
    return this.buffer.readInt32BE(this.need(4, 'int32'))
  }

  /** int64 as a number; offsets and timestamps stay far below 2^53. */
  int64(): number {
    return Number(this.buffer.readBigInt64BE(this.need(8, 'int64')))
  }

  boolean(): boolean {
    return this.int8() !== 0
  }

  string(): string {
    const value = this.nullableString()
    if (value === null) throw new ProtocolError(`null where a string is required, at ${this.position - 2}`)
    return value
  }

  nullableString(): string | null {
    const length = this.int16()
    if (length === -1) return null
    if (length < 0) throw new ProtocolError(`string length ${length} at ${this.position - 2}`)
    const at = this.need(length, 'string')
    return this.buffer.toString('utf8', at, at + length)
  }

  /** A view into the request (no copy): valid while the request's buffer is. */
  nullableBytes(): Buffer | null {
    const length = this.int32()
    if (length === -1) return null
    if (length < 0) throw new ProtocolError(`bytes length ${length} at ${this.position - 4}`)
    const at = this.need(length, 'bytes')
    return this.buffer.subarray(at, at + length)
  }

  bytes(): Buffer {
    const value = this.nullableBytes()
    if (value === null) throw new ProtocolError(`null where bytes are required, at ${this.position - 4}`)
    return value
  }

  /** An array whose elements take at least `minElementBytes` each; null (-1) is returned as null. */
  nullableArray<T>(readElement: ElementReader<T>, minElementBytes: number): T[] | null {
    const count = this.int32()
    if (count === -1) return null
    if (count < 0) throw new ProtocolError(`array count ${count} at ${this.position - 4}`)
    if (count * Math.max(minElementBytes, 1) > this.remaining) {
      throw new ProtocolError(`array count ${count} at ${this.position - 4} cannot fit in the ${this.remaining} bytes left`)
    }
    const items: T[] = []
    for (let i = 0; i < count; i++) items.push(readElement(this))
    return items
  }

  array<T>(readElement: ElementReader<T>, minElementBytes: number): T[] {
    const items = this.nullableArray(readElement, minElementBytes)
    if (items === null) throw new ProtocolError(`null where an array is required, at ${this.position - 4}`)
    return items
  }

  /** A flexible version's compact string (unsigned varint length + 1; 0 = null). */
  compactNullableString(): string | null {
    const length = this.unsignedVarint() - 1
    if (length < 0) return null
    const at = this.need(length, 'compact string')
    return this.buffer.toString('utf8', at, at + length)
  }

  /** Flexible versions' tagged fields: skipped (none is understood), bounded like everything else. */
  skipTaggedFields(): void {
    const count = this.unsignedVarint()
    for (let i = 0; i < count; i++) {
      this.unsignedVarint()
      const size = this.unsignedVarint()
      this.need(size, 'tagged field')
    }
  }

  unsignedVarint(): number {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer.readUInt8(this.need(1, 'varint'))
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
    }
    throw new ProtocolError(`varint longer than 5 bytes at ${this.position}`)
  }

  /** Requests must be consumed exactly: bytes left over mean we read a different layout than was sent. */
  expectEnd(what: string): void {
    if (this.remaining !== 0) throw new ProtocolError(`${this.remaining} unexpected bytes after ${what}`)
  }
}
