import test from 'ava'
import { DELAY_MS, SESSION_MS, formGroup, isPending, join, kit, meta, peek, rejectsWith, throwsWith } from './group-kit.js'

test('a single member joins: generation 1, it leads, its sync gives its assignment, the group is Stable', async (t) => {
  const k = kit(t, { initialRebalanceDelayMs: 0 })
  const joined = await k.coordinator.joinGroup(join({ clientId: 'app' }))
  t.is(joined.generationId, 1)
  t.is(joined.leaderId, joined.memberId)
  t.regex(joined.memberId, /^app-[0-9a-f-]{36}$/)
  t.is(joined.protocolName, 'range')
  t.deepEqual(joined.members, [{ memberId: joined.memberId, groupInstanceId: null, metadata: meta('sub') }])
  t.is(k.coordinator.describeGroup('g').state, 'CompletingRebalance')

  const synced = await k.coordinator.syncGroup({
    groupId: 'g',
    generationId: 1,
    memberId: joined.memberId,
    assignments: [{ memberId: joined.memberId, assignment: meta('p0,p1') }],
  })
  t.deepEqual(synced.assignment, meta('p0,p1'))
  t.is(k.coordinator.describeGroup('g').state, 'Stable')
  t.notThrows(() => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: joined.memberId }))
  t.deepEqual(
    k.events.map((e) => e.name),
    ['rebalance', 'group.stable'],
  )
  t.deepEqual(k.events[1].payload.members, [{ memberId: joined.memberId, groupInstanceId: null, assignment: meta('p0,p1') }])
})

test('three members joining together form one generation; followers get their bytes when the leader syncs', async (t) => {
  const k = kit(t)
  const joins = [1, 2, 3].map((i) => k.coordinator.joinGroup(join({ clientId: `c${i}`, protocols: [{ name: 'range', metadata: meta(`m${i}`) }] })))
  k.clock.advance(DELAY_MS)
  // Members arrived during the initial delay, so it is extended once more.
  t.true(await isPending(joins[0]))
  k.clock.advance(DELAY_MS)
  const [a, b, c] = await Promise.all(joins)
  t.deepEqual(
    [a, b, c].map((j) => j.generationId),
    [1, 1, 1],
  )
  t.is(a.leaderId, a.memberId)
  t.is(b.leaderId, a.memberId)
  t.deepEqual(
    a.members.map((m) => m.metadata.toString()),
    ['m1', 'm2', 'm3'],
  )
  t.deepEqual(b.members, [])
  t.deepEqual(c.members, [])

  const syncB = k.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: b.memberId, assignments: [] })
  const syncC = k.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: c.memberId, assignments: [] })
  t.true(await isPending(syncB))
  t.is(k.coordinator.describeGroup('g').state, 'CompletingRebalance')
  // The leader leaves c out: c gets an empty assignment.
  const syncA = k.coordinator.syncGroup({
    groupId: 'g',
    generationId: 1,
    memberId: a.memberId,
    assignments: [
      { memberId: a.memberId, assignment: meta('A') },
      { memberId: b.memberId, assignment: meta('B') },
    ],
  })
  t.deepEqual((await syncA).assignment, meta('A'))
  t.deepEqual((await syncB).assignment, meta('B'))
  t.deepEqual((await syncC).assignment, Buffer.alloc(0))
  t.is(k.coordinator.describeGroup('g').state, 'Stable')
})

test('a member leaving makes the others rejoin into the next generation without it', async (t) => {
  const k = kit(t)
  const [a, b, c] = await formGroup(k, [join({ clientId: 'a' }), join({ clientId: 'b' }), join({ clientId: 'c' })])
  const results = k.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: b.memberId }] })
  t.deepEqual(results, [{ memberId: b.memberId, groupInstanceId: null, error: null }])
  t.is(k.coordinator.describeGroup('g').state, 'PreparingRebalance')
  t.is(k.events.at(-1)?.name, 'rebalance')

  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId }), 'REBALANCE_IN_PROGRESS')
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: c.memberId }), 'REBALANCE_IN_PROGRESS')
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId }), 'UNKNOWN_MEMBER_ID')

  const rejoinA = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  t.true(await isPending(rejoinA))
  const rejoinC = k.coordinator.joinGroup(join({ memberId: c.memberId }))
  const [a2, c2] = await Promise.all([rejoinA, rejoinC])
  t.is(a2.generationId, 2)
  t.is(c2.generationId, 2)
  t.is(a2.leaderId, a.memberId)
  t.deepEqual(
    a2.members.map((m) => m.memberId),
    [a.memberId, c.memberId],
  )
})

test('the last member leaving empties the group, which can then be deleted', async (t) => {
  const k = kit(t)
  const [a] = await formGroup(k, [join()])
  k.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: a.memberId }] })
  const description = k.coordinator.describeGroup('g')
  t.is(description.state, 'Empty')
  t.deepEqual(description.members, [])
  t.deepEqual(k.coordinator.listGroups(), [{ groupId: 'g', protocolType: 'consumer', state: 'Empty' }])
  k.coordinator.deleteGroup('g')
  t.deepEqual(k.coordinator.listGroups(), [])
  t.is(k.events.at(-1)?.name, 'group.deleted')
  throwsWith(t, () => k.coordinator.describeGroup('g'), 'GROUP_ID_NOT_FOUND')
})

test('a member that stops heartbeating is expired after its session timeout and the group rebalances', async (t) => {
  const k = kit(t)
  const [a, b] = await formGroup(k, [join({ clientId: 'a' }), join({ clientId: 'b' })])
  k.clock.advance(SESSION_MS / 2)
  k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })
  k.clock.advance(SESSION_MS / 2 - 1)
  t.is(k.coordinator.describeGroup('g').state, 'Stable')
  k.clock.advance(1)
  t.deepEqual(
    k.events.filter((e) => e.name === 'member.expired').map((e) => e.payload),
    [{ groupId: 'g', memberId: b.memberId, groupInstanceId: null, reason: 'session-timeout' }],
  )
  t.is(k.coordinator.describeGroup('g').state, 'PreparingRebalance')
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId }), 'REBALANCE_IN_PROGRESS')
  const a2 = await k.coordinator.joinGroup(join({ memberId: a.memberId }))
  t.is(a2.generationId, 2)
  t.deepEqual(
    a2.members.map((m) => m.memberId),
    [a.memberId],
  )
  await k.coordinator.syncGroup({ groupId: 'g', generationId: 2, memberId: a.memberId, assignments: [] })
  // A heartbeating member is never expired.
  for (let i = 0; i < 5; i++) {
    k.clock.advance(SESSION_MS - 1)
    k.coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: a.memberId })
  }
  t.is(k.coordinator.describeGroup('g').members.length, 1)
})

test('zombies: an old generation gets ILLEGAL_GENERATION, a removed member UNKNOWN_MEMBER_ID', async (t) => {
  const k = kit(t)
  const [a, b] = await formGroup(k, [join({ clientId: 'a' }), join({ clientId: 'b' })])
  // a (the leader) rejoins, b follows: generation 2.
  const rejoinA = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  const b2 = await k.coordinator.joinGroup(join({ memberId: b.memberId }))
  await rejoinA
  t.is(b2.generationId, 2)

  const stale = { groupId: 'g', generationId: 1, memberId: b.memberId }
  throwsWith(t, () => k.coordinator.heartbeat(stale), 'ILLEGAL_GENERATION')
  throwsWith(t, () => k.coordinator.validateCommit(stale), 'ILLEGAL_GENERATION')
  await rejectsWith(t, k.coordinator.syncGroup({ ...stale, assignments: [] }), 'ILLEGAL_GENERATION')
  // Generation 2 is not Stable yet: a commit must wait for the assignment.
  throwsWith(t, () => k.coordinator.validateCommit({ ...stale, generationId: 2 }), 'REBALANCE_IN_PROGRESS')
  await k.coordinator.syncGroup({ groupId: 'g', generationId: 2, memberId: a.memberId, assignments: [] })
  t.notThrows(() => k.coordinator.validateCommit({ ...stale, generationId: 2 }))

  // b pauses past its session: removed; whatever it sends afterwards is refused.
  for (let elapsed = 0; elapsed <= SESSION_MS; elapsed += 1000) {
    k.clock.advance(1000)
    try {
      k.coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: a.memberId })
    } catch {
      // REBALANCE_IN_PROGRESS once b is gone.
    }
  }
  t.is(k.events.filter((e) => e.name === 'member.expired').length, 1)
  const zombie = { groupId: 'g', generationId: 2, memberId: b.memberId }
  throwsWith(t, () => k.coordinator.heartbeat(zombie), 'UNKNOWN_MEMBER_ID')
  throwsWith(t, () => k.coordinator.validateCommit(zombie), 'UNKNOWN_MEMBER_ID')
  await rejectsWith(t, k.coordinator.syncGroup({ ...zombie, assignments: [] }), 'UNKNOWN_MEMBER_ID')
  await rejectsWith(t, k.coordinator.joinGroup(join({ memberId: b.memberId })), 'UNKNOWN_MEMBER_ID')
  // A simple (generation -1) commit is refused while the group has members.
  throwsWith(t, () => k.coordinator.validateCommit({ groupId: 'g', generationId: -1, memberId: '' }), 'UNKNOWN_MEMBER_ID')
})

test('simple commits (generation -1, no member) are accepted on an Empty or unknown group', (t) => {
  const k = kit(t)
  t.notThrows(() => k.coordinator.validateCommit({ groupId: 'manual', generationId: -1, memberId: '' }))
  t.deepEqual(k.coordinator.listGroups(), [{ groupId: 'manual', protocolType: '', state: 'Empty' }])
  throwsWith(t, () => k.coordinator.validateCommit({ groupId: 'other', generationId: 3, memberId: 'm' }), 'ILLEGAL_GENERATION')
})

test('bad input ends in typed errors', async (t) => {
  const k = kit(t, { minSessionTimeoutMs: 1000, maxSessionTimeoutMs: 60_000 })
  await rejectsWith(t, k.coordinator.joinGroup(join({ groupId: '' })), 'INVALID_GROUP_ID')
  await rejectsWith(t, k.coordinator.joinGroup(join({ sessionTimeoutMs: 999 })), 'INVALID_SESSION_TIMEOUT')
  await rejectsWith(t, k.coordinator.joinGroup(join({ sessionTimeoutMs: 60_001 })), 'INVALID_SESSION_TIMEOUT')
  await rejectsWith(t, k.coordinator.joinGroup(join({ protocols: [] })), 'INCONSISTENT_GROUP_PROTOCOL')
  await rejectsWith(t, k.coordinator.joinGroup(join({ protocolType: '' })), 'INCONSISTENT_GROUP_PROTOCOL')
  await rejectsWith(t, k.coordinator.joinGroup(join({ protocols: [{ name: 'range', metadata: 'x' as never }] })), 'INVALID_REQUEST')
  await rejectsWith(t, k.coordinator.joinGroup(join({ rebalanceTimeoutMs: -1 })), 'INVALID_REQUEST')
  await rejectsWith(t, k.coordinator.joinGroup(null as never), 'INVALID_REQUEST')
  await rejectsWith(t, k.coordinator.joinGroup(join({ memberId: 'nobody' })), 'UNKNOWN_MEMBER_ID')
  t.deepEqual(k.coordinator.listGroups(), [], 'refused joins create no group')

  const first = k.coordinator.joinGroup(join({ protocols: [{ name: 'range', metadata: meta('s') }] }))
  await rejectsWith(t, k.coordinator.joinGroup(join({ protocols: [{ name: 'roundrobin', metadata: meta('s') }] })), 'INCONSISTENT_GROUP_PROTOCOL')
  await rejectsWith(t, k.coordinator.joinGroup(join({ protocolType: 'connect' })), 'INCONSISTENT_GROUP_PROTOCOL')
  k.clock.advance(DELAY_MS)
  await first

  throwsWith(t, () => k.coordinator.heartbeat({ groupId: '', generationId: 1, memberId: 'm' }), 'INVALID_GROUP_ID')
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'nope', generationId: 1, memberId: 'm' }), 'UNKNOWN_MEMBER_ID')
  await rejectsWith(t, k.coordinator.syncGroup({ groupId: '', generationId: 1, memberId: 'm', assignments: [] }), 'INVALID_GROUP_ID')
  throwsWith(t, () => k.coordinator.describeGroup(''), 'INVALID_GROUP_ID')
  throwsWith(t, () => k.coordinator.describeGroup('nope'), 'GROUP_ID_NOT_FOUND')
  throwsWith(t, () => k.coordinator.deleteGroup('nope'), 'GROUP_ID_NOT_FOUND')
  throwsWith(t, () => k.coordinator.deleteGroup('g'), 'NON_EMPTY_GROUP')
  const [unknown] = k.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: 'nobody' }] })
  t.is(unknown.error?.code, 'UNKNOWN_MEMBER_ID')
  const [noGroup] = k.coordinator.leaveGroup({ groupId: 'nope', members: [{ memberId: 'x' }] })
  t.is(noGroup.error?.code, 'UNKNOWN_MEMBER_ID')
})

test('a full group refuses new members with GROUP_MAX_SIZE_REACHED', async (t) => {
  const k = kit(t, { maxGroupSize: 2 })
  const joins = [k.coordinator.joinGroup(join()), k.coordinator.joinGroup(join())]
  await rejectsWith(t, k.coordinator.joinGroup(join()), 'GROUP_MAX_SIZE_REACHED')
  await rejectsWith(t, k.coordinator.joinGroup(join({ requireKnownMemberId: true })), 'GROUP_MAX_SIZE_REACHED')
  k.clock.advance(DELAY_MS * 2)
  t.is((await Promise.all(joins)).length, 2)
})

test('describeGroup and listGroups report state, protocol, members and (when Stable) their bytes', async (t) => {
  const k = kit(t)
  const [a, b] = await formGroup(k, [join({ clientId: 'a', clientHost: '/10.0.0.1' }), join({ clientId: 'b', groupInstanceId: 'b-1' })])
  t.deepEqual(k.coordinator.describeGroup('g'), {
    groupId: 'g',
    state: 'Stable',
    protocolType: 'consumer',
    protocol: 'range',
    members: [
      { memberId: a.memberId, groupInstanceId: null, clientId: 'a', clientHost: '/10.0.0.1', metadata: meta('sub'), assignment: meta('a0') },
      { memberId: b.memberId, groupInstanceId: 'b-1', clientId: 'b', clientHost: '/127.0.0.1', metadata: meta('sub'), assignment: meta('a1') },
    ],
  })
  t.deepEqual(k.coordinator.listGroups(), [{ groupId: 'g', protocolType: 'consumer', state: 'Stable' }])
  k.coordinator.joinGroup(join({ memberId: a.memberId })).catch(() => {})
  const rebalancing = k.coordinator.describeGroup('g')
  t.is(rebalancing.state, 'PreparingRebalance')
  t.is(rebalancing.protocol, '')
  t.deepEqual(
    rebalancing.members.map((m) => [m.metadata.length, m.assignment.length]),
    [
      [0, 0],
      [0, 0],
    ],
  )
})

test('close() fails parked joins and syncs with COORDINATOR_NOT_AVAILABLE and cancels every timer', async (t) => {
  const k = kit(t)
  const [a, b] = await formGroup(k, [join({ clientId: 'a' }), join({ clientId: 'b' })])
  const rejoinB = k.coordinator.joinGroup(join({ memberId: b.memberId, protocols: [{ name: 'range', metadata: meta('new') }] }))
  const rejoinA = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  const [, b2] = await Promise.all([rejoinA, rejoinB])
  const parkedSync = k.coordinator.syncGroup({ groupId: 'g', generationId: b2.generationId, memberId: b2.memberId, assignments: [] })
  const parkedJoin = k.coordinator.joinGroup(join({ groupId: 'other' }))
  t.true(await isPending(parkedSync))
  t.true(await isPending(parkedJoin))
  k.coordinator.close()
  await rejectsWith(t, parkedSync, 'COORDINATOR_NOT_AVAILABLE')
  await rejectsWith(t, parkedJoin, 'COORDINATOR_NOT_AVAILABLE')
  t.is(k.clock.pendingTimers(), 0)
  await rejectsWith(t, k.coordinator.joinGroup(join()), 'COORDINATOR_NOT_AVAILABLE')
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: a.memberId }), 'COORDINATOR_NOT_AVAILABLE')
  throwsWith(t, () => k.coordinator.listGroups(), 'COORDINATOR_NOT_AVAILABLE')
  t.is((await peek(parkedJoin)).status, 'rejected')
})
