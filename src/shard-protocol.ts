/**
 * Messages of the data plane between the main thread and a partition worker (shard). Records
 * travel in whole RecordBatch buffers whose ArrayBuffers are transferred, never one message
 * per record. The control plane (open, close, config, stats) goes through comlink instead.
 */
import type { BrokerErrorData } from './errors.js'

/** 1: reply once written to the file; -1: reply once an fdatasync covering the batch completed. */
export type AckLevel = 1 | -1

export type ShardRequest =
  | { t: 'append'; id: number; key: string; ackLevel: AckLevel; bytes: ArrayBuffer; byteOffset: number; byteLength: number }
  | { t: 'fetch'; id: number; key: string; offset: number; maxBytes: number }
  | { t: 'crash'; id: number; message: string }

export interface PartitionOffsets {
  logStartOffset: number
  logEndOffset: number
  highWatermark: number
}

export type ShardReply =
  | { t: 'appended'; id: number; baseOffset: number; lastOffset: number; offsets: PartitionOffsets }
  | { t: 'fetched'; id: number; bytes: ArrayBuffer | null; byteOffset: number; byteLength: number; offsets: PartitionOffsets }
  | { t: 'failed'; id: number; error: BrokerErrorData }
  /** Unsolicited: a partition's high watermark (durable end) advanced. */
  | { t: 'hw'; key: string; offsets: PartitionOffsets }

/** A Buffer as a transferable: its own ArrayBuffer when it spans it whole, else a copy. */
export function toTransferable(bytes: Buffer): { buffer: ArrayBuffer; byteOffset: number; byteLength: number } {
  const whole = bytes.buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength
  if (whole) return { buffer: bytes.buffer as ArrayBuffer, byteOffset: 0, byteLength: bytes.byteLength }
  const copy = new ArrayBuffer(bytes.byteLength)
  new Uint8Array(copy).set(bytes)
  return { buffer: copy, byteOffset: 0, byteLength: bytes.byteLength }
}
