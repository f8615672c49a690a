/**
 * Idempotent producers (KIP-98 without transactions): per producer id and partition, the epoch
 * and the last five batches' sequence ranges with the offsets they got. A batch whose sequence
 * range is one of those is a retry of something already written: it is answered with the
 * original offset and not written again. A gap is OUT_OF_ORDER_SEQUENCE_NUMBER; an older epoch
 * is INVALID_PRODUCER_EPOCH.
 *
 * The state lives in memory: after a broker restart a producer's first batch is taken as is
 * (as Kafka does for a producer whose state has expired), so a retry that straddles a restart
 * can still be written twice.
 */
import { BrokerError } from '../errors.js'

/** Kafka keeps the last 5 batches per producer: the most a producer may have in flight. */
const BATCHES_KEPT = 5

interface WrittenBatch {
  firstSequence: number
  lastSequence: number
  baseOffset: number
}

interface PartitionProducerState {
  epoch: number
  batches: WrittenBatch[]
}

export interface SequencedBatch {
  producerId: number
  producerEpoch: number
  baseSequence: number
  /** Records in the batch (lastOffsetDelta + 1). */
  count: number
}

export type SequenceVerdict = { kind: 'new' } | { kind: 'duplicate'; baseOffset: number }

export class ProducerStates {
  private readonly states = new Map<string, PartitionProducerState>()
  private nextProducerId: number

  constructor(firstProducerId = Date.now()) {
    // Time-seeded so ids handed out after a restart do not collide with ones from before it.
    this.nextProducerId = firstProducerId
  }

  /** InitProducerId: a fresh id with epoch 0. */
  allocate(): { producerId: number; producerEpoch: number } {
    return { producerId: this.nextProducerId++, producerEpoch: 0 }
  }

  /** Decides whether a batch is new (to be written) or a duplicate; throws for a gap or a fenced epoch. */
  check(partitionKey: string, batch: SequencedBatch): SequenceVerdict {
    const state = this.states.get(stateKey(partitionKey, batch.producerId))
    if (!state) return { kind: 'new' }
    if (batch.producerEpoch < state.epoch) {
      throw new BrokerError('INVALID_PRODUCER_EPOCH', `producer ${batch.producerId} epoch ${batch.producerEpoch} is older than ${state.epoch}`)
    }
    if (batch.producerEpoch > state.epoch) {
      if (batch.baseSequence !== 0) throw outOfOrder(batch, 0)
      return { kind: 'new' }
    }
    const lastSequence = addSequence(batch.baseSequence, batch.count - 1)
    const duplicate = state.batches.find((written) => written.firstSequence === batch.baseSequence && written.lastSequence === lastSequence)
    if (duplicate) return { kind: 'duplicate', baseOffset: duplicate.baseOffset }
    const expected = addSequence(state.batches[state.batches.length - 1]!.lastSequence, 1)
    if (batch.baseSequence !== expected) throw outOfOrder(batch, expected)
    return { kind: 'new' }
  }

  /** Records a written batch (after its append succeeded). */
  written(partitionKey: string, batch: SequencedBatch, baseOffset: number): void {
    const key = stateKey(partitionKey, batch.producerId)
    let state = this.states.get(key)
    if (!state || batch.producerEpoch > state.epoch) {
      state = { epoch: batch.producerEpoch, batches: [] }
      this.states.set(key, state)
    }
    state.batches.push({ firstSequence: batch.baseSequence, lastSequence: addSequence(batch.baseSequence, batch.count - 1), baseOffset })
    if (state.batches.length > BATCHES_KEPT) state.batches.shift()
  }

  /** A topic deleted: its producers' states go with it. */
  forgetPartition(partitionKey: string): void {
    for (const key of this.states.keys()) if (key.startsWith(`${partitionKey}\u0000`)) this.states.delete(key)
  }
}

function stateKey(partitionKey: string, producerId: number): string {
  return `${partitionKey}\u0000${producerId}`
}

/** Sequences are int32 and wrap to 0 after 2^31-1, as in Kafka. */
function addSequence(sequence: number, delta: number): number {
  return (sequence + delta) % 2 ** 31
}

function outOfOrder(batch: SequencedBatch, expected: number): BrokerError {
  return new BrokerError('OUT_OF_ORDER_SEQUENCE_NUMBER', `producer ${batch.producerId} sent sequence ${batch.baseSequence}, expected ${expected}`, {
    producerId: batch.producerId,
    expected,
  })
}
