/** Shared workload pieces: a fresh broker in a temp dir, and a pipelined produce loop. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '../src/index.js'
import type { Acks } from '../src/index.js'

export async function withBroker<T>(run: (broker: Broker, dataDir: string) => Promise<T>, dataRoot = tmpdir()): Promise<T> {
  const dataDir = mkdtempSync(join(dataRoot, 'brook-bench-'))
  const broker = await Broker.open({ dataDir })
  try {
    return await run(broker, dataDir)
  } finally {
    await broker.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

export interface ProduceLoad {
  topic: string
  records: number
  valueBytes: number
  acks: Acks
  /** Records per send call. */
  sendSize?: number
  /** Sends kept in flight at once. */
  inFlight?: number
}

/** Produces `records` values as fast as acks allow; returns elapsed milliseconds. */
export async function produce(broker: Broker, load: ProduceLoad): Promise<number> {
  const sendSize = load.sendSize ?? 1000
  const inFlight = load.inFlight ?? 16
  const producer = broker.producer({ acks: load.acks })
  const value = Buffer.alloc(load.valueBytes, 0x61)
  const messages = Array.from({ length: sendSize }, () => ({ value }))
  const started = performance.now()
  let sent = 0
  const lanes = Array.from({ length: inFlight }, async () => {
    while (sent < load.records) {
      const count = Math.min(sendSize, load.records - sent)
      sent += count
      await producer.send({ topic: load.topic, messages: count === sendSize ? messages : messages.slice(0, count) })
    }
  })
  await Promise.all(lanes)
  const elapsed = performance.now() - started
  await producer.disconnect()
  return elapsed
}
