/**
 * JoinGroup inside the coordinator actor: who may join, which member id it gets, and whether
 * the join starts a rebalance, parks until the join phase ends, or is answered at once with the
 * current generation (Kafka's doNewMemberJoinGroup / doCurrentMemberJoinGroup, KIP-345, KIP-394).
 */
import { randomUUID } from 'node:crypto'
import { BrokerError } from '../errors.js'
import { Group } from './group.js'
import { groupError, inconsistentProtocol } from './group-errors.js'
import type { JoinGroupResponse } from './group-types.js'
import { GroupMember, type ArmedTimer, type Waiter } from './member.js'
import type { Rebalancer } from './rebalancer.js'
import type { CheckedJoinRequest } from './request-checks.js'

/** Member ids are `<client or instance id>-<uuid>`; Kafka strings hold at most 32,767 bytes. */
const MEMBER_ID_PREFIX_CHARS = 255

export interface JoinContext {
  readonly groups: Map<string, Group>
  readonly rebalancer: Rebalancer
  readonly maxGroupSize: number
  readonly newMemberJoinTimeoutMs: number
  schedule(ms: number, fn: () => void): ArmedTimer
}

export class JoinGroupHandler {
  constructor(private readonly ctx: JoinContext) {}

  handle(request: CheckedJoinRequest, waiter: Waiter<JoinGroupResponse>): void {
    const { groupId, memberId, groupInstanceId } = request
    let group = this.ctx.groups.get(groupId)
    if (!group) {
      if (memberId !== '') throw groupError('UNKNOWN_MEMBER_ID', groupId, `group ${groupId} does not exist`, memberId)
      // Checked before creating, so a refused join leaves no empty group behind.
      if (request.protocolType === '' || request.protocols.length === 0) throw inconsistentProtocol(groupId)
      group = new Group(groupId)
      this.ctx.groups.set(groupId, group)
    }
    const replacesStatic = groupInstanceId !== null && group.staticMemberId(groupInstanceId) !== undefined
    if (!group.has(memberId) && !replacesStatic && group.size >= this.ctx.maxGroupSize) {
      group.removePending(memberId)
      throw groupError('GROUP_MAX_SIZE_REACHED', groupId, `group ${groupId} has ${group.size} members, the most allowed`)
    }
    if (!group.supportsProtocols(request.protocolType, request.protocols)) throw inconsistentProtocol(groupId)
    if (memberId === '') this.joinNewMember(group, request, waiter)
    else this.joinKnownMember(group, request, waiter)
  }

  private joinNewMember(group: Group, request: CheckedJoinRequest, waiter: Waiter<JoinGroupResponse>): void {
    const instanceId = request.groupInstanceId
    // The prefix is cut so a long client id cannot make a member id too long for a protocol string.
    const newMemberId = `${(instanceId ?? (request.clientId || 'member')).slice(0, MEMBER_ID_PREFIX_CHARS)}-${randomUUID()}`
    if (instanceId !== null && group.staticMemberId(instanceId) !== undefined) {
      this.replaceStaticMember(group, instanceId, newMemberId, request, waiter)
    } else if (instanceId === null && request.requireKnownMemberId) {
      // KIP-394: hand out the id first, so a client that times out and retries reuses it
      // instead of leaving a trail of members that never heartbeat.
      if (group.size + group.pendingMembers.size >= this.ctx.maxGroupSize) {
        throw groupError('GROUP_MAX_SIZE_REACHED', group.groupId, `group ${group.groupId} is full`)
      }
      const expiry = this.ctx.schedule(request.sessionTimeoutMs, () => this.ctx.rebalancer.expirePending(group, newMemberId))
      group.pendingMembers.set(newMemberId, expiry)
      throw new BrokerError('MEMBER_ID_REQUIRED', 'rejoin with the member id in details.memberId', {
        groupId: group.groupId,
        memberId: newMemberId,
      })
    } else {
      this.addMember(group, request, newMemberId, waiter)
    }
  }

  private joinKnownMember(group: Group, request: CheckedJoinRequest, waiter: Waiter<JoinGroupResponse>): void {
    const { memberId } = request
    if (request.groupInstanceId === null && group.pendingMembers.has(memberId)) {
      this.addMember(group, request, memberId, waiter)
      return
    }
    const member = group.currentMember(memberId, request.groupInstanceId)
    if (group.is('PreparingRebalance')) {
      this.updateMember(member, request, waiter)
      this.ctx.rebalancer.tryCompleteJoin(group)
    } else if (group.is('CompletingRebalance') && member.matches(request.protocols)) {
      // It missed the JoinGroup answer (a retry): give it the generation again.
      waiter.resolve(group.joinResponse(member))
    } else if (group.is('Stable') && !group.isLeader(memberId) && member.matches(request.protocols)) {
      // A follower with nothing new: no rebalance, it just syncs again. The leader's join, or
      // changed metadata (a new subscription, or owned partitions after a cooperative
      // revocation), does start one.
      waiter.resolve(group.joinResponse(member))
    } else {
      this.updateMember(member, request, waiter)
      this.ctx.rebalancer.prepareRebalance(group, `member ${memberId} rejoined during ${group.state}`)
    }
  }

  private addMember(group: Group, request: CheckedJoinRequest, memberId: string, waiter: Waiter<JoinGroupResponse>): void {
    const member = new GroupMember({ ...request, memberId })
    member.isNew = true
    member.joinWaiter = waiter
    // Only the first generation's initial delay stretches for late arrivals (as in Kafka).
    if (group.is('PreparingRebalance') && group.generationId === 0) group.newMemberAdded = true
    group.add(member)
    this.ctx.rebalancer.renewSession(group, member, this.ctx.newMemberJoinTimeoutMs)
    this.ctx.rebalancer.maybePrepareRebalance(group, `member ${memberId} joined`)
    this.ctx.rebalancer.tryCompleteJoin(group)
  }

  /**
   * KIP-345: a static member's restarted instance takes over under a new member id and the old
   * id is fenced. A Stable group whose selected protocol stays the same does not rebalance: the
   * member gets the current generation (with the old leader id, so even a restarted leader does
   * not compute an assignment that a Stable group would ignore) and its old assignment by sync.
   */
  private replaceStaticMember(
    group: Group,
    instanceId: string,
    newMemberId: string,
    request: CheckedJoinRequest,
    waiter: Waiter<JoinGroupResponse>,
  ): void {
    const currentLeaderId = group.leaderId
    const member = group.replaceStaticMember(instanceId, newMemberId)
    this.ctx.rebalancer.renewSession(group, member)
    this.updateMember(member, request, waiter)
    if (group.is('Stable')) {
      if (group.protocolName === group.selectProtocol()) member.completeJoin(group.joinResponse(member, currentLeaderId))
      else this.ctx.rebalancer.prepareRebalance(group, `static member ${instanceId} rejoined with other protocols`)
    } else if (group.is('CompletingRebalance')) {
      // The leader may be assigning to the old member id: start over so the new id gets a share.
      this.ctx.rebalancer.prepareRebalance(group, `static member ${instanceId} rejoined during CompletingRebalance`)
    } else {
      this.ctx.rebalancer.tryCompleteJoin(group)
    }
  }

  private updateMember(member: GroupMember, request: CheckedJoinRequest, waiter: Waiter<JoinGroupResponse>): void {
    member.protocols = request.protocols
    member.sessionTimeoutMs = request.sessionTimeoutMs
    member.rebalanceTimeoutMs = request.rebalanceTimeoutMs
    // A second JoinGroup from the same member means its client gave up on the first one.
    member.completeJoin(groupError('REBALANCE_IN_PROGRESS', null, 'superseded by a newer JoinGroup from the same member', member.memberId))
    member.joinWaiter = waiter
  }
}
