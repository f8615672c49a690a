/**
 * Lines of a byte stream, in batches: a batch ends at `maxLines` lines or whenever the stream has
 * nothing more buffered (the writer paused, e.g. someone typing). Nothing more is read while the
 * caller works on a batch, so memory stays bounded however large the input is.
 */
import type { Readable } from 'node:stream'

const NEWLINE = 0x0a
const CARRIAGE_RETURN = 0x0d

export async function* lineBatches(input: Readable, maxLines: number): AsyncGenerator<Buffer[]> {
  let pieces: Buffer[] = [] // the current line's bytes so far, when it spans chunks
  let batch: Buffer[] = []
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let start = 0
    for (let newline = chunk.indexOf(NEWLINE); newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      const tail = chunk.subarray(start, newline)
      batch.push(withoutCarriageReturn(pieces.length === 0 ? tail : Buffer.concat([...pieces, tail])))
      pieces = []
      start = newline + 1
      if (batch.length === maxLines) {
        yield batch
        batch = []
      }
    }
    if (start < chunk.length) pieces.push(chunk.subarray(start))
    if (batch.length > 0 && input.readableLength === 0) {
      yield batch
      batch = []
    }
  }
  if (pieces.length > 0) batch.push(withoutCarriageReturn(Buffer.concat(pieces)))
  if (batch.length > 0) yield batch
}

function withoutCarriageReturn(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN ? line.subarray(0, -1) : line
}
