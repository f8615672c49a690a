/**
 * Builds a response body: a growable buffer of Kafka protocol primitives. Responses are sized
 * by the broker's own data (bounded by the request's limits), never by what a client claims.
 */
/** Byte blocks at least this large are sent as they are (no copy): stored record batches in Fetch. */
const ZERO_COPY_BYTES = 16 * 1024

export class Writer {
  private buffer: Buffer
  private length = 0
  /** Finished parts before `buffer`: sealed copies and zero-copy blocks, in order. */
  private readonly sealed: Buffer[] = []
  private sealedBytes = 0

  constructor(initialBytes = 256) {
    this.buffer = Buffer.allocUnsafe(initialBytes)
  }

  /** Makes room and returns where to write. Call it before reading `this.buffer`: it may replace it. */
  private reserve(bytes: number): number {
    const at = this.length
    if (at + bytes > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, at + bytes))
      this.buffer.copy(grown, 0, 0, at)
      this.buffer = grown
    }
    this.length += bytes
    return at
  }

  int8(value: number): this {
    const at = this.reserve(1)
    this.buffer.writeInt8(value, at)
    return this
  }

  int16(value: number): this {
    const at = this.reserve(2)
    this.buffer.writeInt16BE(value, at)
    return this
  }

  int32(value: number): this {
    const at = this.reserve(4)
    this.buffer.writeInt32BE(value, at)
    return this
  }

  int64(value: number | bigint): this {
    const at = this.reserve(8)
    this.buffer.writeBigInt64BE(BigInt(value), at)
    return this
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0)
  }

  string(value: string): this {
    const bytes = Buffer.byteLength(value)
    this.int16(bytes)
    const at = this.reserve(bytes)
    this.buffer.write(value, at, bytes, 'utf8')
    return this
  }

  nullableString(value: string | null | undefined): this {
    if (value === null || value === undefined) return this.int16(-1)
    return this.string(value)
  }

  bytes(value: Buffer): this {
    this.int32(value.length)
    return this.raw(value)
  }

  /** Appends bytes without a length; large blocks are referenced, not copied (don't mutate them after). */
  raw(value: Buffer): this {
    if (value.length < ZERO_COPY_BYTES) {
      const at = this.reserve(value.length)
      value.copy(this.buffer, at)
      return this
    }
    this.seal()
    this.sealed.push(value)
    this.sealedBytes += value.length
    return this
  }

  private seal(): void {
    if (this.length === 0) return
    this.sealed.push(this.buffer.subarray(0, this.length))
    this.sealedBytes += this.length
    this.buffer = Buffer.allocUnsafe(256)
    this.length = 0
  }

  get byteLength(): number {
    return this.sealedBytes + this.length
  }

  nullableBytes(value: Buffer | null | undefined): this {
    if (value === null || value === undefined) return this.int32(-1)
    return this.bytes(value)
  }

  array<T>(items: readonly T[], writeElement: (writer: this, item: T) => void): this {
    this.int32(items.length)
    for (const item of items) writeElement(this, item)
    return this
  }

  nullableArray<T>(items: readonly T[] | null, writeElement: (writer: this, item: T) => void): this {
    if (items === null) return this.int32(-1)
    return this.array(items, writeElement)
  }

  unsignedVarint(value: number): this {
    while (value >= 0x80) {
      const at = this.reserve(1)
      this.buffer.writeUInt8((value & 0x7f) | 0x80, at)
      value = Math.floor(value / 128)
    }
    const at = this.reserve(1)
    this.buffer.writeUInt8(value, at)
    return this
  }

  /** The bytes written so far, in order, as blocks to write with one writev. */
  toChunks(): Buffer[] {
    return this.length === 0 ? [...this.sealed] : [...this.sealed, this.buffer.subarray(0, this.length)]
  }

  /** The bytes written so far as one buffer (copies only when there are several blocks). */
  toBuffer(): Buffer {
    const chunks = this.toChunks()
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
  }
}
