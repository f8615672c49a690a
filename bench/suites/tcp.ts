/**
 * The Kafka protocol end to end, broker in its own process: kafkajs producing batches of 1,000
 * records of 100 bytes and consuming them in a group, kcat (librdkafka) producing and consuming
 * when it is installed, and the broker's memory per connection under a flood of max-size frames.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Kafka, logLevel } from 'kafkajs'
import { LIMITS } from '../../src/limits.js'
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { formatSummary, summarize, type Summary } from '../stats.js'
import type { SuiteContext, SuiteResult } from '../suite.js'
import { startTcpBroker, type TcpBroker } from '../tcp-broker.js'

const VALUE_BYTES = 100
const BATCH = 1_000

export async function tcpSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const rows: unknown[] = []
  const records = Math.round(500_000 * scale)
  /** Runs `run` on a fresh broker per round; also reports how busy this (the client's) process was. */
  const measure = async (name: string, run: (broker: TcpBroker) => Promise<Timed>) => {
    const rates: number[] = []
    const clientCpu: number[] = []
    for (let round = -1; round < rounds; round++) {
      const broker = await startTcpBroker()
      try {
        const { elapsedMs, cpuMs } = await run(broker)
        if (round >= 0) {
          rates.push((records / elapsedMs) * 1000)
          clientCpu.push((cpuMs / elapsedMs) * 100)
        }
      } finally {
        await broker.stop()
      }
    }
    const summary = summarize(rates)
    const cpu = summarize(clientCpu).median
    print(`${name}: ${formatSummary(summary, 'records/s')}, benchmark process CPU ${cpu.toFixed(0)}%`)
    rows.push({ name, records, valueBytes: VALUE_BYTES, recordsPerSecond: summary, clientProcessCpuPercent: cpu })
    return summary
  }

  for (const acks of [1, -1] as const) {
    await measure(`broker ingest: pre-encoded Produce v7 batches of ${BATCH}, 2 connections, acks=${acks}`, (broker) => rawProduce(broker.bootstrap, records, acks))
  }
  for (const acks of [1, -1] as const) {
    await measure(`kafkajs produce, batches of ${BATCH}, acks=${acks}`, (broker) => kafkajsProduce(broker.bootstrap, records, acks))
  }
  await measure('kafkajs consume (group of 1, eachBatch)', async (broker) => {
    await kafkajsProduce(broker.bootstrap, records, 1)
    return kafkajsConsume(broker.bootstrap, records)
  })
  if (hasKcat()) {
    const file = linesFile(records)
    try {
      for (const codec of ['none', 'lz4'] as const) {
        await measure(`kcat produce (librdkafka, acks=-1, ${codec})`, (broker) => kcatProduce(broker.bootstrap, file, codec))
      }
      await measure('kcat consume (librdkafka)', async (broker) => {
        await kcatProduce(broker.bootstrap, file, 'none')
        return kcatConsume(broker.bootstrap, records)
      })
    } finally {
      rmSync(file, { force: true })
    }
  } else {
    print('kcat: not installed (apt-get install kcat), skipped')
  }
  rows.push(await floodMemory(print))
  return { name: 'tcp', rows }
}

/** Wall time of the measured part, and the CPU this process spent in it (the client's, for kafkajs). */
interface Timed {
  elapsedMs: number
  cpuMs: number
}

function startTimer(): () => Timed {
  const started = performance.now()
  const cpu = process.cpuUsage()
  return () => {
    const used = process.cpuUsage(cpu)
    return { elapsedMs: performance.now() - started, cpuMs: (used.user + used.system) / 1000 }
  }
}

function client(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'brook-bench', brokers: [bootstrap], logLevel: logLevel.NOTHING })
}

/** kafkajs sends of 1,000 records, four in flight. */
async function kafkajsProduce(bootstrap: string, records: number, acks: 1 | -1): Promise<Timed> {
  const kafka = client(bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'bench', numPartitions: 1 }] })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  const value = Buffer.alloc(VALUE_BYTES, 0x61)
  const messages = Array.from({ length: BATCH }, () => ({ value }))
  let sent = 0
  const stop = startTimer()
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (sent < records) {
        const count = Math.min(BATCH, records - sent)
        sent += count
        await producer.send({ topic: 'bench', acks, messages: count === BATCH ? messages : messages.slice(0, count) })
      }
    }),
  )
  const timed = stop()
  await producer.disconnect()
  return timed
}

/** A kafkajs consumer group of one reading `records` from the start, timed from its first batch (after the group join). */
async function kafkajsConsume(bootstrap: string, records: number): Promise<Timed> {
  const consumer = client(bootstrap).consumer({ groupId: 'bench', maxBytesPerPartition: 4 << 20, maxBytes: 16 << 20 })
  await consumer.connect()
  await consumer.subscribe({ topic: 'bench', fromBeginning: true })
  let seen = 0
  let stop: (() => Timed) | null = null
  const done = new Promise<Timed>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        stop ??= startTimer()
        seen += batch.messages.length
        if (seen >= records) resolve(stop())
      },
    })
  })
  const timed = await done
  await consumer.disconnect()
  return timed
}

/**
 * The broker's own ingest rate over TCP, without a client's encoding cost: the same batch of
 * 1,000 records sent as Produce v7 over 2 connections, 4 requests pipelined on each.
 */
async function rawProduce(bootstrap: string, records: number, acks: 1 | -1): Promise<Timed> {
  const kafka = client(bootstrap)
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic: 'bench', numPartitions: 2 }] })
  await admin.disconnect()
  const builder = new RecordBatchBuilder()
  const value = Buffer.alloc(VALUE_BYTES, 0x61)
  for (let i = 0; i < BATCH; i++) builder.append(null, value, null, Date.now())
  const batch = builder.finish()
  const [host, port] = bootstrap.split(':') as [string, string]
  const perConnection = Math.ceil(records / BATCH / 2)
  const stop = startTimer()
  await Promise.all(
    [0, 1].map(
      (partition) =>
        new Promise<void>((resolve, reject) => {
          const frame = requestFrame(0, 7, produceBody('bench', partition, batch, acks))
          let sent = 0
          let answered = 0
          let pending = Buffer.alloc(0)
          const socket = connect({ host, port: Number(port) }, () => {
            for (; sent < Math.min(4, perConnection); sent++) socket.write(frame)
          })
          socket.on('error', reject)
          socket.on('data', (chunk: Buffer) => {
            pending = Buffer.concat([pending, chunk])
            while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
              pending = pending.subarray(4 + pending.readInt32BE(0))
              answered++
              if (sent < perConnection) {
                socket.write(frame)
                sent++
              } else if (answered === perConnection) {
                socket.destroy()
                resolve()
              }
            }
          })
        }),
    ),
  )
  return stop()
}

function produceBody(topic: string, partition: number, records: Buffer, acks: number): Buffer {
  const name = Buffer.from(topic)
  const body = Buffer.alloc(2 + 2 + 4 + 4 + 2 + name.length + 4 + 4 + 4 + records.length)
  let at = body.writeInt16BE(-1, 0)
  at = body.writeInt16BE(acks, at)
  at = body.writeInt32BE(30_000, at)
  at = body.writeInt32BE(1, at)
  at = body.writeInt16BE(name.length, at)
  at += name.copy(body, at)
  at = body.writeInt32BE(1, at)
  at = body.writeInt32BE(partition, at)
  at = body.writeInt32BE(records.length, at)
  records.copy(body, at)
  return body
}

function hasKcat(): boolean {
  return spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0
}

function linesFile(records: number): string {
  const file = join(mkdtempSync(join(tmpdir(), 'brook-kcat-')), 'lines.txt')
  const line = `${'a'.repeat(VALUE_BYTES)}\n`
  writeFileSync(file, line.repeat(records))
  return file
}

/** Runs a client process to its end; its CPU is not this process's, so cpuMs is ~0. */
function timedProcess(command: string, args: string[]): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const stop = startTimer()
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'inherit'] })
    child.once('exit', (code) => (code === 0 ? resolve(stop()) : reject(new Error(`${command} exited with ${code}`))))
  })
}

function kcatProduce(bootstrap: string, file: string, codec: 'none' | 'lz4'): Promise<Timed> {
  return timedProcess('kcat', ['-P', '-b', bootstrap, '-t', 'bench', '-z', codec, '-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-l', file])
}

function kcatConsume(bootstrap: string, records: number): Promise<Timed> {
  return timedProcess('kcat', ['-C', '-b', bootstrap, '-t', 'bench', '-o', 'beginning', '-c', String(records), '-q', '-f', '%s'])
}

/**
 * 16 connections each sending max-size (8 MiB) Produce frames as fast as the socket takes them
 * for 5 s, never reading a response. Reports the broker's peak RSS above its idle RSS per connection.
 */
async function floodMemory(print: (line: string) => void): Promise<unknown> {
  const broker = await startTcpBroker()
  const connections = 16
  const durationMs = 5_000
  try {
    const [host, port] = broker.bootstrap.split(':') as [string, string]
    const idle = broker.rssBytes()
    let peak = idle
    let framesSent = 0
    const frame = maxSizeProduceFrame()
    const sampler = setInterval(() => (peak = Math.max(peak, broker.rssBytes())), 50)
    const until = Date.now() + durationMs
    await Promise.all(
      Array.from({ length: connections }, () =>
        new Promise<void>((resolve) => {
          const socket = connect({ host, port: Number(port) }, () => {
            // Frames past 512 KiB are allowed only after a first valid request has been answered.
            socket.write(apiVersionsFrame())
            socket.once('data', () => pump())
            const pump = () => {
              while (Date.now() < until) {
                framesSent++
                if (!socket.write(frame)) return void socket.once('drain', pump)
              }
              socket.destroy()
              resolve()
            }
          })
          socket.on('error', () => resolve())
        }),
      ),
    )
    clearInterval(sampler)
    const perConnection = (peak - idle) / connections
    const summary: Summary = summarize([perConnection])
    print(`flood of ${LIMITS.maxFrameBytes / 2 ** 20} MiB frames over ${connections} connections for ${durationMs / 1000} s (${framesSent} frames queued by clients): broker RSS ${mib(idle)} idle, ${mib(peak)} peak, ${mib(perConnection)} per connection`)
    return { name: 'flood', connections, framesSent, idleRssBytes: idle, peakRssBytes: peak, perConnectionBytes: summary }
  } finally {
    await broker.stop()
  }
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`
}

function requestFrame(apiKey: number, apiVersion: number, body: Buffer): Buffer {
  const header = Buffer.alloc(14)
  header.writeInt32BE(10 + body.length, 0)
  header.writeInt16BE(apiKey, 4)
  header.writeInt16BE(apiVersion, 6)
  header.writeInt32BE(1, 8)
  header.writeInt16BE(-1, 12)
  return Buffer.concat([header, body])
}

function apiVersionsFrame(): Buffer {
  return requestFrame(18, 0, Buffer.alloc(0))
}

/** A Produce v7 whose one record set fills the frame limit, to a topic that does not exist. */
function maxSizeProduceFrame(): Buffer {
  const overhead = 10 + produceBody('flood', 0, Buffer.alloc(0), 1).length
  return requestFrame(0, 7, produceBody('flood', 0, Buffer.alloc(LIMITS.maxFrameBytes - overhead), 1))
}
