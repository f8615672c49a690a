/**
 * The two ways a load-test producer can talk to the broker, behind one interface: kafkajs (what
 * applications use; ~20 µs of CPU per record) or RawProduceClient (brook's own batch encoder
 * over one socket; ~1 µs per record), the default, so the harness can drive the broker at the
 * rates it takes instead of measuring kafkajs.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs'
import { RawProduceClient, type PartitionResult } from './raw-produce-client.js'
import type { RecordBatchBuilder } from '../protocol/record-batch-builder.js'

export type ProducerClientKind = 'raw' | 'kafkajs'

/** One send being filled: records are added, then sent together with acks=-1. */
export interface OutgoingSend {
  /** `value` may be reused by the caller after the call. */
  add(partition: number, key: number, value: Buffer, timestampMs: number): void
  send(): Promise<PartitionResult[]>
}

export interface ProducerClient {
  begin(): OutgoingSend
  close(): Promise<void>
}

export function kafkajsClient(bootstrap: string, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: bootstrap.split(','),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    requestTimeout: 30_000,
    // Generous: a broker killed by --chaos comes back within seconds.
    retry: { retries: 30, initialRetryTime: 100, maxRetryTime: 1_000 },
  })
}

export async function openProducerClient(kind: ProducerClientKind, bootstrap: string, clientId: string, topic: string, keys: number): Promise<ProducerClient> {
  return kind === 'raw' ? openRaw(bootstrap, clientId, topic, keys) : openKafkajs(bootstrap, clientId, topic, keys)
}

async function openKafkajs(bootstrap: string, clientId: string, topic: string, keys: number): Promise<ProducerClient> {
  const producer: Producer = kafkajsClient(bootstrap, clientId).producer({ allowAutoTopicCreation: false, idempotent: false })
  await producer.connect()
  // Key strings made once: a template string per record shows in the profile.
  const keyText = Array.from({ length: keys }, (_, key) => `key-${key}`)
  return {
    begin: () => {
      const messages: Array<{ key: string; partition: number; value: Buffer; timestamp: string }> = []
      return {
        add: (partition, key, value, timestampMs) => {
          messages.push({ key: keyText[key]!, partition, value: Buffer.from(value), timestamp: String(Math.floor(timestampMs)) })
        },
        send: async () => {
          const results = await producer.send({ topic, acks: -1, messages })
          return results.map((r) => ({ partition: r.partition, errorCode: r.errorCode, baseOffset: r.baseOffset === undefined ? -1 : Number(r.baseOffset) }))
        },
      }
    },
    close: () => producer.disconnect(),
  }
}

async function openRaw(bootstrap: string, clientId: string, topic: string, keys: number): Promise<ProducerClient> {
  // A connection lost to a --chaos broker kill is replaced on the next send; that send's records
  // are reported in doubt by the caller, as with kafkajs.
  let client = await RawProduceClient.connect(bootstrap, clientId)
  let reconnecting: Promise<RawProduceClient> | undefined
  const current = async (): Promise<RawProduceClient> => {
    if (!client.broken) return client
    reconnecting ??= RawProduceClient.connect(bootstrap, clientId).finally(() => { reconnecting = undefined })
    client = await reconnecting
    return client
  }
  const keyBytes = Array.from({ length: keys }, (_, key) => Buffer.from(`key-${key}`))
  return {
    begin: () => {
      const batches = new Map<number, RecordBatchBuilder>()
      return {
        add: (partition, key, value, timestampMs) => {
          let batch = batches.get(partition)
          if (batch === undefined) batches.set(partition, batch = RawProduceClient.batch())
          batch.append(keyBytes[key]!, value, null, Math.floor(timestampMs))
        },
        send: async () => {
          const finished = new Map<number, Buffer>()
          for (const [partition, batch] of batches) finished.set(partition, batch.finish())
          return (await current()).produce(topic, finished, -1)
        },
      }
    },
    close: () => client.close(),
  }
}
