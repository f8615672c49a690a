/**
 * The load test's task file, run on tinypool threads (src/loadtest/pool.ts). A task is one
 * producer or one consumer group member speaking the Kafka protocol through kafkajs to the broker
 * under test; it reports to the main thread over the MessagePort in its task and runs until told
 * to stop (or, for a producer, until its record budget is sent). Chaos ends a consumer by
 * aborting its task, which terminates the thread.
 */
import type { Consumer } from 'kafkajs'
import { kafkajsClient, openProducerClient } from '../src/loadtest/producer-client.js'
import { decodeValue, HEADER_BYTES, nowMs, writeHeader, type ConsumerTask, type LoadTask, type MainMessage, type ProducerTask, type WorkerMessage } from '../src/loadtest/protocol.js'
import type { AckRange, InDoubtRange } from '../src/loadtest/verifier.js'
import type { MessagePort } from 'node:worker_threads'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function post(port: MessagePort, message: WorkerMessage): void {
  port.postMessage(message)
}

function onStop(port: MessagePort, stop: () => void): void {
  port.on('message', (message: MainMessage) => {
    if (message.type === 'stop') stop()
  })
}

/** Resolves on 'go' (or 'stop': then the loop ends at once). */
function go(port: MessagePort): Promise<void> {
  return new Promise((resolve) => {
    port.on('message', (message: MainMessage) => { if (message.type === 'go' || message.type === 'stop') resolve() })
  })
}

/**
 * A producer: `inFlight` lanes, each owning some partitions and awaiting one send at a time, so
 * several sends are in flight (acks=-1 costs a round trip and an fsync wait per send) while a
 * producer's records to one partition still go out, and get their offsets, in sequence order.
 */
async function runProducer(task: ProducerTask): Promise<{ sent: number; acked: number; failed: number }> {
  const port = task.port
  let stopping = false
  onStop(port, () => { stopping = true })
  const producer = await openProducerClient(task.client, task.bootstrap, `loadtest-producer-${task.producerId}`, task.topic, task.keys)
  const lanes = laneKeys(task)
  const sequences = new Array<number>(task.partitions).fill(0)
  // Thread start (tsx, module loading) and connecting take seconds on a loaded machine: the
  // rate schedule and the run's duration start only when every producer is ready.
  const started$ = go(port)
  post(port, { type: 'ready' })
  await started$
  const started = nowMs()
  const totals = { sent: 0, acked: 0, failed: 0 }
  const budget = (): number => task.messages === 0 ? Infinity : task.messages - totals.sent
  const laneRate = task.rate / lanes.length

  const runLane = async (keys: number[][]): Promise<void> => {
    let laneSent = 0
    let cursor = 0
    while (!stopping && budget() > 0) {
      let batch = Math.min(task.batchSize, budget())
      if (task.rate > 0) {
        const due = Math.floor((laneRate * (nowMs() - started)) / 1000) - laneSent
        // Wait for at least ~10 ms worth of records: sends of a handful of records spend the
        // CPU per request (and per fsync on the broker), not per record.
        if (due < Math.min(batch, Math.max(1, laneRate / 100))) {
          await sleep(10)
          continue
        }
        batch = Math.min(batch, due)
      }
      totals.sent += batch
      laneSent += batch
      // Round robin over the lane's partitions, a key of that partition each time.
      const perPartition = new Map<number, { firstSequence: number; count: number }>()
      const outgoing = producer.begin()
      const value = Buffer.alloc(Math.max(task.size, HEADER_BYTES))
      const sendTime = nowMs()
      for (let i = 0; i < batch; i++) {
        const partitionKeys = keys[cursor % keys.length]!
        const key = partitionKeys[Math.floor(cursor / keys.length) % partitionKeys.length]!
        cursor++
        const partition = key % task.partitions
        const sequence = sequences[partition]!++
        const range = perPartition.get(partition)
        if (range === undefined) perPartition.set(partition, { firstSequence: sequence, count: 1 })
        else range.count++
        outgoing.add(partition, key, writeHeader(value, task.producerId, sequence, sendTime), sendTime)
      }
      try {
        const results = await outgoing.send()
        const ackTime = nowMs()
        const ranges: AckRange[] = []
        for (const result of results) {
          const range = perPartition.get(result.partition)
          if (range === undefined || result.errorCode !== 0 || result.baseOffset < 0) continue
          ranges.push({ partition: result.partition, baseOffset: result.baseOffset, producerId: task.producerId, firstSequence: range.firstSequence, count: range.count })
          perPartition.delete(result.partition)
          totals.acked += range.count
        }
        post(port, { type: 'acked', ranges, latencies: [ackTime - sendTime, batch] })
        if (perPartition.size > 0) throw new Error('some partitions were not acknowledged')
      } catch (error) {
        const ranges: InDoubtRange[] = [...perPartition].map(([partition, range]) => ({ partition, producerId: task.producerId, ...range }))
        for (const range of ranges) totals.failed += range.count
        post(port, { type: 'in-doubt', ranges, error: error instanceof Error ? error.message : String(error) })
        await sleep(200)
      }
    }
  }

  try {
    await Promise.all(lanes.map(runLane))
  } finally {
    await producer.close().catch(() => {})
    port.close()
  }
  return totals
}

/**
 * The producer's keys split into lanes by partition (key k goes to partition k % partitions):
 * lane → its partitions → their keys, this producer's keys starting at its id as before.
 */
function laneKeys(task: ProducerTask): number[][][] {
  const byPartition = new Map<number, number[]>()
  for (let i = 0; i < task.keys; i++) {
    const key = (task.producerId + i) % task.keys
    const partition = key % task.partitions
    let keys = byPartition.get(partition)
    if (keys === undefined) byPartition.set(partition, keys = [])
    keys.push(key)
  }
  const partitions = [...byPartition.keys()]
  const laneCount = Math.max(1, Math.min(task.inFlight, partitions.length))
  const lanes: number[][][] = Array.from({ length: laneCount }, () => [])
  partitions.forEach((partition, i) => lanes[i % laneCount]!.push(byPartition.get(partition)!))
  return lanes
}

async function runConsumer(task: ConsumerTask): Promise<{ deliveries: number }> {
  const port = task.port
  const consumer: Consumer = kafkajsClient(task.bootstrap, `loadtest-${task.session}`).consumer({
    groupId: task.group,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
    heartbeatInterval: 500,
    maxWaitTimeInMs: 100,
  })
  let segment = 0
  let deliveries = 0
  consumer.on(consumer.events.GROUP_JOIN, () => {
    segment++
    post(port, { type: 'joined', group: task.group, session: task.session, segment })
  })
  consumer.on(consumer.events.CRASH, () => { segment++ })
  let stop!: () => void
  const stopped = new Promise<void>((resolve) => { stop = resolve })
  onStop(port, stop)
  await consumer.connect()
  await consumer.subscribe({ topics: [task.topic], fromBeginning: true })
  await consumer.run({
    // Reported before eachBatch returns, so before kafkajs commits these offsets: a member
    // terminated by chaos can lose reports only of records the group will be handed again.
    eachBatch: async ({ batch }) => {
      const now = nowMs()
      const count = batch.messages.length
      if (count === 0) return
      const offset = new Float64Array(count)
      const producerId = new Int32Array(count)
      const sequence = new Uint32Array(count)
      const latencyMs = new Float32Array(count)
      for (let i = 0; i < count; i++) {
        const record = batch.messages[i]!
        const decoded = record.value === null ? null : decodeValue(record.value)
        offset[i] = Number(record.offset)
        producerId[i] = decoded?.producerId ?? -1
        sequence[i] = decoded?.sequence ?? 0xffff_ffff
        latencyMs[i] = decoded === null ? -1 : now - decoded.sendTimeMs
      }
      deliveries += count
      const message: WorkerMessage = { type: 'observed', group: task.group, session: task.session, segment, partition: batch.partition, offset, producerId, sequence, latencyMs }
      port.postMessage(message, [offset.buffer, producerId.buffer, sequence.buffer, latencyMs.buffer])
    },
  })
  await stopped
  await consumer.disconnect().catch(() => {})
  port.close()
  return { deliveries }
}

export default async function loadTestTask(task: LoadTask): Promise<unknown> {
  try {
    return task.role === 'producer' ? await runProducer(task) : await runConsumer(task)
  } catch (error) {
    try {
      post(task.port, { type: 'error', error: error instanceof Error ? error.message : String(error) })
    } catch { /* port already closed */ }
    throw error
  }
}
