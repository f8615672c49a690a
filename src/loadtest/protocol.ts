/**
 * What the load test's main thread and its worker tasks (workers/loadtest-worker.ts) exchange.
 * A record's value starts with a 16-byte header: producerId (u32), sequence (u32, per producer
 * and partition), send time (f64, ms since epoch, Date.now()+performance fraction), then padding.
 */
import type { MessagePort } from 'node:worker_threads'
import type { AckRange, InDoubtRange } from './verifier.js'

export const HEADER_BYTES = 16

export interface ProducerTask {
  role: 'producer'
  port: MessagePort
  bootstrap: string
  topic: string
  producerId: number
  partitions: number
  /** Records per second for this producer; 0 = as fast as possible. */
  rate: number
  /** Stop after this many records (0 = until told to stop). */
  messages: number
  size: number
  keys: number
  /** Records per send. */
  batchSize: number
  /** Produce with kafkajs, or brook's own encoder over a socket (see producer-client.ts). */
  client: 'raw' | 'kafkajs'
  /** Sends in flight at once (each on its own partitions, so order per partition holds). */
  inFlight: number
}

export interface ConsumerTask {
  role: 'consumer'
  port: MessagePort
  bootstrap: string
  topic: string
  group: string
  session: string
}

export type LoadTask = ProducerTask | ConsumerTask

/** Worker → main. */
export type WorkerMessage =
  | { type: 'acked'; ranges: AckRange[]; latencies: number[] }
  | { type: 'in-doubt'; ranges: InDoubtRange[]; error: string }
  | {
    /**
     * One kafkajs batch (one partition), in columns whose buffers are transferred, not copied:
     * a message per record would cost the main thread — the embedded broker's event loop —
     * more than the verification itself.
     */
    type: 'observed'
    group: string
    session: string
    segment: number
    partition: number
    offset: Float64Array
    producerId: Int32Array
    sequence: Uint32Array
    /** Send → delivery, ms; -1 for a record without the header. */
    latencyMs: Float32Array
  }
  | { type: 'joined'; group: string; session: string; segment: number }
  /** A producer is connected and waits for 'go', so the produce clock starts for all at once. */
  | { type: 'ready' }
  | { type: 'error'; error: string }

/** Main → worker. */
export type MainMessage = { type: 'stop' } | { type: 'go' }

export function encodeValue(size: number, producerId: number, sequence: number, sendTimeMs: number): Buffer {
  return writeHeader(Buffer.alloc(Math.max(size, HEADER_BYTES)), producerId, sequence, sendTimeMs)
}

/** Writes the header into an existing value buffer (producers reuse one: the encoder copies it). */
export function writeHeader(value: Buffer, producerId: number, sequence: number, sendTimeMs: number): Buffer {
  value.writeUInt32BE(producerId, 0)
  value.writeUInt32BE(sequence >>> 0, 4)
  value.writeDoubleBE(sendTimeMs, 8)
  return value
}

export function decodeValue(value: Buffer): { producerId: number; sequence: number; sendTimeMs: number } | null {
  if (value.length < HEADER_BYTES) return null
  return { producerId: value.readUInt32BE(0), sequence: value.readUInt32BE(4), sendTimeMs: value.readDoubleBE(8) }
}

/** Wall clock with sub-millisecond resolution, comparable across threads. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}
