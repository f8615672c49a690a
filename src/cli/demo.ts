/**
 * `brook demo` (what `npm start` runs until the TCP listener exists): opens a broker in a data
 * directory, creates a topic, produces records with acks=all, reads them all back, checks them,
 * and prints what happened and how fast.
 */
import { Broker } from '../broker.js'

export interface DemoOptions {
  dataDir: string
  records: number
  partitions: number
  valueBytes: number
  print: (line: string) => void
}

export async function runDemo({ dataDir, records, partitions, valueBytes, print }: DemoOptions): Promise<void> {
  const openedAt = performance.now()
  const broker = await Broker.open({ dataDir })
  print(`opened broker in ${dataDir} in ${(performance.now() - openedAt).toFixed(0)} ms`)
  try {
    const admin = broker.admin()
    const topic = `demo-${Date.now()}`
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] })
    print(`created topic ${topic} with ${partitions} partitions`)

    const producer = broker.producer({ acks: -1 })
    const value = Buffer.alloc(valueBytes, 'x')
    const sendStarted = performance.now()
    const chunk = 1000
    const sends: Promise<unknown>[] = []
    for (let start = 0; start < records; start += chunk) {
      const messages = []
      for (let i = start; i < Math.min(start + chunk, records); i++) messages.push({ key: `key-${i % 1000}`, value })
      sends.push(producer.send({ topic, messages }))
    }
    await Promise.all(sends)
    const sendMs = performance.now() - sendStarted
    print(`produced ${records.toLocaleString('en-US')} records of ${valueBytes} bytes with acks=all (fsynced) in ${sendMs.toFixed(0)} ms: ${rate(records, sendMs)} records/s`)

    const offsets = await admin.fetchTopicOffsets(topic)
    print(`partition high watermarks: ${offsets.map((entry) => `${entry.partition}:${entry.high}`).join(' ')}`)

    const readStarted = performance.now()
    let read = 0
    for (const { partition, high } of offsets) {
      let offset = 0
      while (offset < Number(high)) {
        const { records: batch } = await broker.fetch({ topic, partition, offset, maxBytes: 4 << 20 })
        for (const record of batch) {
          if (Number(record.offset) !== offset) throw new Error(`partition ${partition}: expected offset ${offset}, got ${record.offset}`)
          if (record.value?.length !== valueBytes) throw new Error(`partition ${partition} offset ${offset}: value has ${record.value?.length} bytes`)
          offset++
        }
        read += batch.length
      }
    }
    const readMs = performance.now() - readStarted
    if (read !== records) throw new Error(`read back ${read} records, expected ${records}`)
    print(`read back all ${read.toLocaleString('en-US')} records, offsets dense and in order, in ${readMs.toFixed(0)} ms: ${rate(read, readMs)} records/s`)
    await admin.deleteTopics({ topics: [topic] })
    print(`deleted topic ${topic}`)
  } finally {
    await broker.close()
  }
}

function rate(count: number, ms: number): string {
  return Math.round((count / ms) * 1000).toLocaleString('en-US')
}
