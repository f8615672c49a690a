/**
 * The damaged offset ranges found in a partition's log (by recovery, an index rebuild or the
 * read path). A damaged range is never served and never deleted: reads inside it fail with
 * CORRUPT_MESSAGE, and scans skip over it to the next sound batch.
 */
import { BrokerError } from '../errors.js'

export interface DamagedRange {
  /** Segment file name, e.g. `00000000000000000000.log`. */
  segment: string
  /** Byte position of the first damaged byte (a batch start as far as the framing is known). */
  startPosition: number
  /** Byte position of the next sound batch (or the segment end): the range is [start, end). */
  endPosition: number
  firstOffset: number
  lastOffset: number
  reason: string
}

export class DamagedRanges {
  private readonly ranges: DamagedRange[] = []

  /** Records a range unless one already starts at the same place. */
  add(range: DamagedRange): DamagedRange {
    const known = this.atPosition(range.segment, range.startPosition)
    if (known !== undefined) return known
    this.ranges.push(range)
    this.ranges.sort((a, b) => a.firstOffset - b.firstOffset)
    return range
  }

  containing(offset: number): DamagedRange | undefined {
    return this.ranges.find((range) => range.firstOffset <= offset && offset <= range.lastOffset)
  }

  atPosition(segment: string, position: number): DamagedRange | undefined {
    return this.ranges.find((range) => range.segment === segment && range.startPosition === position)
  }

  /** Drops the ranges of a segment retention deleted (its offsets are below the log start now). */
  forgetSegment(segment: string): void {
    for (let i = this.ranges.length - 1; i >= 0; i--) if (this.ranges[i]!.segment === segment) this.ranges.splice(i, 1)
  }

  list(): DamagedRange[] {
    return this.ranges.map((range) => ({ ...range }))
  }
}

/** The typed error a read of a damaged range fails with. */
export function corruptRangeError(range: DamagedRange): BrokerError {
  return new BrokerError(
    'CORRUPT_MESSAGE',
    `offsets ${range.firstOffset}..${range.lastOffset} are damaged in ${range.segment} (bytes ${range.startPosition}..${range.endPosition}): ${range.reason}`,
    {
      firstOffset: range.firstOffset,
      lastOffset: range.lastOffset,
      segment: range.segment,
      startPosition: range.startPosition,
      endPosition: range.endPosition,
      reason: range.reason,
    },
  )
}
