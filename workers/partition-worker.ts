/**
 * A partition worker thread (a shard): hosts many partition actors. Control calls arrive over
 * comlink on the parent port; record batches arrive on a dedicated MessagePort (the data plane)
 * as transferred buffers, and replies go back the same way.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import { rmSync, renameSync } from 'node:fs'
import { expose } from 'comlink'
import '../src/comlink-errors.js'
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs'
import { BrokerError, toErrorData } from '../src/errors.js'
import type { PartitionOffsets, ShardReply, ShardRequest } from '../src/shard-protocol.js'
import { toTransferable } from '../src/shard-protocol.js'
import type { LogConfig, RetentionConfig } from '../src/storage/partition-log.js'
import { PartitionActor, unknownPartition } from './partition-actor.js'

const dataPort = (workerData as { dataPort: MessagePort }).dataPort
const actors = new Map<string, PartitionActor>()

function reply(message: ShardReply, transfer: ArrayBuffer[] = []): void {
  dataPort.postMessage(message, transfer)
}

function publishHighWatermark(key: string, offsets: PartitionOffsets): void {
  reply({ t: 'hw', key, offsets })
}

function actorFor(key: string): PartitionActor {
  const actor = actors.get(key)
  if (!actor) throw unknownPartition(key)
  return actor
}

function fail(id: number, error: unknown): void {
  reply({ t: 'failed', id, error: toErrorData(error) })
}

function handleAppend(request: Extract<ShardRequest, { t: 'append' }>): void {
  const actor = actorFor(request.key)
  const bytes = Buffer.from(request.bytes, request.byteOffset, request.byteLength)
  const answer = (result: { baseOffset: number; lastOffset: number }) =>
    reply({ t: 'appended', id: request.id, baseOffset: result.baseOffset, lastOffset: result.lastOffset, offsets: actor.offsets() })
  const outcome = actor.append(bytes, request.ackLevel)
  if (outcome instanceof Promise) outcome.then(answer, (error) => fail(request.id, error))
  else answer(outcome)
}

function handleFetch(request: Extract<ShardRequest, { t: 'fetch' }>): void {
  const actor = actorFor(request.key)
  const bytes = actor.read(request.offset, request.maxBytes)
  if (bytes.length === 0) {
    reply({ t: 'fetched', id: request.id, bytes: null, byteOffset: 0, byteLength: 0, offsets: actor.offsets() })
    return
  }
  const { buffer, byteOffset, byteLength } = toTransferable(bytes)
  reply({ t: 'fetched', id: request.id, bytes: buffer, byteOffset, byteLength, offsets: actor.offsets() }, [buffer])
}

dataPort.on('message', (request: ShardRequest) => {
  try {
    if (request.t === 'append') handleAppend(request)
    else if (request.t === 'fetch') handleFetch(request)
    else if (request.t === 'crash') {
      // Test hook for the supervisor: an uncaught error kills this thread like a real bug would,
      // before the next queued request runs (so that request is in flight when the thread dies).
      process.nextTick(() => {
        throw new Error(request.message)
      })
    }
  } catch (error) {
    fail(request.id, error)
  }
})

/** The control plane, called through comlink from the main thread. */
const control = {
  /** Answers once this thread has loaded: the supervisor awaits it so a broker opens with its workers up. */
  ping(): true {
    return true
  },
  openPartition(key: string, dir: string, config: LogConfig) {
    if (actors.has(key)) throw new BrokerError('INVALID_REQUEST', `partition ${key} is already open`)
    const actor = PartitionActor.open(key, dir, config, publishHighWatermark)
    actors.set(key, actor)
    return { offsets: actor.offsets(), recovery: actor.recovery }
  },
  async closePartition(key: string): Promise<void> {
    const actor = actors.get(key)
    if (!actor) return
    actors.delete(key)
    await actor.close()
  },
  /** Closes the partition and removes its files: renamed first so a crash mid-delete leaves a `.delete` dir that open() finishes removing. */
  async deletePartition(key: string, dir: string): Promise<void> {
    await control.closePartition(key)
    const doomed = `${dir}.${Date.now()}.delete`
    try {
      renameSync(dir, doomed)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw error
    }
    rmSync(doomed, { recursive: true, force: true })
  },
  updateConfig(key: string, config: LogConfig): void {
    actorFor(key).updateConfig(config)
  },
  offsetForTimestamp(key: string, timestampMs: number): number | null {
    return actorFor(key).offsetForTimestamp(timestampMs)
  },
  applyRetention(key: string, config: RetentionConfig, nowMs: number) {
    return actorFor(key).applyRetention(config, nowMs)
  },
  describeRetention(key: string, config: RetentionConfig, nowMs: number, disabled?: string) {
    return actorFor(key).describeRetention(config, nowMs, disabled)
  },
  deleteRecordsBefore(key: string, offset: number) {
    return actorFor(key).deleteRecordsBefore(offset)
  },
  offsets(key: string): PartitionOffsets {
    return actorFor(key).offsets()
  },
  damagedRanges(key: string) {
    return actorFor(key).damagedRanges()
  },
  stats() {
    const partitions: Record<string, ReturnType<PartitionActor['stats']>> = {}
    for (const [key, actor] of actors) partitions[key] = actor.stats()
    return { partitions, memory: process.memoryUsage() }
  },
  async closeAll(): Promise<void> {
    const open = [...actors.values()]
    actors.clear()
    await Promise.all(open.map((actor) => actor.close()))
  },
}

export type ShardControl = typeof control

expose(control, nodeEndpoint(parentPort!))
