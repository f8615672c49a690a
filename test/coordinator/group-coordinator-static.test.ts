import test from 'ava'
import { DELAY_MS, REBALANCE_MS, SESSION_MS, formGroup, isPending, join, kit, meta, rejectsWith, throwsWith } from './group-kit.js'

const both = [{ name: 'range', metadata: meta('sub') }, { name: 'roundrobin', metadata: meta('sub') }]

test('a static member restarting within its session timeout gets a new id, no rebalance, and its old assignment', async (t) => {
  const k = kit(t)
  const [s, a] = await formGroup(k, [join({ groupInstanceId: 's1', clientId: 's' }), join({ clientId: 'a' })])
  t.is(s.leaderId, s.memberId)
  const eventCount = k.events.length
  k.clock.advance(SESSION_MS / 2)
  k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })

  const restarted = await k.coordinator.joinGroup(join({ groupInstanceId: 's1', clientId: 's', protocols: [{ name: 'range', metadata: meta('sub-v2') }] }))
  t.not(restarted.memberId, s.memberId)
  t.regex(restarted.memberId, /^s1-/)
  t.is(restarted.generationId, 1, 'same generation: no rebalance')
  // The old leader id comes back, so the restarted leader does not compute an assignment a Stable group would ignore.
  t.is(restarted.leaderId, s.memberId)
  t.deepEqual(restarted.members, [])
  t.is(k.events.length, eventCount, 'no rebalance event')
  t.is(k.coordinator.describeGroup('g').state, 'Stable')

  const old = { groupId: 'g', generationId: 1, memberId: s.memberId, groupInstanceId: 's1' }
  throwsWith(t, () => k.coordinator.heartbeat(old), 'FENCED_INSTANCE_ID')
  throwsWith(t, () => k.coordinator.validateCommit(old), 'FENCED_INSTANCE_ID')
  await rejectsWith(t, k.coordinator.syncGroup({ ...old, assignments: [] }), 'FENCED_INSTANCE_ID')
  await rejectsWith(t, k.coordinator.joinGroup(join({ memberId: s.memberId, groupInstanceId: 's1' })), 'FENCED_INSTANCE_ID')
  throwsWith(t, () => k.coordinator.heartbeat({ ...old, groupInstanceId: null }), 'UNKNOWN_MEMBER_ID')

  const synced = await k.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: restarted.memberId, groupInstanceId: 's1', assignments: [] })
  t.deepEqual(synced.assignment, meta('a0'))
  t.notThrows(() => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId }))
  t.notThrows(() => k.coordinator.validateCommit({ groupId: 'g', generationId: 1, memberId: restarted.memberId, groupInstanceId: 's1' }))
  t.deepEqual(
    k.coordinator.describeGroup('g').members.map((m) => [m.groupInstanceId, m.metadata.toString()]),
    [
      [null, 'sub'],
      ['s1', 'sub-v2'],
    ],
  )

  // Leadership moved to the new id: at the next rebalance the restarted instance leads.
  k.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: a.memberId }] })
  const next = await k.coordinator.joinGroup(join({ memberId: restarted.memberId, groupInstanceId: 's1' }))
  t.is(next.generationId, 2)
  t.is(next.leaderId, restarted.memberId)
})

test('a static member restarting with protocols that change the group protocol triggers a rebalance', async (t) => {
  const k = kit(t)
  const [, a] = await formGroup(k, [join({ groupInstanceId: 's1', protocols: both }), join({ protocols: both })])
  const restart = k.coordinator.joinGroup(join({ groupInstanceId: 's1', protocols: [{ name: 'roundrobin', metadata: meta('sub') }] }))
  t.true(await isPending(restart))
  t.is(k.coordinator.describeGroup('g').state, 'PreparingRebalance')
  const [s2, a2] = await Promise.all([restart, k.coordinator.joinGroup(join({ memberId: a.memberId, protocols: both }))])
  t.is(s2.generationId, 2)
  t.is(a2.protocolName, 'roundrobin')
})

test('a static member gone past its session timeout is removed with a rebalance', async (t) => {
  const k = kit(t)
  const [s, a] = await formGroup(k, [join({ groupInstanceId: 's1' }), join({ clientId: 'a' })])
  for (let i = 0; i < 4; i++) {
    k.clock.advance(2000)
    k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })
  }
  k.clock.advance(SESSION_MS - 8000 - 1)
  t.is(k.coordinator.describeGroup('g').state, 'Stable')
  k.clock.advance(1)
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId }), 'REBALANCE_IN_PROGRESS')
  t.deepEqual(
    k.events.filter((e) => e.name === 'member.expired').map((e) => e.payload),
    [{ groupId: 'g', memberId: s.memberId, groupInstanceId: 's1', reason: 'session-timeout' }],
  )
  const a2 = await k.coordinator.joinGroup(join({ memberId: a.memberId }))
  t.is(a2.generationId, 2)
  t.deepEqual(
    a2.members.map((m) => m.memberId),
    [a.memberId],
  )
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: s.memberId, groupInstanceId: 's1' }), 'UNKNOWN_MEMBER_ID')
})

test('a static member that misses a join phase keeps its place and its metadata goes to the leader (KIP-345)', async (t) => {
  const k = kit(t)
  const [a, s] = await formGroup(k, [join({ clientId: 'a' }), join({ groupInstanceId: 's1' })])
  const rejoinA = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  // The static member is alive (it heartbeats, and learns of the rebalance) but does not rejoin.
  for (let elapsed = 0; elapsed < REBALANCE_MS; elapsed += 5000) {
    throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: s.memberId, groupInstanceId: 's1' }), 'REBALANCE_IN_PROGRESS')
    k.clock.advance(5000)
  }
  const a2 = await rejoinA
  t.is(a2.generationId, 2)
  t.deepEqual(
    a2.members.map((m) => [m.memberId, m.groupInstanceId]),
    [
      [a.memberId, null],
      [s.memberId, 's1'],
    ],
  )
  t.is(k.events.filter((e) => e.name === 'member.expired').length, 0)
})

test('of two live instances with one group.instance.id, the newer fences the older', async (t) => {
  const k = kit(t)
  const [a, s, c] = await formGroup(k, [join({ clientId: 'a' }), join({ groupInstanceId: 's1' }), join({ clientId: 'c' })])
  const rejoinA = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  const olderJoin = k.coordinator.joinGroup(join({ memberId: s.memberId, groupInstanceId: 's1' }))
  t.true(await isPending(olderJoin))
  const newerJoin = k.coordinator.joinGroup(join({ groupInstanceId: 's1' }))
  await rejectsWith(t, olderJoin, 'FENCED_INSTANCE_ID')
  const rejoinC = k.coordinator.joinGroup(join({ memberId: c.memberId }))
  const [a2, newer] = await Promise.all([rejoinA, newerJoin, rejoinC])
  t.is(newer.generationId, 2)
  t.deepEqual(
    a2.members.map((m) => m.memberId),
    [a.memberId, c.memberId, newer.memberId],
  )
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: s.memberId, groupInstanceId: 's1' }), 'FENCED_INSTANCE_ID')
  await rejectsWith(t, k.coordinator.joinGroup(join({ memberId: s.memberId, groupInstanceId: 's1' })), 'FENCED_INSTANCE_ID')
})

test('LeaveGroup by group.instance.id removes that static member', async (t) => {
  const k = kit(t)
  const [a] = await formGroup(k, [join({ clientId: 'a' }), join({ groupInstanceId: 's1' })])
  const results = k.coordinator.leaveGroup({ groupId: 'g', members: [{ memberId: '', groupInstanceId: 's1' }, { memberId: '', groupInstanceId: 'nope' }] })
  t.is(results[0].error, null)
  t.is(results[1].error?.code, 'UNKNOWN_MEMBER_ID')
  const a2 = await k.coordinator.joinGroup(join({ memberId: a.memberId }))
  t.deepEqual(
    a2.members.map((m) => m.memberId),
    [a.memberId],
  )
})

test('requireKnownMemberId: a new member first gets MEMBER_ID_REQUIRED with its id, then joins with it', async (t) => {
  const k = kit(t)
  const required = await rejectsWith(t, k.coordinator.joinGroup(join({ requireKnownMemberId: true })), 'MEMBER_ID_REQUIRED')
  const memberId = required.details.memberId as string
  t.regex(memberId, /^client-/)
  t.deepEqual(k.coordinator.describeGroup('g').members, [])

  const joining = k.coordinator.joinGroup(join({ memberId, requireKnownMemberId: true }))
  k.clock.advance(DELAY_MS)
  const joined = await joining
  t.is(joined.memberId, memberId)
  t.is(joined.generationId, 1)
  await k.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId, assignments: [] })

  // A pending id holds the join phase open until it is used...
  const second = await rejectsWith(t, k.coordinator.joinGroup(join({ requireKnownMemberId: true })), 'MEMBER_ID_REQUIRED')
  const rejoin = k.coordinator.joinGroup(join({ memberId }))
  t.true(await isPending(rejoin))
  const secondJoin = k.coordinator.joinGroup(join({ memberId: second.details.memberId as string }))
  t.is((await rejoin).generationId, 2)
  t.is((await secondJoin).generationId, 2)

  // ...or expires unused after the session timeout.
  const unused = await rejectsWith(t, k.coordinator.joinGroup(join({ requireKnownMemberId: true })), 'MEMBER_ID_REQUIRED')
  k.clock.advance(SESSION_MS)
  await rejectsWith(t, k.coordinator.joinGroup(join({ memberId: unused.details.memberId as string })), 'UNKNOWN_MEMBER_ID')

  // Static members need no round trip.
  const staticJoin = k.coordinator.joinGroup(join({ groupInstanceId: 's1', requireKnownMemberId: true }))
  t.true(await isPending(staticJoin))
  k.clock.advance(REBALANCE_MS)
  t.regex((await staticJoin).memberId, /^s1-/)
})
