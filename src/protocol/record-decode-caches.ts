/**
 * String caches of the record decoder. Turning bytes into JS strings is the dearest part of
 * decoding a record (dearer than the Buffer views for key and value), and consecutive records
 * repeat most of those strings: the same header keys, offsets and timestamps that differ only in
 * their last digits. Both caches return exactly what String(n) / buffer.toString('utf8') would.
 */

/** '000' .. '999', built on first use. */
let paddedTriples: string[] | null = null

/**
 * Decimal strings of offsets or timestamps. Number-to-string is the costliest step of decoding
 * (a 13-digit timestamp is not a small integer to V8), but neighbouring records share all digits
 * except the last three: those come from a table, the rest is converted once per thousand.
 */
export class DecimalFormatter {
  private high = -1
  private highDigits = ''

  format(n: number): string {
    if (!(n >= 1000 && n <= Number.MAX_SAFE_INTEGER)) return String(n)
    const high = Math.floor(n / 1000)
    if (high !== this.high) {
      this.high = high
      this.highDigits = String(high)
    }
    const triples = paddedTriples ?? (paddedTriples = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0')))
    return this.highDigits + triples[n - high * 1000]
  }
}

/** Longest header key compared byte by byte against the cached one; longer keys are decoded each time. */
const MAX_CACHED_KEY_BYTES = 64
const CACHED_KEY_SLOTS = 8

/**
 * Header keys repeat from record to record (same keys, same order), and UTF-8 decoding is far
 * dearer than comparing a few bytes: slot i remembers the i-th key of the previous record.
 */
export class HeaderKeyCache {
  private readonly starts: number[] = []
  private readonly lengths: number[] = []
  private readonly strings: string[] = []

  decode(bytes: Buffer, start: number, length: number, slot: number): string {
    if (length > MAX_CACHED_KEY_BYTES || slot >= CACHED_KEY_SLOTS) return bytes.toString('utf8', start, start + length)
    if (slot < this.strings.length && this.lengths[slot] === length) {
      const cachedStart = this.starts[slot]
      let same = true
      for (let i = 0; i < length; i++) {
        if (bytes[start + i] !== bytes[cachedStart + i]) {
          same = false
          break
        }
      }
      if (same) return this.strings[slot]
    }
    const key = bytes.toString('utf8', start, start + length)
    if (slot <= this.strings.length) {
      this.starts[slot] = start
      this.lengths[slot] = length
      this.strings[slot] = key
    }
    return key
  }

  /** Forgets the keys: their positions refer to the previous batch's bytes. */
  reset(): void {
    this.strings.length = 0
  }
}
