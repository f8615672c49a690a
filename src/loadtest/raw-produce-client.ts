/**
 * A minimal Produce v3 client for the load test's producers: one TCP connection to one broker,
 * requests pipelined (matched to responses by correlation id), record batches built with brook's
 * own RecordBatchBuilder. kafkajs spends ~20 µs of CPU per record to produce (object spreads,
 * per-record Buffers, an O(n²) grouping per partition), which on a 2-core machine caps the
 * harness far below what the broker takes; this costs ~1 µs. It speaks to the bootstrap broker
 * only — brook is a single node; a partition led elsewhere comes back as an error (in doubt).
 */
import { connect, type Socket } from 'node:net'
import { RecordBatchBuilder } from '../protocol/record-batch-builder.js'

const PRODUCE = 0
const VERSION = 3

export interface PartitionResult {
  partition: number
  errorCode: number
  baseOffset: number
}

interface Waiting {
  resolve: (response: Buffer) => void
  reject: (error: Error) => void
}

export class RawProduceClient {
  private correlationId = 0
  private readonly waiting = new Map<number, Waiting>()
  private pending: Buffer[] = []
  private pendingBytes = 0
  private failure: Error | undefined

  private constructor(private readonly socket: Socket, private readonly clientId: Buffer) {
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    const fail = (error: Error): void => {
      this.failure ??= error
      for (const waiting of this.waiting.values()) waiting.reject(error)
      this.waiting.clear()
    }
    socket.on('error', fail)
    socket.on('close', () => fail(new Error('connection closed')))
  }

  static connect(bootstrap: string, clientId: string): Promise<RawProduceClient> {
    const [host, port] = splitHostPort(bootstrap.split(',')[0]!)
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port })
      socket.once('connect', () => { socket.off('error', reject); resolve(new RawProduceClient(socket, Buffer.from(clientId))) })
      socket.once('error', reject)
    })
  }

  /** New record batch for one partition; fill it with `append`, then pass it to `produce`. */
  static batch(): RecordBatchBuilder {
    return new RecordBatchBuilder({ initialCapacityBytes: 64 * 1024 })
  }

  /** One Produce request for `batches` (partition → finished batch) of one topic. */
  async produce(topic: string, batches: Map<number, Buffer>, acks: number, timeoutMs = 30_000): Promise<PartitionResult[]> {
    if (this.failure !== undefined) throw this.failure
    const topicBytes = Buffer.from(topic)
    let size = 2 + 2 + 4 + 2 + this.clientId.length // header: apiKey, apiVersion, correlationId, clientId
    size += 2 + 2 + 4 + 4 + 2 + topicBytes.length + 4 // transactionalId, acks, timeout, topics[1], name, partitions[]
    for (const batch of batches.values()) size += 4 + 4 + batch.length
    const head = Buffer.allocUnsafe(4 + size - sumBatchBytes(batches))
    const id = this.correlationId = (this.correlationId + 1) | 0
    let at = head.writeInt32BE(size, 0)
    at = head.writeInt16BE(PRODUCE, at)
    at = head.writeInt16BE(VERSION, at)
    at = head.writeInt32BE(id, at)
    at = head.writeInt16BE(this.clientId.length, at)
    at += this.clientId.copy(head, at)
    at = head.writeInt16BE(-1, at) // transactional_id: null
    at = head.writeInt16BE(acks, at)
    at = head.writeInt32BE(timeoutMs, at)
    at = head.writeInt32BE(1, at)
    at = head.writeInt16BE(topicBytes.length, at)
    at += topicBytes.copy(head, at)
    at = head.writeInt32BE(batches.size, at)
    // Partition headers interleave with the batches: write each header, then the batch bytes.
    const parts: Buffer[] = []
    let start = 0
    for (const [partition, batch] of batches) {
      at = head.writeInt32BE(partition, at)
      at = head.writeInt32BE(batch.length, at)
      parts.push(head.subarray(start, at), batch)
      start = at
    }
    const response = new Promise<Buffer>((resolve, reject) => this.waiting.set(id, { resolve, reject }))
    this.socket.cork()
    for (const part of parts) this.socket.write(part)
    process.nextTick(() => this.socket.uncork())
    return parseProduceResponse(await response)
  }

  /** The connection failed or closed: make a new client. */
  get broken(): boolean {
    return this.failure !== undefined
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) { resolve(); return }
      this.socket.once('close', () => resolve())
      this.socket.end()
    })
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk)
    this.pendingBytes += chunk.length
    for (;;) {
      if (this.pendingBytes < 4) return
      if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending)]
      const buffer = this.pending[0]!
      const size = buffer.readInt32BE(0)
      if (buffer.length < 4 + size) return
      const frame = buffer.subarray(4, 4 + size)
      const rest = buffer.subarray(4 + size)
      this.pending = rest.length > 0 ? [rest] : []
      this.pendingBytes = rest.length
      const id = frame.readInt32BE(0)
      const waiting = this.waiting.get(id)
      this.waiting.delete(id)
      waiting?.resolve(frame.subarray(4))
    }
  }
}

function sumBatchBytes(batches: Map<number, Buffer>): number {
  let total = 0
  for (const batch of batches.values()) total += batch.length
  return total
}

/** Produce response v3: [topic: name, [partition, error_code, base_offset, log_append_time]], throttle. */
function parseProduceResponse(body: Buffer): PartitionResult[] {
  const results: PartitionResult[] = []
  let at = 0
  const topics = body.readInt32BE(at); at += 4
  for (let t = 0; t < topics; t++) {
    at += 2 + body.readInt16BE(at)
    const partitions = body.readInt32BE(at); at += 4
    for (let p = 0; p < partitions; p++) {
      const partition = body.readInt32BE(at)
      const errorCode = body.readInt16BE(at + 4)
      const baseOffset = Number(body.readBigInt64BE(at + 6))
      at += 4 + 2 + 8 + 8
      results.push({ partition, errorCode, baseOffset })
    }
  }
  return results
}

function splitHostPort(address: string): [string, number] {
  const colon = address.lastIndexOf(':')
  return [address.slice(0, colon).replace(/^\[|\]$/g, ''), Number(address.slice(colon + 1))]
}
