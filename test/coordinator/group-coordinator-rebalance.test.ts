import test from 'ava'
import type { JoinGroupRequest } from '../../src/coordinator/group-coordinator.js'
import { DELAY_MS, REBALANCE_MS, SESSION_MS, formGroup, isPending, join, kit, meta, rejectsWith, throwsWith } from './group-kit.js'

const protocols = (...names: string[]): JoinGroupRequest['protocols'] => names.map((name) => ({ name, metadata: meta(`${name}-sub`) }))

test('a member that does not rejoin within the rebalance timeout is dropped and the rest complete', async (t) => {
  const k = kit(t)
  const fast = { rebalanceTimeoutMs: 5000 }
  const [a, b, c] = await formGroup(k, [join({ clientId: 'a', ...fast }), join({ clientId: 'b', ...fast }), join({ clientId: 'c', ...fast })])
  const rejoinA = k.coordinator.joinGroup(join({ memberId: a.memberId, rebalanceTimeoutMs: 5000 }))
  const rejoinB = k.coordinator.joinGroup(join({ memberId: b.memberId, rebalanceTimeoutMs: 5000 }))
  // c is alive (it heartbeats) but never rejoins; the others must not wait for it forever.
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: c.memberId }), 'REBALANCE_IN_PROGRESS')
  k.clock.advance(4999)
  t.true(await isPending(rejoinA))
  k.clock.advance(1)
  const [a2, b2] = await Promise.all([rejoinA, rejoinB])
  t.is(a2.generationId, 2)
  t.is(b2.generationId, 2)
  t.deepEqual(
    a2.members.map((m) => m.memberId),
    [a.memberId, b.memberId],
  )
  t.deepEqual(
    k.events.filter((e) => e.name === 'member.expired').map((e) => e.payload),
    [{ groupId: 'g', memberId: c.memberId, groupInstanceId: null, reason: 'rebalance-timeout' }],
  )
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: c.memberId }), 'UNKNOWN_MEMBER_ID')
})

test('a leader that dies before syncing expires after its session; parked syncs get REBALANCE_IN_PROGRESS', async (t) => {
  const k = kit(t)
  const joins = [k.coordinator.joinGroup(join({ clientId: 'a' })), k.coordinator.joinGroup(join({ clientId: 'b' }))]
  k.clock.advance(DELAY_MS * 2)
  const [a, b] = await Promise.all(joins)
  t.is(a.leaderId, a.memberId)
  const parked = k.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: b.memberId, assignments: [] })
  k.clock.advance(SESSION_MS - 1)
  // Heartbeats are fine while the leader computes the assignment.
  t.notThrows(() => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: b.memberId }))
  t.true(await isPending(parked))
  k.clock.advance(1)
  await rejectsWith(t, parked, 'REBALANCE_IN_PROGRESS')
  t.deepEqual(
    k.events.filter((e) => e.name === 'member.expired').map((e) => [e.payload.memberId, e.payload.reason]),
    [[a.memberId, 'session-timeout']],
  )
  const b2 = await k.coordinator.joinGroup(join({ memberId: b.memberId }))
  t.is(b2.generationId, 2)
  t.is(b2.leaderId, b.memberId)
})

test('a leader that heartbeats but never syncs is removed after the rebalance timeout', async (t) => {
  const k = kit(t)
  const joins = [k.coordinator.joinGroup(join({ clientId: 'a' })), k.coordinator.joinGroup(join({ clientId: 'b' }))]
  k.clock.advance(DELAY_MS * 2)
  const [a, b] = await Promise.all(joins)
  const parked = k.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: b.memberId, assignments: [] })
  for (let elapsed = 0; elapsed < REBALANCE_MS - 5000; elapsed += 5000) {
    k.clock.advance(5000)
    k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId })
  }
  t.true(await isPending(parked), 'the parked follower is kept alive without heartbeats')
  k.clock.advance(5000)
  await rejectsWith(t, parked, 'REBALANCE_IN_PROGRESS')
  t.deepEqual(
    k.events.filter((e) => e.name === 'member.expired').map((e) => [e.payload.memberId, e.payload.reason]),
    [[a.memberId, 'sync-timeout']],
  )
})

test('protocol selection: the protocol all members support that gets the most first-choice votes', async (t) => {
  const votes = async (offers: string[][]) => {
    const k = kit(t)
    const joins = offers.map((names) => k.coordinator.joinGroup(join({ protocols: protocols(...names) })))
    k.clock.advance(DELAY_MS * 2)
    return Promise.all(joins)
  }
  const [leader] = await votes([
    ['range', 'roundrobin'],
    ['roundrobin', 'range'],
    ['roundrobin', 'range'],
  ])
  t.is(leader.protocolName, 'roundrobin')
  t.deepEqual(
    leader.members.map((m) => m.metadata.toString()),
    ['roundrobin-sub', 'roundrobin-sub', 'roundrobin-sub'],
  )
  // Only what everybody supports is a candidate, whatever the first choices.
  t.is((await votes([['cooperative-sticky', 'range'], ['range']]))[0].protocolName, 'range')
  // A tie goes to the choice voted for first, in join order.
  t.is((await votes([['sticky', 'range'], ['range', 'sticky']]))[0].protocolName, 'sticky')
})

test('rejoining while Stable: a follower with the same metadata syncs again; changed metadata or the leader rebalances', async (t) => {
  const k = kit(t)
  const [a, b] = await formGroup(k, [join({ clientId: 'a' }), join({ clientId: 'b' })])
  const rebalances = () => k.events.filter((e) => e.name === 'rebalance').length
  const before = rebalances()

  const same = await k.coordinator.joinGroup(join({ memberId: b.memberId }))
  t.is(same.generationId, 1)
  t.is(rebalances(), before)
  t.deepEqual((await k.coordinator.syncGroup({ groupId: 'g', generationId: 1, memberId: b.memberId, assignments: [] })).assignment, meta('a1'))

  // Cooperative: after revoking, b rejoins with fewer owned partitions in its metadata.
  const revoked = k.coordinator.joinGroup(join({ memberId: b.memberId, protocols: [{ name: 'range', metadata: meta('sub;owned=') }] }))
  t.is(rebalances(), before + 1)
  throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId }), 'REBALANCE_IN_PROGRESS')
  const a2 = await k.coordinator.joinGroup(join({ memberId: a.memberId }))
  t.is((await revoked).generationId, 2)
  t.deepEqual(
    a2.members.map((m) => m.metadata.toString()),
    ['sub', 'sub;owned='],
  )
  t.notThrows(() => k.coordinator.heartbeat({ groupId: 'g', generationId: 2, memberId: b.memberId }))
  await Promise.all([
    k.coordinator.syncGroup({ groupId: 'g', generationId: 2, memberId: a.memberId, assignments: [] }),
    k.coordinator.syncGroup({ groupId: 'g', generationId: 2, memberId: b.memberId, assignments: [] }),
  ])

  // The leader's rejoin starts a rebalance even with unchanged metadata (it saw topics change).
  const leaderRejoin = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  t.is(rebalances(), before + 2)
  const [, b3] = await Promise.all([leaderRejoin, k.coordinator.joinGroup(join({ memberId: b.memberId, protocols: [{ name: 'range', metadata: meta('sub;owned=') }] }))])
  t.is(b3.generationId, 3)
})

test('the first join phase waits out the initial delay, extended while new members arrive, within the rebalance timeout', async (t) => {
  const k = kit(t)
  const first = k.coordinator.joinGroup(join({ rebalanceTimeoutMs: 250 }))
  k.clock.advance(50)
  const second = k.coordinator.joinGroup(join())
  k.clock.advance(100)
  const third = k.coordinator.joinGroup(join())
  k.clock.advance(70)
  const fourth = k.coordinator.joinGroup(join())
  k.clock.advance(29)
  t.true(await isPending(first))
  k.clock.advance(1)
  const joined = await Promise.all([first, second, third, fourth])
  t.deepEqual(
    joined.map((j) => j.generationId),
    [1, 1, 1, 1],
  )
  t.is(joined[0].members.length, 4)
})

test('a new member whose join is never answered is dropped after the new-member join timeout', async (t) => {
  const k = kit(t, { newMemberJoinTimeoutMs: 5000 })
  const [a] = await formGroup(k, [join({ clientId: 'a' })])
  const newcomer = k.coordinator.joinGroup(join({ clientId: 'b' }))
  for (let i = 0; i < 5; i++) {
    k.clock.advance(1000)
    throwsWith(t, () => k.coordinator.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId }), 'REBALANCE_IN_PROGRESS')
  }
  await rejectsWith(t, newcomer, 'UNKNOWN_MEMBER_ID')
  t.is(k.events.filter((e) => e.name === 'member.expired').at(-1)?.payload.reason, 'new-member-join-timeout')
})

test('a repeated JoinGroup from the same member supersedes the parked one', async (t) => {
  const k = kit(t)
  const [a, b] = await formGroup(k, [join({ clientId: 'a' }), join({ clientId: 'b' })])
  const firstTry = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  const retry = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  await rejectsWith(t, firstTry, 'REBALANCE_IN_PROGRESS')
  const [a2] = await Promise.all([retry, k.coordinator.joinGroup(join({ memberId: b.memberId }))])
  t.is(a2.generationId, 2)
})

test('a commit during a rebalance is accepted from the current generation and renews the session', async (t) => {
  const k = kit(t)
  const [a, b] = await formGroup(k, [join({ clientId: 'a' }), join({ clientId: 'b' })])
  const rejoinA = k.coordinator.joinGroup(join({ memberId: a.memberId }))
  k.clock.advance(SESSION_MS - 1)
  t.notThrows(() => k.coordinator.validateCommit({ groupId: 'g', generationId: 1, memberId: b.memberId }))
  k.clock.advance(SESSION_MS - 1)
  t.is(k.events.filter((e) => e.name === 'member.expired').length, 0)
  await k.coordinator.joinGroup(join({ memberId: b.memberId }))
  t.is((await rejoinA).generationId, 2)
})
