/**
 * The state of one group: members, static-member mapping, generation, leader, selected protocol
 * and the group state machine. Pure bookkeeping, no timers scheduled or requests judged here —
 * the coordinator does that — so every rule about membership lives in one readable place.
 *
 *   Empty ──join──▶ PreparingRebalance ──join phase ends──▶ CompletingRebalance ──leader syncs──▶ Stable
 *     ▲                 ▲    │ (no member left)                  │                                │
 *     └─────────────────┼────┘                                   │ join / leave / expiry          │
 *                       └────────────────────────────────────────┴────────────────────────────────┘
 *   any state ──delete (only when Empty)──▶ Dead
 */
import { fencedInstance, groupError } from './group-errors.js'
import type { GroupDescription, GroupListing, GroupProtocol, GroupState, JoinGroupResponse } from './group-types.js'
import { EMPTY_BUFFER, type ArmedTimer, type GroupMember } from './member.js'

const VALID_PREVIOUS_STATES: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Empty', 'CompletingRebalance', 'Stable'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Empty', 'PreparingRebalance', 'CompletingRebalance', 'Stable', 'Dead'],
}

export class Group {
  readonly groupId: string
  state: GroupState = 'Empty'
  generationId = 0
  /** Set by the first member; kept while the group is Empty (null for a group created by a simple commit). */
  protocolType: string | null = null
  /** The protocol of the current generation; null while Empty. */
  protocolName: string | null = null
  leaderId: string | null = null
  /** Member ids handed out with MEMBER_ID_REQUIRED and not used yet, each with its expiry. */
  readonly pendingMembers = new Map<string, ArmedTimer>()
  /** Members of the current generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>()
  /** A member joined during the first join phase's initial delay, which extends the delay once more. */
  newMemberAdded = false
  /** The running join phase's deadline (initial delay or rebalance timeout). */
  joinTimer: ArmedTimer | null = null
  /** Set while the join phase is in its initial delay: members joining cannot cut it short. */
  initialDelay: { remainingMs: number } | null = null
  /** The deadline for the generation's members to send SyncGroup. */
  syncTimer: ArmedTimer | null = null

  /** In join order; the order decides leader succession and the leader's member list. */
  private readonly memberMap = new Map<string, GroupMember>()
  private readonly staticMembers = new Map<string, string>()

  constructor(groupId: string) {
    this.groupId = groupId
  }

  get size(): number {
    return this.memberMap.size
  }

  has(memberId: string): boolean {
    return this.memberMap.has(memberId)
  }

  get(memberId: string): GroupMember | undefined {
    return this.memberMap.get(memberId)
  }

  members(): GroupMember[] {
    return [...this.memberMap.values()]
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId)
  }

  /**
   * Kafka's validateCurrentMember: a static instance id must map to this member id (else the
   * caller is a fenced older instance), and the member must exist.
   */
  currentMember(memberId: string, groupInstanceId: string | null): GroupMember {
    if (groupInstanceId !== null) {
      const current = this.staticMembers.get(groupInstanceId)
      if (current === undefined) throw groupError('UNKNOWN_MEMBER_ID', this.groupId, `no static member ${groupInstanceId}`, memberId)
      if (current !== memberId) throw fencedInstance(this.groupId, memberId, groupInstanceId, current)
    }
    const member = this.memberMap.get(memberId)
    if (!member) throw groupError('UNKNOWN_MEMBER_ID', this.groupId, `member ${memberId} is not in group ${this.groupId}`, memberId)
    return member
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId
  }

  is(...states: GroupState[]): boolean {
    return states.includes(this.state)
  }

  transitionTo(next: GroupState): void {
    if (!VALID_PREVIOUS_STATES[next].includes(this.state)) {
      throw new Error(`invariant: group ${this.groupId} cannot go from ${this.state} to ${next}`)
    }
    this.state = next
  }

  add(member: GroupMember): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`invariant: static member ${member.groupInstanceId} is already in group ${this.groupId}`)
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId)
    }
    if (this.memberMap.size === 0) this.protocolType = member.protocolType
    if (this.leaderId === null) this.leaderId = member.memberId
    this.memberMap.set(member.memberId, member)
    this.pendingMembers.get(member.memberId)?.cancel()
    this.pendingMembers.delete(member.memberId)
  }

  /** Removes a member (the leader passes to the next member in join order); returns it. */
  remove(memberId: string): GroupMember | undefined {
    const member = this.memberMap.get(memberId)
    if (!member) return undefined
    this.memberMap.delete(memberId)
    if (member.groupInstanceId !== null) this.staticMembers.delete(member.groupInstanceId)
    member.timer?.cancel()
    member.timer = null
    this.pendingSyncMembers.delete(memberId)
    if (this.leaderId === memberId) this.leaderId = this.memberMap.keys().next().value ?? null
    return member
  }

  removePending(memberId: string): boolean {
    const timer = this.pendingMembers.get(memberId)
    if (!timer) return false
    timer.cancel()
    this.pendingMembers.delete(memberId)
    return true
  }

  /**
   * A static member's new instance takes over its entry under a new member id: assignment,
   * leadership and generation carry over; whatever the old instance was waiting for is fenced.
   */
  replaceStaticMember(groupInstanceId: string, newMemberId: string): GroupMember {
    const oldMemberId = this.staticMembers.get(groupInstanceId)
    const member = oldMemberId === undefined ? undefined : this.memberMap.get(oldMemberId)
    if (oldMemberId === undefined || !member) throw new Error(`invariant: no static member ${groupInstanceId} to replace`)
    const fenced = fencedInstance(this.groupId, oldMemberId, groupInstanceId, newMemberId)
    member.completeJoin(fenced)
    member.completeSync(fenced)
    this.memberMap.delete(oldMemberId)
    member.memberId = newMemberId
    this.memberMap.set(newMemberId, member)
    this.staticMembers.set(groupInstanceId, newMemberId)
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId)
    return member
  }

  /** Protocol names every member supports. */
  candidateProtocols(): Set<string> {
    const members = this.members()
    if (members.length === 0) return new Set()
    return new Set(members[0].protocols.map((p) => p.name).filter((name) => members.every((m) => m.supports(name))))
  }

  /** Whether a member with these protocols may join: same type, and one protocol all current members share. */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (this.state === 'Empty') return protocolType.length > 0 && protocols.length > 0
    if (this.protocolType !== protocolType) return false
    const candidates = this.candidateProtocols()
    return protocols.some((p) => candidates.has(p.name))
  }

  /**
   * Kafka's vote: each member votes for its first protocol that all members support; the most
   * votes win, a tie goes to the protocol voted for first in join order.
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols()
    const votes = new Map<string, number>()
    for (const member of this.memberMap.values()) {
      const choice = member.vote(candidates)
      votes.set(choice, (votes.get(choice) ?? 0) + 1)
    }
    let best: string | null = null
    let bestVotes = 0
    for (const [name, count] of votes) {
      if (count > bestVotes) {
        best = name
        bestVotes = count
      }
    }
    if (best === null) throw new Error(`invariant: cannot select a protocol for empty group ${this.groupId}`)
    return best
  }

  hasAllMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false
    for (const member of this.memberMap.values()) if (!member.isAwaitingJoin) return false
    return true
  }

  notYetRejoined(): GroupMember[] {
    return this.members().filter((m) => !m.isAwaitingJoin)
  }

  /**
   * Keeps the leader if it rejoined, else picks the first member that did. False when members
   * remain but none rejoined (only static members that are away): the join phase must wait.
   */
  maybeElectJoinedLeader(): boolean {
    const leader = this.leaderId === null ? undefined : this.memberMap.get(this.leaderId)
    if (leader?.isAwaitingJoin) return true
    const joined = this.members().find((m) => m.isAwaitingJoin)
    if (!joined) return false
    this.leaderId = joined.memberId
    return true
  }

  /** The join phase lasts as long as the slowest member may take to rejoin. */
  rebalanceTimeoutMs(): number {
    let timeoutMs = 0
    for (const member of this.memberMap.values()) timeoutMs = Math.max(timeoutMs, member.rebalanceTimeoutMs)
    return timeoutMs
  }

  initNextGeneration(): void {
    this.generationId += 1
    if (this.memberMap.size > 0) {
      this.protocolName = this.selectProtocol()
      this.transitionTo('CompletingRebalance')
    } else {
      this.protocolName = null
      this.transitionTo('Empty')
    }
  }

  /** The JoinGroup answer of the current generation; only the leader gets the member list. */
  joinResponse(member: GroupMember, leaderId: string | null = this.leaderId): JoinGroupResponse {
    const protocolName = this.protocolName ?? ''
    const members =
      leaderId === member.memberId
        ? this.members().map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: m.metadataFor(protocolName),
          }))
        : []
    return { generationId: this.generationId, protocolName, leaderId: leaderId ?? '', memberId: member.memberId, members }
  }

  /** DescribeGroups: metadata and assignments only for a Stable group, as Kafka does. */
  describe(): GroupDescription {
    const stable = this.state === 'Stable'
    const protocol = stable ? (this.protocolName ?? '') : ''
    return {
      groupId: this.groupId,
      state: this.state,
      protocolType: this.protocolType ?? '',
      protocol,
      members: this.members().map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? m.metadataFor(protocol) : EMPTY_BUFFER,
        assignment: stable ? m.assignment : EMPTY_BUFFER,
      })),
    }
  }

  listing(): GroupListing {
    return { groupId: this.groupId, protocolType: this.protocolType ?? '', state: this.state }
  }
}
