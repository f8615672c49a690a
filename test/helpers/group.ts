import type { Broker, Consumer, ConsumerOptions } from '../../src/index.js'

/** A consumer that records what it sees, per partition, and can wait for counts. */
export class Recorder {
  readonly seen: Array<{ topic: string; partition: number; offset: number; value: string; by: string }> = []
  private readonly waiters: Array<{ count: number; resolve: () => void }> = []

  constructor(readonly name: string) {}

  record(by: string, topic: string, partition: number, offset: string, value: Buffer | null): void {
    this.seen.push({ topic, partition, offset: Number(offset), value: String(value), by })
    for (const waiter of [...this.waiters]) {
      if (this.seen.length >= waiter.count) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.resolve()
      }
    }
  }

  /** Resolves once `count` records in total have been seen. */
  until(count: number): Promise<void> {
    if (this.seen.length >= count) return Promise.resolve()
    return new Promise((resolve) => this.waiters.push({ count, resolve }))
  }
}

/** Starts a consumer in `groupId` that feeds `recorder`. */
export async function startMember(broker: Broker, recorder: Recorder, name: string, topic: string, options: Partial<ConsumerOptions> & { groupId: string }): Promise<Consumer> {
  const consumer = broker.consumer({ heartbeatIntervalMs: 50, sessionTimeoutMs: 1000, rebalanceTimeoutMs: 3000, ...options })
  await consumer.subscribe({ topics: [topic], fromBeginning: true })
  await consumer.run({ eachMessage: async ({ partition, message }) => recorder.record(name, topic, partition, message.offset, message.value) })
  return consumer
}

export async function produceNumbered(broker: Broker, topic: string, from: number, count: number): Promise<void> {
  const producer = broker.producer()
  for (let start = from; start < from + count; start += 100) {
    const messages = Array.from({ length: Math.min(100, from + count - start) }, (_, i) => ({ key: `key-${(start + i) % 17}`, value: `m${start + i}` }))
    await producer.send({ topic, messages })
  }
}

/** Per partition, the offsets seen in order; checks nothing is missing below each partition's end. */
export function byPartition(seen: Recorder['seen']): Map<number, number[]> {
  const result = new Map<number, number[]>()
  for (const entry of seen) result.set(entry.partition, [...(result.get(entry.partition) ?? []), entry.offset])
  return result
}
