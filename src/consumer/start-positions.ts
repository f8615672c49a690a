/**
 * Where a member starts reading a partition it was just given: the group's committed offset when
 * it still lies inside the log, else the reset policy (`fromBeginning`: the log start, otherwise
 * the end) — and a reset that replaces a committed offset is reported, since records were skipped
 * by retention rather than read.
 */
export interface StartPositionHost {
  partitionOffsets(topic: string, partition: number): Promise<{ logStartOffset: number; highWatermark: number }>
}

export interface ResetEvent {
  topic: string
  partition: number
  reason: string
  resetTo: number
  policy: 'earliest' | 'latest'
}

export class StartPositions {
  constructor(
    private readonly host: StartPositionHost,
    private readonly fromBeginning: () => boolean,
    private readonly onReset: (event: ResetEvent) => void,
  ) {}

  /** The committed offset if it is usable, else the reset position (with an event when a commit was there). */
  async start(topic: string, partition: number, committed: number | undefined): Promise<number> {
    if (committed === undefined || committed < 0) return this.resetOffset(topic, partition)
    const { logStartOffset, highWatermark } = await this.host.partitionOffsets(topic, partition)
    if (committed >= logStartOffset && committed <= highWatermark) return committed
    return this.reset(topic, partition, `committed offset ${committed} is outside [${logStartOffset}, ${highWatermark}]`)
  }

  /** The position fell out of the log (retention): go by the policy and say so. */
  async reset(topic: string, partition: number, reason: string): Promise<number> {
    const resetTo = await this.resetOffset(topic, partition)
    this.onReset({ topic, partition, reason, resetTo, policy: this.fromBeginning() ? 'earliest' : 'latest' })
    return resetTo
  }

  private async resetOffset(topic: string, partition: number): Promise<number> {
    const { logStartOffset, highWatermark } = await this.host.partitionOffsets(topic, partition)
    return this.fromBeginning() ? logStartOffset : highWatermark
  }
}
