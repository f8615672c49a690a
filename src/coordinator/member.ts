/**
 * One member of a group as the coordinator sees it: its identity, its protocols (opaque metadata
 * per protocol name), the assignment the leader gave it, the JoinGroup / SyncGroup call it may be
 * waiting in, and its session deadline.
 */
import { isBrokerError, type BrokerError } from '../errors.js'
import type { GroupProtocol, JoinGroupResponse, SyncGroupResponse } from './group-types.js'

export const EMPTY_BUFFER: Buffer = Buffer.alloc(0)

/** A call parked in the actor until the group answers it. */
export interface Waiter<T> {
  resolve(value: T): void
  reject(error: BrokerError): void
}

/** A scheduled expiry and when it is due, so a later deadline can reuse an earlier timer. */
export interface ArmedTimer {
  cancel(): void
  readonly dueAt: number
}

export interface MemberInit {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  protocolType: string
  protocols: GroupProtocol[]
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
}

export class GroupMember {
  /** Changes when a static member is replaced by its restarted instance. */
  memberId: string
  readonly groupInstanceId: string | null
  readonly clientId: string
  readonly clientHost: string
  readonly protocolType: string
  protocols: GroupProtocol[]
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  /** What the leader assigned it in the last completed sync (opaque bytes). */
  assignment: Buffer = EMPTY_BUFFER
  joinWaiter: Waiter<JoinGroupResponse> | null = null
  syncWaiter: Waiter<SyncGroupResponse> | null = null
  /**
   * Joined in the current join phase for the first time and not answered yet. Such a member has
   * no id to heartbeat with, so the session timeout does not apply; the new-member join timeout
   * does (Kafka's isNew).
   */
  isNew = false
  /** Monotonic time at which the session ends unless a heartbeat (or join/sync/commit) renews it. */
  sessionDeadline = 0
  timer: ArmedTimer | null = null

  constructor(init: MemberInit) {
    this.memberId = init.memberId
    this.groupInstanceId = init.groupInstanceId
    this.clientId = init.clientId
    this.clientHost = init.clientHost
    this.protocolType = init.protocolType
    this.protocols = init.protocols
    this.sessionTimeoutMs = init.sessionTimeoutMs
    this.rebalanceTimeoutMs = init.rebalanceTimeoutMs
  }

  get isStatic(): boolean {
    return this.groupInstanceId !== null
  }

  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== null
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiter !== null
  }

  /** Same protocol names with the same metadata bytes in the same order (Kafka's `matches`). */
  matches(protocols: readonly GroupProtocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false
    return protocols.every((p, i) => p.name === this.protocols[i].name && p.metadata.equals(this.protocols[i].metadata))
  }

  supports(protocolName: string): boolean {
    return this.protocols.some((p) => p.name === protocolName)
  }

  metadataFor(protocolName: string): Buffer {
    const found = this.protocols.find((p) => p.name === protocolName)
    if (!found) throw new Error(`invariant: member ${this.memberId} does not support protocol ${protocolName}`)
    return found.metadata
  }

  /** The member's vote among the candidates: its first protocol, in its own order, that all support. */
  vote(candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find((p) => candidates.has(p.name))
    if (!choice) throw new Error(`invariant: member ${this.memberId} supports none of the group's protocols`)
    return choice.name
  }

  /** Answers a parked JoinGroup, if any. */
  completeJoin(outcome: JoinGroupResponse | BrokerError): void {
    const waiter = this.joinWaiter
    if (!waiter) return
    this.joinWaiter = null
    if (isBrokerError(outcome)) waiter.reject(outcome)
    else waiter.resolve(outcome)
  }

  /** Answers a parked SyncGroup, if any. */
  completeSync(outcome: SyncGroupResponse | BrokerError): void {
    const waiter = this.syncWaiter
    if (!waiter) return
    this.syncWaiter = null
    if (isBrokerError(outcome)) waiter.reject(outcome)
    else waiter.resolve(outcome)
  }
}
