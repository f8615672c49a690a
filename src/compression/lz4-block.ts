/**
 * Decodes one LZ4 block (the raw block format inside LZ4 frames) into a BoundedOutput.
 *
 *   sequence   token (high nibble literal length, low nibble match length - 4)
 *              [literal length extension: bytes added while each is 255]
 *              literals
 *              match offset u16 LE (1 .. bytes written since windowStart)
 *              [match length extension: bytes added while each is 255]
 *   The last sequence has literals only: the block ends right after them.
 *
 * Every length is checked against the input left and the output bound before it is used, and
 * every offset against the output written, so hostile bytes end in CORRUPT_MESSAGE or
 * RECORD_LIST_TOO_LARGE, never an out-of-range read or a loop without progress.
 */
import type { BoundedOutput } from './bounded-output.js'
import { corruptPayload } from './errors.js'

const MIN_MATCH = 4

export function decodeLz4Block(src: Buffer, start: number, end: number, out: BoundedOutput, windowStart: number): void {
  let ip = start
  for (;;) {
    if (ip >= end) throw corruptPayload('lz4', 'block ends inside a sequence')
    const token = src[ip++]
    let literals = token >>> 4
    if (literals === 15) {
      let b: number
      do {
        if (ip >= end) throw corruptPayload('lz4', 'literal length runs past the block')
        b = src[ip++]
        literals += b
      } while (b === 255)
    }
    if (literals > end - ip) throw corruptPayload('lz4', 'literals run past the block')
    out.append(src, ip, ip + literals)
    ip += literals
    if (ip === end) return
    if (end - ip < 2) throw corruptPayload('lz4', 'match offset truncated')
    const offset = src[ip] | (src[ip + 1] << 8)
    ip += 2
    if (offset === 0 || offset > out.length - windowStart) throw corruptPayload('lz4', `match offset ${offset} reaches before the data`)
    let matchLength = (token & 0x0f) + MIN_MATCH
    if ((token & 0x0f) === 15) {
      let b: number
      do {
        if (ip >= end) throw corruptPayload('lz4', 'match length runs past the block')
        b = src[ip++]
        matchLength += b
      } while (b === 255)
    }
    out.reserve(matchLength)
    copyMatch(out.buffer, out.length, offset, matchLength)
    out.length += matchLength
  }
}

/**
 * Copies `length` bytes from `offset` back. When they overlap (offset < length, a repeated
 * pattern), the copied span doubles each round: every copy reads only bytes already written.
 */
function copyMatch(buffer: Buffer, position: number, offset: number, length: number): void {
  const from = position - offset
  let to = position
  let remaining = length
  while (remaining > 0) {
    const n = Math.min(remaining, to - from)
    buffer.copyWithin(to, from, from + n)
    to += n
    remaining -= n
  }
}
