/** Options of `broker.listen()` and their checks. */
import { isIP } from 'node:net'
import { BrokerError } from '../errors.js'
import { LIMITS } from '../limits.js'

export interface ListenOptions {
  /** Default 127.0.0.1. Anything not loopback also needs `allowNonLoopback: true`. */
  host?: string
  /** Default 9092; 0 picks a free port (the chosen one is returned). */
  port?: number
  /**
   * Binding a non-loopback address exposes an unauthenticated broker to the network; brook has
   * no SASL yet, so this is refused unless explicitly allowed.
   */
  allowNonLoopback?: boolean
  /** Kafka's auto.create.topics.enable: Metadata for an unknown topic creates it. Default true. */
  autoCreateTopics?: boolean
  /** Kafka's num.partitions: partitions of an auto-created topic. Default: the broker's defaultPartitions (1). */
  numPartitions?: number
  /** Kafka's node id, returned as the only broker and the controller. Default 1. */
  nodeId?: number
  /** Host and port clients are told to connect to (Metadata). Default: the bound address. */
  advertisedHost?: string
  advertisedPort?: number
  /** Listener limits (reliability.md Part B); tests shorten the timeouts. */
  limits?: Partial<ListenerLimits>
}

export interface ListenerLimits {
  maxFrameBytes: number
  maxFirstFrameBytes: number
  frameCompleteTimeoutMs: number
  firstRequestTimeoutMs: number
  connectionIdleTimeoutMs: number
  maxConnections: number
  maxQueuedRequestsPerConnection: number
  maxOutboundBytesPerConnection: number
}

export interface ResolvedListenOptions {
  host: string
  port: number
  autoCreateTopics: boolean
  numPartitions: number
  nodeId: number
  advertisedHost: string | undefined
  advertisedPort: number | undefined
  limits: ListenerLimits
}

const DEFAULT_LIMITS: ListenerLimits = {
  maxFrameBytes: LIMITS.maxFrameBytes,
  maxFirstFrameBytes: LIMITS.maxFirstFrameBytes,
  frameCompleteTimeoutMs: LIMITS.frameCompleteTimeoutMs,
  firstRequestTimeoutMs: LIMITS.firstRequestTimeoutMs,
  connectionIdleTimeoutMs: LIMITS.connectionIdleTimeoutMs,
  maxConnections: LIMITS.maxConnections,
  maxQueuedRequestsPerConnection: LIMITS.maxQueuedRequestsPerConnection,
  maxOutboundBytesPerConnection: LIMITS.maxOutboundBytesPerConnection,
}

export function resolveListenOptions(options: ListenOptions, defaultPartitions: number): ResolvedListenOptions {
  const host = options.host ?? '127.0.0.1'
  if (typeof host !== 'string' || (isIP(host) === 0 && host !== 'localhost')) {
    throw new BrokerError('INVALID_REQUEST', `host must be an IP address or localhost, got ${String(host)}`)
  }
  if (!isLoopback(host) && options.allowNonLoopback !== true) {
    throw new BrokerError('INVALID_REQUEST', `refusing to listen on non-loopback address ${host} without authentication; pass allowNonLoopback: true (brook start --allow-non-loopback) to expose an unauthenticated broker`)
  }
  const port = options.port ?? 9092
  checkInteger('port', port, 0, 65_535)
  const numPartitions = options.numPartitions ?? defaultPartitions
  checkInteger('numPartitions', numPartitions, 1, LIMITS.maxPartitionsPerTopic)
  const nodeId = options.nodeId ?? 1
  checkInteger('nodeId', nodeId, 0, 0x7fffffff)
  const limits = { ...DEFAULT_LIMITS, ...options.limits }
  for (const [name, value] of Object.entries(limits)) checkInteger(`limits.${name}`, value, 1, Number.MAX_SAFE_INTEGER)
  if (options.advertisedPort !== undefined) checkInteger('advertisedPort', options.advertisedPort, 1, 65_535)
  return {
    host,
    port,
    autoCreateTopics: options.autoCreateTopics ?? true,
    numPartitions,
    nodeId,
    advertisedHost: options.advertisedHost,
    advertisedPort: options.advertisedPort,
    limits,
  }
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}

function checkInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new BrokerError('INVALID_REQUEST', `${name} must be an integer in [${min}, ${max}], got ${String(value)}`)
  }
}
