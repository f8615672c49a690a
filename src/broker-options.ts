/** The options of `Broker.open`, and their checks: every bad option is a typed error before anything opens. */
import { availableParallelism } from 'node:os'
import { BrokerError } from './errors.js'
import { LIMITS } from './limits.js'
import type { CoordinatorOptions } from './coordinator/group-types.js'

export interface BrokerOptions {
  /** Where topics, partitions and metadata live. */
  dataDir: string
  /** Partition worker threads; partitions are spread over them. Default: available cores. */
  workers?: number
  /** Create a topic on first produce to it (Kafka's auto.create.topics.enable). Default false. */
  autoCreateTopics?: boolean
  /** Partitions of an auto-created topic (Kafka's num.partitions). Default 1. */
  defaultPartitions?: number
  /** "Now" for retention (record ages); injectable so tests run retention instantly. Default Date.now. */
  clock?: () => number
  /** How often retention runs (Kafka's log.retention.check.interval.ms). Default LIMITS.retentionCheckIntervalMs. */
  retentionCheckIntervalMs?: number
  /** Group coordinator settings (session timeout bounds, initial rebalance delay, clock). */
  groups?: CoordinatorOptions
}

/** setInterval's largest delay. */
const MAX_TIMER_MS = 0x7fffffff

export function checkBrokerOptions(options: BrokerOptions): { workers: number; clock: () => number; retentionCheckIntervalMs: number } {
  if (typeof options?.dataDir !== 'string' || options.dataDir === '') {
    throw new BrokerError('INVALID_REQUEST', 'Broker.open needs { dataDir }')
  }
  const workers = options.workers ?? availableParallelism()
  if (!Number.isInteger(workers) || workers < 1) throw new BrokerError('INVALID_REQUEST', `workers must be a positive integer, got ${String(workers)}`)
  const clock = options.clock ?? Date.now
  if (typeof clock !== 'function') throw new BrokerError('INVALID_REQUEST', 'clock must be a function returning milliseconds')
  const retentionCheckIntervalMs = options.retentionCheckIntervalMs ?? LIMITS.retentionCheckIntervalMs
  if (!Number.isInteger(retentionCheckIntervalMs) || retentionCheckIntervalMs < 1 || retentionCheckIntervalMs > MAX_TIMER_MS) {
    throw new BrokerError('INVALID_REQUEST', `retentionCheckIntervalMs must be an integer in [1, ${MAX_TIMER_MS}], got ${String(retentionCheckIntervalMs)}`)
  }
  return { workers, clock, retentionCheckIntervalMs }
}
