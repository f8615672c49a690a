/**
 * Shape checks for what reaches the coordinator from the embedded API or a decoded frame: every
 * malformed field ends in a typed error (reliability.md P8), and byte fields are copied so a
 * member never pins a whole request frame in memory.
 */
import { BrokerError } from '../errors.js'
import { MAX_TIMER_MS } from './coordinator-clock.js'
import type { GroupProtocol } from './group-types.js'

/** JoinGroup, SyncGroup, Heartbeat, LeaveGroup and brook's commits all need a non-empty group id. */
export function checkGroupId(groupId: unknown): string {
  if (typeof groupId !== 'string' || groupId.length === 0) {
    throw new BrokerError('INVALID_GROUP_ID', 'the group id must be a non-empty string', { groupId })
  }
  return groupId
}

export function checkMemberId(memberId: unknown): string {
  if (typeof memberId !== 'string') throw new BrokerError('INVALID_REQUEST', 'the member id must be a string', { memberId })
  return memberId
}

/** null when absent; an empty string is no instance id either (clients send null). */
export function checkInstanceId(groupInstanceId: unknown): string | null {
  if (groupInstanceId === undefined || groupInstanceId === null) return null
  if (typeof groupInstanceId !== 'string' || groupInstanceId.length === 0) {
    throw new BrokerError('INVALID_REQUEST', 'the group instance id must be a non-empty string or null', { groupInstanceId })
  }
  return groupInstanceId
}

export function checkGenerationId(generationId: unknown): number {
  if (typeof generationId !== 'number' || !Number.isInteger(generationId)) {
    throw new BrokerError('INVALID_REQUEST', 'the generation id must be an integer', { generationId })
  }
  return generationId
}

export function checkOptionalString(value: unknown, field: string): string {
  if (value === undefined || value === null) return ''
  if (typeof value !== 'string') throw new BrokerError('INVALID_REQUEST', `${field} must be a string`, { [field]: value })
  return value
}

export function checkTimeoutMs(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new BrokerError('INVALID_REQUEST', `${field} must be an integer number of milliseconds`, { [field]: value })
  }
  return value
}

export function checkSessionTimeoutMs(value: unknown, minMs: number, maxMs: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < minMs || value > maxMs) {
    throw new BrokerError('INVALID_SESSION_TIMEOUT', `the session timeout must be within [${minMs}, ${maxMs}] ms`, {
      sessionTimeoutMs: value,
      minSessionTimeoutMs: minMs,
      maxSessionTimeoutMs: maxMs,
    })
  }
  return value
}

function copyBytes(value: unknown, field: string): Buffer {
  if (!(value instanceof Uint8Array)) throw new BrokerError('INVALID_REQUEST', `${field} must be bytes`)
  return Buffer.from(value)
}

export function checkProtocols(protocols: unknown): GroupProtocol[] {
  if (!Array.isArray(protocols)) throw new BrokerError('INVALID_REQUEST', 'protocols must be an array')
  return protocols.map((protocol: unknown) => {
    const { name, metadata } = (protocol ?? {}) as { name?: unknown; metadata?: unknown }
    if (typeof name !== 'string') throw new BrokerError('INVALID_REQUEST', 'a protocol name must be a string', { name })
    return { name, metadata: copyBytes(metadata, `metadata of protocol ${name}`) }
  })
}

export function checkAssignments(assignments: unknown): Map<string, Buffer> {
  if (!Array.isArray(assignments)) throw new BrokerError('INVALID_REQUEST', 'assignments must be an array')
  const byMember = new Map<string, Buffer>()
  for (const entry of assignments as unknown[]) {
    const { memberId, assignment } = (entry ?? {}) as { memberId?: unknown; assignment?: unknown }
    byMember.set(checkMemberId(memberId), copyBytes(assignment, `assignment of member ${String(memberId)}`))
  }
  return byMember
}

export function checkRequest<T extends object>(request: unknown, api: string): T {
  if (typeof request !== 'object' || request === null) throw new BrokerError('INVALID_REQUEST', `${api} needs a request object`)
  return request as T
}

/** A JoinGroup after its fields were checked and its bytes copied. */
export interface CheckedJoinRequest {
  groupId: string
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: GroupProtocol[]
  requireKnownMemberId: boolean
}

export function checkJoinRequest(raw: unknown, minSessionTimeoutMs: number, maxSessionTimeoutMs: number): CheckedJoinRequest {
  const request = checkRequest<Record<string, unknown>>(raw, 'JoinGroup')
  const groupId = checkGroupId(request.groupId)
  const sessionTimeoutMs = checkSessionTimeoutMs(request.sessionTimeoutMs, minSessionTimeoutMs, maxSessionTimeoutMs)
  return {
    groupId,
    memberId: checkMemberId(request.memberId),
    groupInstanceId: checkInstanceId(request.groupInstanceId),
    clientId: checkOptionalString(request.clientId, 'clientId'),
    clientHost: checkOptionalString(request.clientHost, 'clientHost'),
    sessionTimeoutMs,
    rebalanceTimeoutMs: checkTimeoutMs(request.rebalanceTimeoutMs, 'rebalanceTimeoutMs'),
    protocolType: checkOptionalString(request.protocolType, 'protocolType'),
    protocols: checkProtocols(request.protocols),
    requireKnownMemberId: request.requireKnownMemberId === true,
  }
}
