/**
 * The shapes the group coordinator takes and returns. They follow Kafka's JoinGroup v2–5,
 * SyncGroup v1–3, Heartbeat v1–3, LeaveGroup v1–3, DescribeGroups and ListGroups, so the TCP
 * handlers map fields one to one; embedded consumers use the same calls.
 */
import type { BrokerError } from '../errors.js'

/** Time for the coordinator: a monotonic `now()` and cancellable timers; tests pass a fake one. */
export interface CoordinatorClock {
  now(): number
  setTimeout(fn: () => void, ms: number): { cancel(): void }
}

export interface CoordinatorOptions {
  clock?: CoordinatorClock
  /** Kafka's group.min.session.timeout.ms (6000 there); default LIMITS.groupMinSessionTimeoutMs. */
  minSessionTimeoutMs?: number
  /** Kafka's group.max.session.timeout.ms; default LIMITS.groupMaxSessionTimeoutMs. */
  maxSessionTimeoutMs?: number
  /** Kafka's group.initial.rebalance.delay.ms (3000 there); default LIMITS.groupInitialRebalanceDelayMs. */
  initialRebalanceDelayMs?: number
  /** Kafka's group.max.size; default LIMITS.groupMaxSize. */
  maxGroupSize?: number
  /** How long a first-time member may wait in a join phase; default LIMITS.groupNewMemberJoinTimeoutMs. */
  newMemberJoinTimeoutMs?: number
}

export interface GroupProtocol {
  name: string
  /** Opaque to the coordinator (for 'consumer': the subscription). */
  metadata: Buffer
}

export interface JoinGroupRequest {
  groupId: string
  /** '' for a member that has no id yet. */
  memberId: string
  /** Static membership (KIP-345): a stable id that survives restarts. */
  groupInstanceId?: string | null
  clientId?: string
  clientHost?: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  /** 'consumer' for consumers. */
  protocolType: string
  protocols: GroupProtocol[]
  /** JoinGroup v4+ (KIP-394): a new dynamic member first gets MEMBER_ID_REQUIRED with its id in details.memberId. */
  requireKnownMemberId?: boolean
}

export interface JoinGroupMember {
  memberId: string
  groupInstanceId: string | null
  /** The member's metadata for the selected protocol. */
  metadata: Buffer
}

export interface JoinGroupResponse {
  generationId: number
  protocolName: string
  leaderId: string
  memberId: string
  /** Every member of the generation for the leader; [] for the others. */
  members: JoinGroupMember[]
}

export interface SyncGroupRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId?: string | null
  /** The leader's assignment of the generation; ignored from other members. */
  assignments: Array<{ memberId: string; assignment: Buffer }>
}

export interface SyncGroupResponse {
  assignment: Buffer
}

/** Identifies a member of a generation (Heartbeat, OffsetCommit). */
export interface MemberGeneration {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId?: string | null
}

export interface LeaveGroupRequest {
  groupId: string
  /** LeaveGroup v3 names several members; memberId '' with a groupInstanceId removes that static member. */
  members: Array<{ memberId: string; groupInstanceId?: string | null }>
}

/** One member's outcome of a LeaveGroup, as LeaveGroup v3 reports it per member. */
export interface LeaveGroupMemberResult {
  memberId: string
  groupInstanceId: string | null
  error: BrokerError | null
}

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead'

export interface GroupMemberDescription {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** Empty unless the group is Stable (as in Kafka's DescribeGroups). */
  metadata: Buffer
  /** Empty unless the group is Stable. */
  assignment: Buffer
}

export interface GroupDescription {
  groupId: string
  state: GroupState
  protocolType: string
  /** The selected protocol; '' unless the group is Stable. */
  protocol: string
  members: GroupMemberDescription[]
}

export interface GroupListing {
  groupId: string
  protocolType: string
  state: GroupState
}

/** Payloads of `GroupCoordinator.events`. */
export interface RebalanceEvent {
  groupId: string
  /** The generation being replaced. */
  generationId: number
  reason: string
}

export interface MemberExpiredEvent {
  groupId: string
  memberId: string
  groupInstanceId: string | null
  /** Which deadline it missed. */
  reason: 'session-timeout' | 'rebalance-timeout' | 'sync-timeout' | 'new-member-join-timeout'
}

export interface GroupStableEvent {
  groupId: string
  generationId: number
  protocolName: string
  leaderId: string
  members: Array<{ memberId: string; groupInstanceId: string | null; assignment: Buffer }>
}

export interface GroupDeletedEvent {
  groupId: string
}
