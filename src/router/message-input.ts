/**
 * Turns a kafkajs-shaped message into the bytes the record encoder needs, rejecting anything
 * that is not a Buffer, string or null with a typed error before a single byte is written.
 */
import { BrokerError } from '../errors.js'
import type { RecordHeaders } from '../protocol/record-batch.js'

export type HeaderValue = Buffer | string | null | undefined | Array<Buffer | string | null>

export interface Message {
  key?: Buffer | Uint8Array | string | null
  value: Buffer | Uint8Array | string | null
  headers?: Record<string, HeaderValue>
  /** An explicit partition wins over the partitioner. */
  partition?: number
  /** Milliseconds since the epoch (string like kafkajs, or number); defaults to now. */
  timestamp?: string | number
}

export interface NormalizedMessage {
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeaders | null
  partition: number | undefined
  timestampMs: number
  /** Upper bound of this record's bytes inside a batch, for size limits. */
  sizeBytes: number
}

/** Worst-case bytes a record adds besides key, value and headers: length, attributes, deltas, two lengths, header count. */
const RECORD_OVERHEAD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5

function toBytes(field: string, value: unknown, index: number): Buffer | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return Buffer.from(value, 'utf8')
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new BrokerError('INVALID_RECORD', `message ${index}: ${field} must be a Buffer, a string or null, got ${describe(value)}`, { index, field })
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : typeof value
}

function toHeaders(headers: unknown, index: number): { headers: RecordHeaders | null; bytes: number } {
  if (headers === undefined || headers === null) return { headers: null, bytes: 0 }
  if (typeof headers !== 'object' || Array.isArray(headers)) {
    throw new BrokerError('INVALID_RECORD', `message ${index}: headers must be an object of string keys`, { index, field: 'headers' })
  }
  const list: RecordHeaders = []
  let bytes = 0
  for (const [name, raw] of Object.entries(headers as Record<string, unknown>)) {
    if (raw === undefined) continue
    for (const value of Array.isArray(raw) ? raw : [raw]) {
      const encoded = toBytes(`header ${JSON.stringify(name)}`, value, index)
      list.push([name, encoded])
      bytes += Buffer.byteLength(name) + (encoded?.length ?? 0) + 10
    }
  }
  return { headers: list.length > 0 ? list : null, bytes }
}

function toTimestamp(value: unknown, index: number, now: number): number {
  if (value === undefined || value === null) return now
  const timestampMs = typeof value === 'string' ? Number(value) : value
  if (typeof timestampMs !== 'number' || !Number.isSafeInteger(timestampMs) || timestampMs < 0) {
    throw new BrokerError('INVALID_RECORD', `message ${index}: timestamp must be non-negative integer milliseconds, got ${String(value)}`, { index, field: 'timestamp' })
  }
  return timestampMs
}

export function normalizeMessage(message: unknown, index: number, now: number): NormalizedMessage {
  if (typeof message !== 'object' || message === null) {
    throw new BrokerError('INVALID_RECORD', `message ${index} must be an object with a value`, { index })
  }
  const input = message as Message
  if (!('value' in input)) throw new BrokerError('INVALID_RECORD', `message ${index} has no value (use null for a tombstone)`, { index, field: 'value' })
  const key = toBytes('key', input.key, index)
  const value = toBytes('value', input.value, index)
  const { headers, bytes: headerBytes } = toHeaders(input.headers, index)
  if (input.partition !== undefined && (!Number.isInteger(input.partition) || input.partition < 0)) {
    throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `message ${index}: partition must be a non-negative integer, got ${String(input.partition)}`, { index })
  }
  return {
    key,
    value,
    headers,
    partition: input.partition,
    timestampMs: toTimestamp(input.timestamp, index, now),
    sizeBytes: RECORD_OVERHEAD_BYTES + (key?.length ?? 0) + (value?.length ?? 0) + headerBytes,
  }
}
