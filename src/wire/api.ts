/**
 * What one Kafka API handler is: its key, the versions it implements (advertised as is by
 * ApiVersions, so the range must be contiguous and every version in it handled), and a function
 * from a parsed request to a response body.
 */
import type { Reader } from './reader.js'
import type { Writer } from './writer.js'
import type { WireServer } from './wire-server.js'

export interface RequestContext {
  readonly server: WireServer
  readonly apiVersion: number
  readonly clientId: string | null
  /** The peer's address, as Kafka reports client hosts (`/127.0.0.1`). */
  readonly clientHost: string
  /** Aborted when the connection closes: long polls end early. */
  readonly signal: AbortSignal
}

export interface ApiHandler {
  readonly apiKey: number
  readonly name: string
  readonly minVersion: number
  readonly maxVersion: number
  /**
   * Parses the body (throw ProtocolError when it cannot be parsed: the connection closes, as in
   * Kafka) and returns the response body, or null when none is sent (Produce with acks=0).
   */
  handle(request: Reader, context: RequestContext): Promise<Writer | null>
}

/** Kafka's API keys for the APIs brook serves. */
export const API_KEYS = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
  DescribeConfigs: 32,
  CreatePartitions: 37,
  DeleteGroups: 42,
} as const
