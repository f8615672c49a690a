/**
 * The load test's verifier: pure bookkeeping, no I/O. Producers report what the broker
 * acknowledged (ack ranges) and what it may or may not have written (failed sends); consumers
 * report every record they were handed, tagged with the consumer session (one per worker start)
 * and segment (bumped on every rebalance inside a session). `result()` then says, per group:
 *
 *   - lost: acknowledged records the group never saw (must be 0);
 *   - reordered: a record whose offset is not above the previous one seen for its partition in
 *     the same session and segment (a rewind after a rebalance/restart starts a new segment and
 *     is not reordering, it only produces duplicates);
 *   - seenNeverAcked: records at offsets no producer reported, with an identity no producer sent
 *     (must be 0); records from failed (in-doubt) sends are counted apart as `unackedWrites`;
 *   - mismatched: an acknowledged offset delivered with another record's identity (must be 0);
 *   - duplicates: deliveries beyond the first (at-least-once after rebalances).
 *
 * Producer-side order: a producer's records to one partition carry a per-(producer, partition)
 * sequence; acknowledged offsets must increase with it (`producerOrderViolations`).
 *
 * It runs on the load test's main thread at 100k+ records/s for minutes, so the work per record
 * is O(1) and memory does not grow with the run: per (group, partition) an OffsetSet (a low
 * watermark plus a bitset while a gap is open) instead of an entry per record; acknowledged
 * ranges are checked against first deliveries as they meet and pruned once every group has read
 * past them; a first delivery whose ack has not arrived yet waits in a small `pending` map.
 */
import { AckedRanges } from './acked-ranges.js'
import { OffsetSet } from './offset-set.js'
import { ProducerSequences } from './producer-sequences.js'

export interface AckRange {
  partition: number
  /** Offset of the range's first record; the range's records have consecutive offsets. */
  baseOffset: number
  producerId: number
  /** Sequence of the first record; consecutive after that. */
  firstSequence: number
  count: number
}

/** A send that failed: its records may or may not be in the log. */
export interface InDoubtRange {
  partition: number
  producerId: number
  firstSequence: number
  count: number
}

export interface Observation {
  group: string
  /** One per consumer worker start. */
  session: string
  /** Bumped by the consumer on every (re)join within its session. */
  segment: number
  partition: number
  offset: number
  producerId: number
  sequence: number
}

export interface GroupVerification {
  group: string
  expected: number
  seenDistinct: number
  deliveries: number
  lost: number
  reordered: number
  duplicates: number
  seenNeverAcked: number
  unackedWrites: number
  duplicateWrites: number
  mismatched: number
  /** A few lost records (partition/offset) to start looking from. */
  lostSamples: Array<{ partition: number; offset: number }>
  reorderSamples: Array<{ partition: number; offset: number; after: number; session: string }>
}

export interface Verification {
  ok: boolean
  acked: number
  inDoubt: number
  producerOrderViolations: number
  groups: GroupVerification[]
  /** Sums over groups. */
  lost: number
  reordered: number
  duplicates: number
  seenNeverAcked: number
  mismatched: number
}

const SAMPLES = 5

/** A producer id and sequence in one number (ids are small, sequences u32): exact below 2^53. */
const pack = (producerId: number, sequence: number): number => producerId * 0x1_0000_0000 + sequence
const packedProducer = (packed: number): number => Math.floor(packed / 0x1_0000_0000)
const packedSequence = (packed: number): number => packed % 0x1_0000_0000

interface PartitionState {
  seen: OffsetSet
  /** First deliveries at offsets no ack covers yet: offset → pack(producerId, sequence). */
  pending: Map<number, number>
}

interface GroupState {
  partitions: PartitionState[]
  /** `partition|session|segment` → last offset seen; looked up once per batch, not per record. */
  last: Map<string, number>
  deliveries: number
  distinct: number
  duplicates: number
  /** Distinct acknowledged offsets delivered (with the right record or not). */
  seenAcked: number
  mismatched: number
  reordered: number
  reorderSamples: GroupVerification['reorderSamples']
}

/** Columns of one consumer batch: record i is at offsets[i] etc. */
export interface ObservedBatch {
  group: string
  session: string
  segment: number
  partition: number
  count: number
  offset: ArrayLike<number>
  producerId: ArrayLike<number>
  sequence: ArrayLike<number>
}

export class Verifier {
  private readonly ranges: AckedRanges[]
  /** Per partition: producerId → its sequences there. */
  private readonly sequences: Array<Map<number, ProducerSequences>>
  private readonly groups = new Map<string, GroupState>()
  private ackedCount = 0
  private inDoubtCount = 0

  constructor(readonly partitions: number, groups: readonly string[]) {
    this.ranges = Array.from({ length: partitions }, () => new AckedRanges())
    this.sequences = Array.from({ length: partitions }, () => new Map())
    for (const group of groups) this.groupState(group)
  }

  acked(range: AckRange): void {
    const ranges = this.partitionRanges(range.partition)
    this.ackedCount += range.count
    this.producer(range.partition, range.producerId).acked(range.firstSequence, range.count, range.baseOffset)
    const stored = { baseOffset: range.baseOffset, count: range.count, producerId: range.producerId, firstSequence: range.firstSequence }
    ranges.insert(stored)
    // First deliveries that beat their ack here: check them now.
    for (const state of this.groups.values()) {
      const partition = state.partitions[range.partition]!
      if (partition.pending.size === 0) continue
      for (let i = 0; i < range.count && partition.pending.size > 0; i++) {
        const offset = range.baseOffset + i
        const packed = partition.pending.get(offset)
        if (packed === undefined) continue
        partition.pending.delete(offset)
        state.seenAcked++
        if (packed !== pack(range.producerId, range.firstSequence + i)) state.mismatched++
      }
    }
    this.prune(range.partition)
  }

  inDoubt(range: InDoubtRange): void {
    this.partitionRanges(range.partition)
    this.producer(range.partition, range.producerId).failed(range.firstSequence, range.count)
    this.inDoubtCount += range.count
  }

  observed(observation: Observation): void {
    this.observedBatch({
      group: observation.group, session: observation.session, segment: observation.segment, partition: observation.partition,
      count: 1, offset: [observation.offset], producerId: [observation.producerId], sequence: [observation.sequence],
    })
  }

  /** One consumer batch (one partition, one session and segment): O(1) per record. */
  observedBatch(batch: ObservedBatch): void {
    const state = this.groupState(batch.group)
    const partition = state.partitions[batch.partition]
    if (partition === undefined) throw new RangeError(`partition ${batch.partition} out of range`)
    const ranges = this.ranges[batch.partition]!
    state.deliveries += batch.count
    const segmentKey = `${batch.partition}|${batch.session}|${batch.segment}`
    let last = state.last.get(segmentKey) ?? -1
    for (let i = 0; i < batch.count; i++) {
      const offset = batch.offset[i]!
      if (offset <= last) {
        state.reordered++
        if (state.reorderSamples.length < SAMPLES) state.reorderSamples.push({ partition: batch.partition, offset, after: last, session: batch.session })
      } else last = offset
      if (!partition.seen.add(offset)) {
        state.duplicates++
        continue
      }
      state.distinct++
      const range = ranges.find(offset)
      if (range === undefined) {
        partition.pending.set(offset, pack(batch.producerId[i]!, batch.sequence[i]!))
        continue
      }
      state.seenAcked++
      if (batch.producerId[i] !== range.producerId || batch.sequence[i] !== range.firstSequence + (offset - range.baseOffset)) state.mismatched++
    }
    if (last >= 0) state.last.set(segmentKey, last)
    this.prune(batch.partition)
  }

  /** Acknowledged records the group has not seen yet (approximate while acks are in flight). */
  lag(group: string): number {
    const state = this.groupState(group)
    return Math.max(0, this.ackedCount - state.seenAcked)
  }

  /** Whether every group has seen every acknowledged record: O(groups), for polling. */
  caughtUp(): boolean {
    for (const state of this.groups.values()) if (state.seenAcked < this.ackedCount) return false
    return true
  }

  /** Deliveries so far to the group. */
  deliveries(group: string): number {
    return this.groupState(group).deliveries
  }

  get acknowledged(): number {
    return this.ackedCount
  }

  result(): Verification {
    const groups: GroupVerification[] = []
    for (const [group, state] of this.groups) {
      let seenNeverAcked = 0
      let unackedWrites = 0
      let duplicateWrites = 0
      for (let p = 0; p < this.partitions; p++) {
        for (const [, packed] of state.partitions[p]!.pending) {
          const sequences = this.sequences[p]!.get(packedProducer(packed))
          const sequence = packedSequence(packed)
          if (sequences?.isAcked(sequence) === true) duplicateWrites++
          else if (sequences?.isInDoubt(sequence) === true) unackedWrites++
          else seenNeverAcked++
        }
      }
      const lost = this.ackedCount - state.seenAcked
      groups.push({
        group, expected: this.ackedCount, seenDistinct: state.distinct, deliveries: state.deliveries, lost, reordered: state.reordered,
        duplicates: state.duplicates, seenNeverAcked, unackedWrites, duplicateWrites, mismatched: state.mismatched,
        lostSamples: lost > 0 ? this.lostSamples(state) : [], reorderSamples: state.reorderSamples,
      })
    }
    let producerOrderViolations = 0
    for (const producers of this.sequences) for (const sequences of producers.values()) producerOrderViolations += sequences.violationsAtEnd()
    const sum = (field: 'lost' | 'reordered' | 'duplicates' | 'seenNeverAcked' | 'mismatched'): number => groups.reduce((total, g) => total + g[field], 0)
    const lost = sum('lost')
    const reordered = sum('reordered')
    const seenNeverAcked = sum('seenNeverAcked')
    const mismatched = sum('mismatched')
    return {
      ok: lost === 0 && reordered === 0 && seenNeverAcked === 0 && mismatched === 0 && producerOrderViolations === 0,
      acked: this.ackedCount, inDoubt: this.inDoubtCount, producerOrderViolations, groups,
      lost, reordered, duplicates: sum('duplicates'), seenNeverAcked, mismatched,
    }
  }

  /** The first few acknowledged offsets the group has not seen; pruned ranges were all seen. */
  private lostSamples(state: GroupState): GroupVerification['lostSamples'] {
    const samples: GroupVerification['lostSamples'] = []
    for (let p = 0; p < this.partitions && samples.length < SAMPLES; p++) {
      const seen = state.partitions[p]!.seen
      for (const range of this.ranges[p]!.live()) {
        for (let offset = Math.max(range.baseOffset, seen.low); offset < range.baseOffset + range.count; offset++) {
          if (!seen.has(offset)) samples.push({ partition: p, offset })
          if (samples.length >= SAMPLES) return samples
        }
      }
    }
    return samples
  }

  /** Drops acked ranges every group has read past: nothing there needs checking any more. */
  private prune(partition: number): void {
    let low = Infinity
    for (const state of this.groups.values()) low = Math.min(low, state.partitions[partition]!.seen.low)
    this.ranges[partition]!.pruneBelow(low)
  }

  private producer(partition: number, producerId: number): ProducerSequences {
    const producers = this.sequences[partition]!
    let sequences = producers.get(producerId)
    if (sequences === undefined) producers.set(producerId, sequences = new ProducerSequences())
    return sequences
  }

  private partitionRanges(partition: number): AckedRanges {
    const ranges = this.ranges[partition]
    if (ranges === undefined) throw new RangeError(`partition ${partition} out of range`)
    return ranges
  }

  private groupState(group: string): GroupState {
    let state = this.groups.get(group)
    if (state === undefined) {
      state = {
        partitions: Array.from({ length: this.partitions }, () => ({ seen: new OffsetSet(), pending: new Map() })),
        last: new Map(), deliveries: 0, distinct: 0, duplicates: 0, seenAcked: 0, mismatched: 0, reordered: 0, reorderSamples: [],
      }
      this.groups.set(group, state)
    }
    return state
  }
}
