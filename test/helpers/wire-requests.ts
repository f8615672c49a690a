/** Raw Produce/Fetch/InitProducerId bodies for byte-level tests, and decoders for their responses. */
import { RecordBatchBuilder } from '../../src/protocol/record-batch-builder.js'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'

export const API = { Produce: 0, Fetch: 1, ListOffsets: 2, Metadata: 3, InitProducerId: 22, ApiVersions: 18 } as const

/** One uncompressed batch of `values` (keys k0..), optionally idempotent. */
export function batchOf(values: string[], idempotence?: { producerId: number; producerEpoch: number; baseSequence: number }): Buffer {
  const builder = new RecordBatchBuilder(idempotence ?? {})
  values.forEach((value, index) => builder.append(Buffer.from(`k${index}`), Buffer.from(value), null, 1_700_000_000_000 + index))
  return builder.finish()
}

export function produceBody(topic: string, partition: number, records: Buffer | null, acks = -1, version = 3): Buffer {
  const body = new Writer()
  if (version >= 3) body.nullableString(null)
  body.int16(acks).int32(30_000)
  body.array([topic], (w, name) => w.string(name).array([partition], (p, index) => p.int32(index).nullableBytes(records)))
  return body.toBuffer()
}

export interface ProducePartitionResponse {
  topic: string
  partition: number
  errorCode: number
  baseOffset: number
  logStartOffset?: number
}

export function parseProduceResponse(body: Buffer, version: number): ProducePartitionResponse[] {
  const reader = new Reader(body)
  const out: ProducePartitionResponse[] = []
  reader.array((t) => {
    const topic = t.string()
    t.array((p) => {
      const entry: ProducePartitionResponse = { topic, partition: p.int32(), errorCode: p.int16(), baseOffset: p.int64() }
      if (version >= 2) p.int64()
      if (version >= 5) entry.logStartOffset = p.int64()
      out.push(entry)
    }, 1)
  }, 1)
  if (version >= 1) reader.int32()
  reader.expectEnd('Produce response')
  return out
}

export function fetchBody(targets: Array<{ topic: string; partition: number; offset: number; partitionMaxBytes?: number }>, options: { version?: number; maxWaitMs?: number; minBytes?: number; maxBytes?: number } = {}): Buffer {
  const version = options.version ?? 4
  const body = new Writer().int32(-1).int32(options.maxWaitMs ?? 0).int32(options.minBytes ?? 1).int32(options.maxBytes ?? 1 << 20).int8(0)
  if (version >= 7) body.int32(0).int32(-1)
  body.array(targets, (w, target) => {
    w.string(target.topic).array([target], (p, t) => {
      p.int32(t.partition)
      if (version >= 9) p.int32(-1)
      p.int64(t.offset)
      if (version >= 5) p.int64(-1)
      p.int32(t.partitionMaxBytes ?? 1 << 20)
    })
  })
  if (version >= 7) body.array([], () => undefined)
  if (version >= 11) body.string('')
  return body.toBuffer()
}

export interface FetchPartitionResponse {
  topic: string
  partition: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset?: number
  records: Buffer
}

export function parseFetchResponse(body: Buffer, version = 4): FetchPartitionResponse[] {
  const reader = new Reader(body)
  reader.int32()
  if (version >= 7) {
    reader.int16()
    reader.int32()
  }
  const out: FetchPartitionResponse[] = []
  reader.array((t) => {
    const topic = t.string()
    t.array((p) => {
      const partition = p.int32()
      const errorCode = p.int16()
      const highWatermark = p.int64()
      const lastStableOffset = p.int64()
      const logStartOffset = version >= 5 ? p.int64() : undefined
      p.nullableArray((a) => [a.int64(), a.int64()], 16)
      if (version >= 11) p.int32()
      const records = p.nullableBytes() ?? Buffer.alloc(0)
      out.push({ topic, partition, errorCode, highWatermark, lastStableOffset, logStartOffset, records })
    }, 1)
  }, 1)
  reader.expectEnd('Fetch response')
  return out
}

export function initProducerIdBody(transactionalId: string | null = null): Buffer {
  return new Writer().nullableString(transactionalId).int32(60_000).toBuffer()
}

export function parseInitProducerId(body: Buffer): { errorCode: number; producerId: number; producerEpoch: number } {
  const reader = new Reader(body)
  reader.int32()
  return { errorCode: reader.int16(), producerId: reader.int64(), producerEpoch: reader.int16() }
}
