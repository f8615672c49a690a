/**
 * The time-driven half of the coordinator: starting a rebalance, ending the join phase (all
 * members rejoined, or the rebalance timeout, or the initial delay), handing out the leader's
 * assignment, and expiring members whose session, join or sync deadline passed. It runs inside
 * the coordinator actor: every method changes state synchronously; timer callbacks come back
 * through the actor's `schedule`, so events are flushed after each step.
 */
import { BrokerError } from '../errors.js'
import type { Group } from './group.js'
import type { GroupStableEvent, MemberExpiredEvent, RebalanceEvent } from './group-types.js'
import { EMPTY_BUFFER, type ArmedTimer, type GroupMember } from './member.js'

export interface RebalancerContext {
  now(): number
  /** Runs `fn` inside the actor after `ms`. */
  schedule(ms: number, fn: () => void): ArmedTimer
  emit(name: 'rebalance', payload: RebalanceEvent): void
  emit(name: 'member.expired', payload: MemberExpiredEvent): void
  emit(name: 'group.stable', payload: GroupStableEvent): void
  readonly initialRebalanceDelayMs: number
}

export class Rebalancer {
  constructor(private readonly ctx: RebalancerContext) {}

  /**
   * Moves the session deadline to `timeoutMs` from now. A heartbeat only moves the deadline; the
   * timer already armed for an earlier time re-arms itself when it fires, so steady heartbeats
   * do not churn timers.
   */
  renewSession(group: Group, member: GroupMember, timeoutMs = member.sessionTimeoutMs): void {
    member.sessionDeadline = this.ctx.now() + timeoutMs
    if (member.timer && member.timer.dueAt <= member.sessionDeadline) return
    member.timer?.cancel()
    member.timer = this.ctx.schedule(timeoutMs, () => this.onSessionTimer(group, member))
  }

  private onSessionTimer(group: Group, member: GroupMember): void {
    member.timer = null
    if (group.get(member.memberId) !== member) return
    const remainingMs = member.sessionDeadline - this.ctx.now()
    if (remainingMs > 0) {
      member.timer = this.ctx.schedule(remainingMs, () => this.onSessionTimer(group, member))
      return
    }
    // A member parked in JoinGroup or SyncGroup cannot heartbeat; the join and sync deadlines
    // watch it instead. A first-time member still in its join phase has only its join timeout.
    if (!member.isNew && (member.isAwaitingJoin || member.isAwaitingSync)) {
      this.renewSession(group, member)
      return
    }
    const reason = member.isNew ? 'new-member-join-timeout' : 'session-timeout'
    this.expel(group, member, reason)
    this.afterRemoval(group, `member ${member.memberId} left: ${reason}`)
  }

  /** A member id handed out with MEMBER_ID_REQUIRED that was not used in time. */
  expirePending(group: Group, memberId: string): void {
    if (group.removePending(memberId)) this.tryCompleteJoin(group)
  }

  /** Removes a member that left, then lets the group react (Kafka's removeMemberAndUpdateGroup). */
  removeMember(group: Group, member: GroupMember, reason: string): void {
    this.drop(group, member, reason)
    this.afterRemoval(group, reason)
  }

  /** Removes a member that missed a deadline and reports it; the caller decides what follows. */
  private expel(group: Group, member: GroupMember, reason: MemberExpiredEvent['reason']): void {
    this.drop(group, member, reason)
    this.ctx.emit('member.expired', {
      groupId: group.groupId,
      memberId: member.memberId,
      groupInstanceId: member.groupInstanceId,
      reason,
    })
  }

  /** A call still parked for a removed member learns it is out, and rejoins with a fresh id. */
  private drop(group: Group, member: GroupMember, reason: string): void {
    const gone = new BrokerError('UNKNOWN_MEMBER_ID', `member ${member.memberId} was removed from group ${group.groupId}: ${reason}`, {
      groupId: group.groupId,
      memberId: member.memberId,
    })
    member.completeJoin(gone)
    member.completeSync(gone)
    group.remove(member.memberId)
  }

  private afterRemoval(group: Group, reason: string): void {
    if (group.is('Stable', 'CompletingRebalance')) this.prepareRebalance(group, reason)
    else if (group.is('PreparingRebalance')) this.tryCompleteJoin(group)
  }

  maybePrepareRebalance(group: Group, reason: string): void {
    if (group.is('Empty', 'Stable', 'CompletingRebalance')) this.prepareRebalance(group, reason)
  }

  /** Starts a join phase: members learn it from REBALANCE_IN_PROGRESS and rejoin. */
  prepareRebalance(group: Group, reason: string): void {
    if (group.is('CompletingRebalance')) {
      // The generation never became Stable: its assignment is void, parked syncs must rejoin.
      const rejoin = new BrokerError('REBALANCE_IN_PROGRESS', `group ${group.groupId} is rebalancing: ${reason}`, {
        groupId: group.groupId,
      })
      for (const member of group.members()) {
        member.assignment = EMPTY_BUFFER
        if (!member.isAwaitingSync) continue
        member.completeSync(rejoin)
        this.renewSession(group, member)
      }
    }
    this.clearSyncDeadline(group)
    const fromEmpty = group.is('Empty')
    const previousGenerationId = group.generationId
    group.transitionTo('PreparingRebalance')
    group.joinTimer?.cancel()
    const rebalanceTimeoutMs = group.rebalanceTimeoutMs()
    const delayMs = this.ctx.initialRebalanceDelayMs
    this.ctx.emit('rebalance', { groupId: group.groupId, generationId: previousGenerationId, reason })
    if (fromEmpty && delayMs > 0) {
      // Kafka's InitialDelayedJoin: give the other members of a starting fleet time to arrive.
      group.initialDelay = { remainingMs: Math.max(rebalanceTimeoutMs - delayMs, 0) }
      group.joinTimer = this.ctx.schedule(delayMs, () => this.onInitialDelay(group))
      return
    }
    group.initialDelay = null
    group.joinTimer = this.ctx.schedule(rebalanceTimeoutMs, () => this.completeJoin(group))
    this.tryCompleteJoin(group)
  }

  private onInitialDelay(group: Group): void {
    group.joinTimer = null
    const delay = group.initialDelay
    if (delay && group.newMemberAdded && delay.remainingMs > 0) {
      group.newMemberAdded = false
      const nextMs = Math.min(this.ctx.initialRebalanceDelayMs, delay.remainingMs)
      delay.remainingMs = Math.max(delay.remainingMs - nextMs, 0)
      group.joinTimer = this.ctx.schedule(nextMs, () => this.onInitialDelay(group))
      return
    }
    this.completeJoin(group)
  }

  /** Ends the join phase early once every known member has rejoined (not during the initial delay). */
  tryCompleteJoin(group: Group): void {
    if (group.is('PreparingRebalance') && group.initialDelay === null && group.hasAllMembersJoined()) this.completeJoin(group)
  }

  /** Ends the join phase: drops who did not rejoin, opens the next generation, answers every join. */
  private completeJoin(group: Group): void {
    group.joinTimer?.cancel()
    group.joinTimer = null
    group.initialDelay = null
    if (!group.is('PreparingRebalance')) return
    // Static members keep their place while away (KIP-345); only their session timeout removes them.
    for (const member of group.notYetRejoined()) if (!member.isStatic) this.expel(group, member, 'rebalance-timeout')
    if (group.size > 0 && !group.maybeElectJoinedLeader()) {
      // Only absent static members are left: wait another round for them to return or expire.
      group.joinTimer = this.ctx.schedule(group.rebalanceTimeoutMs(), () => this.completeJoin(group))
      return
    }
    group.initNextGeneration()
    if (group.is('Empty')) return
    for (const member of group.members()) {
      member.completeJoin(group.joinResponse(member))
      member.isNew = false
      this.renewSession(group, member)
      group.pendingSyncMembers.add(member.memberId)
    }
    const generationId = group.generationId
    group.syncTimer = this.ctx.schedule(group.rebalanceTimeoutMs(), () => this.onSyncDeadline(group, generationId))
  }

  /** A member of the current generation sent SyncGroup. */
  markSynced(group: Group, memberId: string): void {
    group.pendingSyncMembers.delete(memberId)
    if (group.pendingSyncMembers.size === 0) this.clearSyncDeadline(group)
  }

  /** Members that got their JoinGroup answer but never synced are gone (Kafka's pending-sync expiry). */
  private onSyncDeadline(group: Group, generationId: number): void {
    group.syncTimer = null
    if (generationId !== group.generationId || !group.is('CompletingRebalance', 'Stable')) return
    if (group.pendingSyncMembers.size === 0) return
    const missing = [...group.pendingSyncMembers]
    for (const memberId of missing) {
      const member = group.get(memberId)
      if (member) this.expel(group, member, 'sync-timeout')
    }
    this.prepareRebalance(group, `members ${missing.join(', ')} did not send SyncGroup in time`)
  }

  private clearSyncDeadline(group: Group): void {
    group.pendingSyncMembers.clear()
    group.syncTimer?.cancel()
    group.syncTimer = null
  }

  /** The leader's SyncGroup: store every member's assignment, answer parked syncs, go Stable. */
  applyAssignment(group: Group, assignments: ReadonlyMap<string, Buffer>): void {
    const members = group.members()
    for (const member of members) member.assignment = assignments.get(member.memberId) ?? EMPTY_BUFFER
    group.transitionTo('Stable')
    for (const member of members) {
      if (!member.isAwaitingSync) continue
      member.completeSync({ assignment: member.assignment })
      this.renewSession(group, member)
    }
    this.ctx.emit('group.stable', {
      groupId: group.groupId,
      generationId: group.generationId,
      protocolName: group.protocolName ?? '',
      leaderId: group.leaderId ?? '',
      members: members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, assignment: m.assignment })),
    })
  }

  /** Cancels every timer the group holds (delete, close). */
  cancelTimers(group: Group): void {
    group.joinTimer?.cancel()
    group.joinTimer = null
    group.syncTimer?.cancel()
    group.syncTimer = null
    for (const timer of group.pendingMembers.values()) timer.cancel()
    group.pendingMembers.clear()
    for (const member of group.members()) {
      member.timer?.cancel()
      member.timer = null
    }
  }
}
