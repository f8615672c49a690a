/**
 * `brook loadtest`: producers and consumer group members on tinypool threads drive a broker over
 * the Kafka protocol; the main thread collects their reports into the Verifier and two latency
 * histograms (produce: send → ack; end-to-end: send → delivery), shows progress, and at the end
 * waits for every group to catch up (or --drain-timeout), then verifies.
 */
import { randomBytes } from 'node:crypto'
import { MessageChannel, type MessagePort } from 'node:worker_threads'
import * as hdr from 'hdr-histogram-js'
import { Kafka, logLevel } from 'kafkajs'
import { openTarget, type BrokerTarget } from './broker-target.js'
import { loadTestPool } from './pool.js'
import type { ConsumerTask, ProducerTask, WorkerMessage } from './protocol.js'
import { MemorySamples, type MemorySummary } from './memory-samples.js'
import { Verifier, type Verification } from './verifier.js'

export interface LoadTestOptions {
  bootstrap?: string
  dataDir?: string
  brokerProcess?: boolean
  producers: number
  /** Members per group. */
  consumers: number
  groups: number
  partitions: number
  /** Records per second over all producers; 'max' = unthrottled. */
  rate: number | 'max'
  size: number
  keys: number
  /** How producers talk to the broker (default 'raw': see producer-client.ts). */
  producerClient?: 'raw' | 'kafkajs'
  /** Records per producer send (default 1000; 250 with kafkajs, which groups a send's records per partition in O(n²)). */
  batchSize?: number
  /** Sends each producer keeps in flight, each on its own partitions (default: up to 8, one per partition). */
  inFlight?: number
  durationMs?: number
  messages?: number
  chaos?: boolean
  /** Mean time between chaos events (default 5000 ms). */
  chaosIntervalMs?: number
  drainTimeoutMs?: number
  onProgress?: (progress: LoadTestProgress) => void
}

export interface LoadTestProgress {
  elapsedMs: number
  /** Duration bound, or undefined when bounded by messages. */
  totalMs?: number
  /** Messages bound, or undefined. */
  totalMessages?: number
  acked: number
  produceRate: number
  consumeRate: number
  lag: number
  p99Ms: number
  phase: 'producing' | 'draining'
}

export interface LatencySummary {
  count: number
  minMs: number
  p50Ms: number
  p90Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
  meanMs: number
}

export interface ChaosEvent {
  atMs: number
  kind: 'consumer-restart' | 'broker-kill'
  detail: string
}

export interface LoadTestReport {
  ok: boolean
  config: Omit<LoadTestOptions, 'onProgress'> & { mode: BrokerTarget['mode']; topic: string }
  durationMs: number
  produceSeconds: number
  produced: { sent: number; acked: number; inDoubt: number; bytes: number; recordsPerSec: number; mbPerSec: number }
  consumed: { deliveries: number; recordsPerSec: number }
  latency: { produceAck: LatencySummary; endToEnd: LatencySummary }
  verification: Verification
  drained: boolean
  chaos: ChaosEvent[]
  errors: string[]
  /** RSS of this process (with an embedded broker, the broker's too), sampled every second. */
  memory: MemorySummary
}

const newHistogram = (): hdr.Histogram => hdr.build({ numberOfSignificantValueDigits: 3, autoResize: true })

function summary(histogram: hdr.Histogram): LatencySummary {
  const ms = (us: number): number => Math.round(us) / 1000
  return {
    count: histogram.totalCount,
    minMs: ms(histogram.totalCount === 0 ? 0 : histogram.minNonZeroValue),
    p50Ms: ms(histogram.getValueAtPercentile(50)),
    p90Ms: ms(histogram.getValueAtPercentile(90)),
    p99Ms: ms(histogram.getValueAtPercentile(99)),
    p999Ms: ms(histogram.getValueAtPercentile(99.9)),
    maxMs: ms(histogram.maxValue),
    meanMs: ms(histogram.mean),
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A sleep that can be called off: a timer left pending after a race keeps the process alive.
 * `done` resolves true when the time has passed, false when cancelled.
 */
function cancellableSleep(ms: number): { done: Promise<boolean>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined
  let settle!: (elapsed: boolean) => void
  const done = new Promise<boolean>((resolve) => {
    settle = resolve
    timer = setTimeout(() => resolve(true), ms)
  })
  return { done, cancel: () => { clearTimeout(timer); settle(false) } }
}

interface RunningTask {
  port: MessagePort
  done: Promise<unknown>
  abort: AbortController
  session?: string
  group?: string
}

export async function runLoadTest(options: LoadTestOptions): Promise<LoadTestReport> {
  if (options.durationMs === undefined && options.messages === undefined) throw new Error('give --duration or --messages')
  const runId = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`
  const topic = `loadtest-${runId}`
  const groups = Array.from({ length: options.groups }, (_, i) => `loadtest-${runId}-g${i}`)
  const target = await openTarget({ bootstrap: options.bootstrap, dataDir: options.dataDir, brokerProcess: options.brokerProcess, partitions: options.partitions })
  const verifier = new Verifier(options.partitions, groups)
  const produceHistogram = newHistogram()
  const e2eHistogram = newHistogram()
  const errors: string[] = []
  const chaos: ChaosEvent[] = []
  let sent = 0
  let deliveries = 0
  let inDoubt = 0
  const pool = loadTestPool(options.producers + options.consumers * options.groups + 1)
  const started = performance.now()
  const elapsed = (): number => performance.now() - started
  try {
    const admin = new Kafka({ clientId: 'loadtest-admin', brokers: target.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 10 } }).admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: options.partitions }], waitForLeaders: true })
    await admin.disconnect()

    let ready = 0
    const joined = new Set<string>()
    let onStartup = (): void => {}
    const handle = (message: WorkerMessage): void => {
      switch (message.type) {
        case 'ready':
          ready++
          onStartup()
          break
        case 'acked':
          for (const range of message.ranges) verifier.acked(range)
          produceHistogram.recordValueWithCount(Math.max(1, Math.round(message.latencies[0]! * 1000)), message.latencies[1]!)
          break
        case 'in-doubt':
          for (const range of message.ranges) { verifier.inDoubt(range); inDoubt += range.count }
          if (errors.length < 20) errors.push(`produce: ${message.error}`)
          break
        case 'observed': {
          verifier.observedBatch({ ...message, count: message.offset.length })
          const latencies = message.latencyMs
          for (let i = 0; i < latencies.length; i++) {
            const latency = latencies[i]!
            if (latency >= 0) e2eHistogram.recordValue(Math.max(1, Math.round(latency * 1000)))
          }
          deliveries += latencies.length
          break
        }
        case 'error':
          if (errors.length < 20) errors.push(message.error)
          break
        case 'joined':
          joined.add(message.session)
          onStartup()
          break
      }
    }

    const runTask = (task: ProducerTask | ConsumerTask, port: MessagePort, ours: MessagePort): RunningTask => {
      const abort = new AbortController()
      ours.on('message', handle)
      const done = pool.run(task, { transferList: [port], signal: abort.signal }).catch((error: unknown) => {
        if (!abort.signal.aborted && errors.length < 20) errors.push(error instanceof Error ? error.message : String(error))
      })
      return { port: ours, done, abort }
    }

    let sessionCounter = 0
    const startConsumer = (group: string): RunningTask => {
      const { port1, port2 } = new MessageChannel()
      const session = `${group}-s${sessionCounter++}`
      const task: ConsumerTask = { role: 'consumer', port: port2, bootstrap: target.bootstrap, topic, group, session }
      return { ...runTask(task, port2, port1), session, group }
    }
    const consumers: RunningTask[] = []
    for (const group of groups) for (let i = 0; i < options.consumers; i++) consumers.push(startConsumer(group))

    const totalRate = options.rate === 'max' ? 0 : options.rate
    const producers: RunningTask[] = []
    for (let id = 0; id < options.producers; id++) {
      const { port1, port2 } = new MessageChannel()
      const share = (total: number): number => Math.floor(total / options.producers) + (id < total % options.producers ? 1 : 0)
      const task: ProducerTask = {
        role: 'producer', port: port2, bootstrap: target.bootstrap, topic, producerId: id, partitions: options.partitions,
        rate: totalRate === 0 ? 0 : Math.max(1, totalRate / options.producers), messages: options.messages === undefined ? 0 : share(options.messages),
        size: options.size, keys: options.keys, client: options.producerClient ?? 'raw', batchSize: options.batchSize ?? (options.producerClient === 'kafkajs' ? 250 : 1_000), inFlight: options.inFlight ?? Math.min(8, options.partitions),
      }
      producers.push(runTask(task, port2, port1))
    }

    // Start producing when every producer is connected and every member has joined its group
    // (or after 30 s, or a producer failed), so that start-up is not counted as producing time.
    const startupTimer = cancellableSleep(30_000)
    await Promise.race([
      startupTimer.done,
      ...producers.map((p) => p.done),
      new Promise<void>((resolve) => {
        onStartup = () => { if (ready >= producers.length && joined.size >= consumers.length) resolve() }
        onStartup()
      }),
    ])
    startupTimer.cancel()
    onStartup = () => {}
    const produceStarted = performance.now()
    for (const p of producers) p.port.postMessage({ type: 'go' })

    // Progress ticker.
    let phase: LoadTestProgress['phase'] = 'producing'
    let lastTick = { at: elapsed(), acked: 0, deliveries: 0 }
    const memory = new MemorySamples()
    let ticks = 0
    const ticker = setInterval(() => {
      const now = elapsed()
      if (ticks++ % 4 === 0) memory.sample(now)
      const seconds = Math.max(0.001, (now - lastTick.at) / 1000)
      const acked = verifier.acknowledged
      options.onProgress?.({
        elapsedMs: now, totalMs: options.durationMs, totalMessages: options.messages, acked,
        produceRate: (acked - lastTick.acked) / seconds, consumeRate: (deliveries - lastTick.deliveries) / seconds,
        lag: Math.max(0, ...groups.map((group) => verifier.lag(group))), p99Ms: e2eHistogram.getValueAtPercentile(99) / 1000, phase,
      })
      lastTick = { at: now, acked, deliveries }
    }, 250)

    // Chaos: restart a random consumer; with a broker process, every third event kills the broker.
    let chaosStop = false
    let chaosTimer: ReturnType<typeof cancellableSleep> | undefined
    const chaosLoop = (async () => {
      if (options.chaos !== true) return
      const mean = options.chaosIntervalMs ?? 5_000
      let events = 0
      while (!chaosStop) {
        chaosTimer = cancellableSleep(mean * (0.5 + Math.random()))
        await chaosTimer.done
        if (chaosStop) break
        events++
        if (target.kill !== undefined && events % 3 === 0) {
          chaos.push({ atMs: Math.round(elapsed()), kind: 'broker-kill', detail: 'SIGKILL, restart on the same port and data' })
          await target.kill().catch((error: unknown) => errors.push(`chaos restart: ${String(error)}`))
          continue
        }
        const index = Math.floor(Math.random() * consumers.length)
        const victim = consumers[index]!
        victim.abort.abort()
        await victim.done
        victim.port.close()
        const replacement = startConsumer(victim.group!)
        consumers[index] = replacement
        chaos.push({ atMs: Math.round(elapsed()), kind: 'consumer-restart', detail: `${victim.session} terminated, ${replacement.session} started` })
      }
    })()

    // Produce phase.
    const producersDone = Promise.all(producers.map((p) => p.done))
    if (options.durationMs !== undefined) {
      const timer = cancellableSleep(options.durationMs)
      await Promise.race([producersDone, timer.done])
      timer.cancel()
      for (const p of producers) p.port.postMessage({ type: 'stop' })
    }
    await producersDone
    const produceSeconds = (performance.now() - produceStarted) / 1000
    phase = 'draining'
    // Chaos ends with the produce phase: members restarted faster than a rebalance completes
    // (a terminated member holds its partitions until its session times out) would never drain.
    chaosStop = true
    chaosTimer?.cancel()
    await chaosLoop

    // Drain: until every group has every acknowledged record, or the timeout.
    const drainDeadline = performance.now() + (options.drainTimeoutMs ?? 30_000)
    let drained = false
    while (performance.now() < drainDeadline) {
      await sleep(250)
      if (verifier.caughtUp()) { drained = true; break }
    }
    for (const c of consumers) c.port.postMessage({ type: 'stop' })
    // A member that does not leave within 15 s is terminated; the timer is cancelled otherwise,
    // or it alone would keep the process alive for 15 s after the report.
    await Promise.all(consumers.map(async (c) => {
      const timer = cancellableSleep(15_000)
      await Promise.race([c.done, timer.done.then((elapsed) => { if (elapsed) c.abort.abort() })])
      timer.cancel()
    }))
    clearInterval(ticker)
    for (const task of [...producers, ...consumers]) task.port.close()

    const verification = verifier.result()
    const durationMs = elapsed()
    const acked = verification.acked
    sent = acked + inDoubt
    return {
      ok: verification.ok,
      config: { ...withoutProgress(options), mode: target.mode, topic },
      durationMs: Math.round(durationMs),
      produceSeconds: Math.round(produceSeconds * 1000) / 1000,
      produced: {
        sent, acked, inDoubt, bytes: acked * options.size,
        recordsPerSec: Math.round(acked / produceSeconds), mbPerSec: Math.round((acked * options.size) / produceSeconds / 1e4) / 100,
      },
      consumed: { deliveries, recordsPerSec: Math.round(deliveries / ((performance.now() - produceStarted) / 1000)) },
      latency: { produceAck: summary(produceHistogram), endToEnd: summary(e2eHistogram) },
      verification,
      drained,
      chaos,
      errors,
      memory: memory.summary(),
    }
  } finally {
    await pool.destroy().catch(() => {})
    await target.close().catch(() => {})
  }
}

function withoutProgress(options: LoadTestOptions): Omit<LoadTestOptions, 'onProgress'> {
  const { onProgress: _ignored, ...rest } = options
  return rest
}
