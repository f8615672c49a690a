/** A consumer group of embedded consumers reading a whole topic from the beginning, timed. */
import type { Broker, Consumer } from '../src/index.js'

export interface GroupLoad {
  topic: string
  groupId: string
  members: number
  /** Records in the topic: the group is done once it has seen them all. */
  records: number
  mode: 'eachBatch' | 'eachMessage'
}

interface Delivered {
  offset: string
  value: Buffer | null
}

/**
 * Joins `members` consumers (range assignor) and times them from the first join to the last
 * record; returns the value bytes of distinct records seen too. A record delivered again (a
 * partition moved while members joined, before its offset was committed) is not counted twice.
 */
export async function groupConsume(broker: Broker, load: GroupLoad): Promise<{ elapsedMs: number; valueBytes: number }> {
  let seen = 0
  let valueBytes = 0
  const nextOffset = new Map<number, number>()
  let done!: () => void
  const finished = new Promise<void>((resolve) => (done = resolve))
  const count = (partition: number, messages: Delivered[]) => {
    let next = nextOffset.get(partition) ?? 0
    for (const { offset, value } of messages) {
      if (Number(offset) < next) continue
      next = Number(offset) + 1
      seen++
      valueBytes += value?.length ?? 0
    }
    nextOffset.set(partition, next)
    if (seen >= load.records) done()
  }
  const members: Consumer[] = []
  const started = performance.now()
  for (let i = 0; i < load.members; i++) {
    const consumer = broker.consumer({ groupId: load.groupId, partitionAssigners: ['range'] })
    await consumer.subscribe({ topics: [load.topic], fromBeginning: true })
    if (load.mode === 'eachBatch') {
      await consumer.run({ eachBatch: async ({ batch }) => count(batch.partition, batch.messages) })
    } else {
      await consumer.run({ eachMessage: async ({ partition, message }) => count(partition, [message]) })
    }
    members.push(consumer)
  }
  await finished
  const elapsedMs = performance.now() - started
  await Promise.all(members.map((member) => member.disconnect()))
  return { elapsedMs, valueBytes }
}
