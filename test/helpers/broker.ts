import type { ExecutionContext } from 'ava'
import { Broker, type BrokerOptions } from '../../src/index.js'
import { tempDir } from './temp-dir.js'

/** Opens a broker on a fresh data dir; closes it when the test ends. */
export async function openBroker(t: ExecutionContext, options: Partial<BrokerOptions> = {}): Promise<Broker> {
  const dataDir = options.dataDir ?? tempDir(t)
  const broker = await Broker.open({ workers: 2, ...options, dataDir })
  t.teardown(() => broker.close())
  return broker
}

/** Reads a partition from `from` to its high watermark. */
export async function readAll(broker: Broker, topic: string, partition: number, from = 0) {
  const records = []
  let offset = from
  for (;;) {
    const result = await broker.fetch({ topic, partition, offset, maxBytes: 1 << 20 })
    records.push(...result.records)
    if (result.records.length === 0 || offset >= Number(result.highWatermark)) break
    offset = Number(result.records[result.records.length - 1].offset) + 1
    if (offset >= Number(result.highWatermark)) break
  }
  return records
}
