/**
 * The group coordinator: Kafka's classic (client-side assignment) group protocol. It keeps
 * membership and generations; the leader member computes the assignment and the coordinator
 * passes it through as opaque bytes, so the same actor serves embedded consumers and Kafka
 * clients (JoinGroup v2–5, SyncGroup v1–3, Heartbeat v1–3, LeaveGroup v1–3, DescribeGroups,
 * ListGroups).
 *
 * It is an actor on the main thread: its methods are the mailbox, every state change happens
 * synchronously inside one call or one timer callback, and parked calls (a JoinGroup waiting
 * for the join phase, a SyncGroup waiting for the leader) are answered through their promises.
 * Events are emitted after the step that caused them, with the state already consistent.
 *
 * Commits from an earlier generation or from a removed or fenced member are refused by
 * `validateCommit` (reliability.md P5); offsets themselves are stored elsewhere.
 */
import { EventEmitter } from 'node:events'
import { BrokerError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { systemCoordinatorClock } from './coordinator-clock.js'
import { Group } from './group.js'
import { groupError, illegalGeneration } from './group-errors.js'
import type {
  CoordinatorClock,
  CoordinatorOptions,
  GroupDescription,
  GroupListing,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupMemberResult,
  LeaveGroupRequest,
  MemberGeneration,
  SyncGroupRequest,
  SyncGroupResponse,
} from './group-types.js'
import { JoinGroupHandler } from './join-group.js'
import type { ArmedTimer, GroupMember, Waiter } from './member.js'
import { Rebalancer } from './rebalancer.js'
import * as check from './request-checks.js'

export type * from './group-types.js'

export class GroupCoordinator {
  /** 'rebalance', 'member.expired', 'group.stable', 'group.deleted' (payloads in group-types.ts). */
  readonly events = new EventEmitter()
  private readonly clock: CoordinatorClock
  private readonly minSessionTimeoutMs: number
  private readonly maxSessionTimeoutMs: number
  private readonly rebalancer: Rebalancer
  private readonly joins: JoinGroupHandler
  private readonly groups = new Map<string, Group>()
  private readonly outbox: Array<[string, unknown]> = []
  private depth = 0
  private closed = false

  constructor(options: CoordinatorOptions = {}) {
    this.clock = options.clock ?? systemCoordinatorClock
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? LIMITS.groupMinSessionTimeoutMs
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? LIMITS.groupMaxSessionTimeoutMs
    const maxGroupSize = options.maxGroupSize ?? LIMITS.groupMaxSize
    const newMemberJoinTimeoutMs = options.newMemberJoinTimeoutMs ?? LIMITS.groupNewMemberJoinTimeoutMs
    const initialRebalanceDelayMs = options.initialRebalanceDelayMs ?? LIMITS.groupInitialRebalanceDelayMs
    const ranges = [this.minSessionTimeoutMs, this.maxSessionTimeoutMs, maxGroupSize, newMemberJoinTimeoutMs, initialRebalanceDelayMs]
    if (!ranges.every((n) => Number.isInteger(n) && n >= 0) || this.minSessionTimeoutMs > this.maxSessionTimeoutMs || maxGroupSize < 1) {
      throw new BrokerError('INVALID_CONFIG', 'group coordinator options out of range', { ...options, clock: undefined })
    }
    const schedule = (ms: number, fn: () => void) => this.schedule(ms, fn)
    this.rebalancer = new Rebalancer({
      now: () => this.clock.now(),
      schedule,
      emit: (name: string, payload: unknown) => void this.outbox.push([name, payload]),
      initialRebalanceDelayMs,
    })
    this.joins = new JoinGroupHandler({ groups: this.groups, rebalancer: this.rebalancer, maxGroupSize, newMemberJoinTimeoutMs, schedule })
  }

  joinGroup(request: JoinGroupRequest): Promise<JoinGroupResponse> {
    return new Promise((resolve, reject) =>
      this.run(() => {
        this.checkOpen()
        this.joins.handle(check.checkJoinRequest(request, this.minSessionTimeoutMs, this.maxSessionTimeoutMs), { resolve, reject })
      }),
    )
  }

  syncGroup(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    return new Promise((resolve, reject) => this.run(() => this.handleSync(request, { resolve, reject })))
  }

  /** Renews the member's session; throws REBALANCE_IN_PROGRESS while the group rebalances, so it rejoins. */
  heartbeat(request: MemberGeneration): void {
    this.run(() => {
      const { group, member } = this.currentMember(check.checkRequest<MemberGeneration>(request, 'Heartbeat'))
      this.rebalancer.renewSession(group, member)
      if (group.is('PreparingRebalance')) {
        throw groupError('REBALANCE_IN_PROGRESS', group.groupId, `group ${group.groupId} is rebalancing; rejoin`, member.memberId)
      }
    })
  }

  /**
   * Removes the named members; a member named by groupInstanceId alone (memberId '') is the
   * static member with that id. Answers per member like LeaveGroup v3; a failure for one member
   * does not stop the others.
   */
  leaveGroup(request: LeaveGroupRequest): LeaveGroupMemberResult[] {
    return this.run(() => {
      this.checkOpen()
      const { groupId, members } = check.checkRequest<LeaveGroupRequest>(request, 'LeaveGroup')
      check.checkGroupId(groupId)
      if (!Array.isArray(members)) throw new BrokerError('INVALID_REQUEST', 'LeaveGroup needs a members array')
      const identities = members.map((identity) => ({
        memberId: check.checkMemberId(identity?.memberId),
        groupInstanceId: check.checkInstanceId(identity?.groupInstanceId),
      }))
      const group = this.groups.get(groupId)
      return identities.map(({ memberId, groupInstanceId }) => {
        try {
          if (!group) throw groupError('UNKNOWN_MEMBER_ID', groupId, `group ${groupId} does not exist`, memberId)
          this.leaveOne(group, memberId, groupInstanceId)
          return { memberId, groupInstanceId, error: null }
        } catch (error) {
          return { memberId, groupInstanceId, error: error as BrokerError }
        }
      })
    })
  }

  /**
   * Throws unless a commit may be stored: from a current member of the current generation, or a
   * "simple" commit (generation -1, no member) on a group without members. Like Kafka, a valid
   * commit during PreparingRebalance is accepted and renews the session; during
   * CompletingRebalance it gets REBALANCE_IN_PROGRESS.
   */
  validateCommit(request: MemberGeneration): void {
    this.run(() => {
      this.checkOpen()
      const { groupId, generationId, memberId, groupInstanceId } = check.checkRequest<MemberGeneration>(request, 'OffsetCommit')
      check.checkGroupId(groupId)
      check.checkGenerationId(generationId)
      check.checkMemberId(memberId)
      const instanceId = check.checkInstanceId(groupInstanceId)
      let group = this.groups.get(groupId)
      if (!group) {
        if (generationId >= 0) throw illegalGeneration(groupId, generationId, -1)
        // A consumer that assigns partitions itself: the group exists from its first commit on.
        group = new Group(groupId)
        this.groups.set(groupId, group)
      }
      if (generationId < 0 && group.is('Empty')) return
      if (generationId < 0 && memberId === '' && instanceId === null) {
        throw groupError('UNKNOWN_MEMBER_ID', groupId, `group ${groupId} has members; only they can commit`)
      }
      const member = group.currentMember(memberId, instanceId)
      if (generationId !== group.generationId) throw illegalGeneration(groupId, generationId, group.generationId)
      if (group.is('CompletingRebalance')) {
        throw groupError('REBALANCE_IN_PROGRESS', groupId, `group ${groupId} is waiting for its assignment`, memberId)
      }
      this.rebalancer.renewSession(group, member)
    })
  }

  describeGroup(groupId: string): GroupDescription {
    this.checkOpen()
    return this.requireGroup(groupId).describe()
  }

  listGroups(): GroupListing[] {
    this.checkOpen()
    return [...this.groups.values()].map((group) => group.listing())
  }

  /** Forgets an Empty group (its offsets are the offset store's business). */
  deleteGroup(groupId: string): void {
    this.run(() => {
      this.checkOpen()
      const group = this.requireGroup(groupId)
      if (!group.is('Empty')) throw groupError('NON_EMPTY_GROUP', groupId, `group ${groupId} still has members (${group.state})`)
      this.rebalancer.cancelTimers(group)
      group.transitionTo('Dead')
      this.groups.delete(groupId)
      this.outbox.push(['group.deleted', { groupId }])
    })
  }

  /** Cancels every timer and fails parked calls with COORDINATOR_NOT_AVAILABLE; later calls fail the same way. */
  close(): void {
    if (this.closed) return
    this.closed = true
    const gone = new BrokerError('COORDINATOR_NOT_AVAILABLE', 'the group coordinator is closed')
    for (const group of this.groups.values()) {
      this.rebalancer.cancelTimers(group)
      for (const member of group.members()) {
        member.completeJoin(gone)
        member.completeSync(gone)
      }
    }
    this.groups.clear()
    this.outbox.length = 0
  }

  private handleSync(raw: SyncGroupRequest, waiter: Waiter<SyncGroupResponse>): void {
    const request = check.checkRequest<SyncGroupRequest>(raw, 'SyncGroup')
    const { group, member } = this.currentMember(request)
    const assignments = check.checkAssignments(request.assignments ?? [])
    if (group.is('PreparingRebalance')) {
      throw groupError('REBALANCE_IN_PROGRESS', group.groupId, `group ${group.groupId} is rebalancing; rejoin`, member.memberId)
    }
    this.rebalancer.markSynced(group, member.memberId)
    if (group.is('Stable')) {
      waiter.resolve({ assignment: member.assignment })
      this.rebalancer.renewSession(group, member)
      return
    }
    // CompletingRebalance: park until the leader's assignment arrives (or this is the leader's).
    member.completeSync(groupError('REBALANCE_IN_PROGRESS', group.groupId, 'superseded by a newer SyncGroup from the same member', member.memberId))
    member.syncWaiter = waiter
    if (group.isLeader(member.memberId)) this.rebalancer.applyAssignment(group, assignments)
  }

  private leaveOne(group: Group, memberId: string, instanceId: string | null): void {
    if (memberId === '') {
      // An administrative removal by instance id (KIP-345).
      const staticId = instanceId === null ? undefined : group.staticMemberId(instanceId)
      const member = staticId === undefined ? undefined : group.get(staticId)
      if (!member) throw groupError('UNKNOWN_MEMBER_ID', group.groupId, `no static member ${instanceId} in group ${group.groupId}`)
      this.rebalancer.removeMember(group, member, `static member ${instanceId} left the group`)
    } else if (instanceId === null && group.pendingMembers.has(memberId)) {
      this.rebalancer.expirePending(group, memberId)
    } else {
      const member = group.currentMember(memberId, instanceId)
      this.rebalancer.removeMember(group, member, `member ${memberId} left the group`)
    }
  }

  /** Heartbeat and SyncGroup: the member must be current and in the group's generation. */
  private currentMember(request: MemberGeneration): { group: Group; member: GroupMember } {
    this.checkOpen()
    const groupId = check.checkGroupId(request.groupId)
    const generationId = check.checkGenerationId(request.generationId)
    const memberId = check.checkMemberId(request.memberId)
    const instanceId = check.checkInstanceId(request.groupInstanceId)
    const group = this.groups.get(groupId)
    if (!group) throw groupError('UNKNOWN_MEMBER_ID', groupId, `group ${groupId} does not exist`, memberId)
    const member = group.currentMember(memberId, instanceId)
    if (generationId !== group.generationId) throw illegalGeneration(groupId, generationId, group.generationId)
    return { group, member }
  }

  private requireGroup(groupId: string): Group {
    const group = this.groups.get(check.checkGroupId(groupId))
    if (!group) throw groupError('GROUP_ID_NOT_FOUND', groupId, `group ${groupId} does not exist`)
    return group
  }

  private checkOpen(): void {
    if (this.closed) throw new BrokerError('COORDINATOR_NOT_AVAILABLE', 'the group coordinator is closed')
  }

  private schedule(ms: number, fn: () => void): ArmedTimer {
    const handle = this.clock.setTimeout(() => {
      if (!this.closed) this.run(fn)
    }, ms)
    return { dueAt: this.clock.now() + ms, cancel: () => handle.cancel() }
  }

  /** One step of the actor: the state change, then the events it caused. */
  private run<T>(step: () => T): T {
    this.depth += 1
    try {
      return step()
    } finally {
      this.depth -= 1
      if (this.depth === 0) this.flushEvents()
    }
  }

  private flushEvents(): void {
    while (this.outbox.length > 0) {
      const [name, payload] = this.outbox.shift()!
      try {
        this.events.emit(name, payload)
      } catch (error) {
        // A throwing listener is a bug of the listener; it must not undo a reply already sent.
        process.nextTick(() => {
          throw error
        })
      }
    }
  }
}
