/** Shared pieces of the storage tests: small configs, filling a log, checking every offset. */
import { cpSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import type { ExecutionContext } from 'ava'
import type { LogConfig } from '../../src/storage/log-config.js'
import type { PartitionLog } from '../../src/storage/partition-log.js'
import { realFs, type FsLike } from '../../src/storage/fs.js'
import { listBatches, makeBatch, random } from './make-batch.js'

export function testConfig(overrides: Partial<LogConfig> = {}): LogConfig {
  return { segmentBytes: 1 << 20, segmentMs: 7 * 24 * 3600 * 1000, indexIntervalBytes: 256, maxMessageBytes: 1 << 20, ...overrides }
}

export interface StoredBatch {
  baseOffset: number
  lastOffset: number
  /** The bytes as stored (baseOffset assigned). */
  bytes: Buffer
}

/**
 * Appends `count` batches of 1..maxRecords records and 20..maxPayload bytes, one append call each
 * (or `perCall` batches per call), returning them as stored.
 */
export function fill(log: PartitionLog, count: number, options: { seed?: number; maxRecords?: number; maxPayload?: number; perCall?: number; timestamp?: (i: number) => number } = {}): StoredBatch[] {
  const next = random(options.seed ?? 1)
  const stored: StoredBatch[] = []
  const perCall = options.perCall ?? 1
  for (let i = 0; i < count; i += perCall) {
    const batches: Buffer[] = []
    for (let j = i; j < Math.min(count, i + perCall); j++) {
      const records = 1 + Math.floor(next() * (options.maxRecords ?? 5))
      const payloadBytes = 20 + Math.floor(next() * (options.maxPayload ?? 200))
      const timestamp = options.timestamp?.(j) ?? 1_700_000_000_000 + j * 10
      batches.push(makeBatch({ records, payloadBytes, timestamp, seed: (options.seed ?? 1) * 100_000 + j }))
    }
    const bytes = Buffer.concat(batches)
    const result = log.append(bytes)
    for (const batch of listBatches(bytes)) {
      stored.push({ baseOffset: batch.baseOffset, lastOffset: batch.lastOffset, bytes: Buffer.from(bytes.subarray(batch.position, batch.position + batch.sizeBytes)) })
    }
    if (result.baseOffset !== stored[stored.length - batches.length]!.baseOffset) throw new Error('append result disagrees with the stored bytes')
  }
  return stored
}

/** The stored batch holding `offset`. */
export function batchHolding(stored: StoredBatch[], offset: number): StoredBatch {
  const found = stored.find((batch) => batch.baseOffset <= offset && offset <= batch.lastOffset)
  if (found === undefined) throw new Error(`no batch holds offset ${offset}`)
  return found
}

/** Reads at every offset (1-batch reads) and checks that the first batch returned is the one holding it. */
export function checkEveryOffset(t: ExecutionContext, log: PartitionLog, stored: StoredBatch[], maxOffset?: number): boolean {
  let wrong = 0
  for (const batch of stored) {
    for (let offset = batch.baseOffset; offset <= batch.lastOffset; offset++) {
      const bytes = log.read(offset, 1, maxOffset)
      if (!bytes.equals(batch.bytes)) wrong += 1
    }
  }
  return t.is(wrong, 0, 'every offset reads back the batch holding it')
}

export function copyDir(from: string, to: string): void {
  cpSync(from, to, { recursive: true })
}

export function segmentFiles(dir: string, suffix = '.log'): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(suffix))
    .sort()
}

export function fileSizes(dir: string): Record<string, number> {
  return Object.fromEntries(readdirSync(dir).map((name) => [name, statSync(join(dir, name)).size]))
}

/** An FsLike whose first fdatasync waits until `release()` is called (later ones run at once). */
export function gatedFdatasyncFs(base: FsLike = realFs): { fs: FsLike; release: () => void } {
  let open: (() => void) | null = null
  let released = false
  const gate = new Promise<void>((resolve) => {
    open = resolve
  })
  let first = true
  const fs: FsLike = {
    ...base,
    fdatasync: async (fd) => {
      if (first && !released) {
        first = false
        await gate
      }
      await base.fdatasync(fd)
    },
  }
  return {
    fs,
    release: () => {
      released = true
      open!()
    },
  }
}
