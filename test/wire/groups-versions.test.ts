/**
 * Every version of every group API brook advertises, built field by field and answered field by
 * field: FindCoordinator v0–2, JoinGroup v2–5, SyncGroup v1–3, Heartbeat v1–3, LeaveGroup v1–3,
 * OffsetCommit v2–7, OffsetFetch v1–5, DescribeGroups v0–4, ListGroups v0–2.
 */
import test from 'ava'
import type { Broker } from '../../src/index.js'
import type { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { frameRequest, listeningBroker, RawClient } from '../helpers/wire.js'
import { API, assignment, brokerPerFile, call, ERROR, OPERATIONS_OMITTED, subscription } from './groups-kit.js'

const SUBSCRIPTION = subscription(['t'])
const shared = brokerPerFile()

interface JoinFields {
  groupId: string
  memberId?: string
  groupInstanceId?: string | null
  sessionTimeoutMs?: number
}

function join(client: RawClient, version: number, { groupId, memberId = '', groupInstanceId = null, sessionTimeoutMs = 10_000 }: JoinFields) {
  return call(
    client,
    API.JoinGroup,
    version,
    (w) => {
      w.string(groupId).int32(sessionTimeoutMs).int32(20_000).string(memberId)
      if (version >= 5) w.nullableString(groupInstanceId)
      w.string('consumer').array([{ name: 'roundrobin', metadata: SUBSCRIPTION }], (x, p) => x.string(p.name).bytes(p.metadata))
    },
    (r) => ({
      throttleTimeMs: r.int32(),
      errorCode: r.int16(),
      generationId: r.int32(),
      protocolName: r.string(),
      leaderId: r.string(),
      memberId: r.string(),
      members: r.array((m) => ({ memberId: m.string(), ...(version >= 5 ? { groupInstanceId: m.nullableString() } : {}), metadata: Buffer.from(m.bytes()) }), 6),
    }),
  )
}

interface Member {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId?: string | null
}

function sync(client: RawClient, version: number, { groupId, generationId, memberId, groupInstanceId = null }: Member, assignments: Array<{ memberId: string; assignment: Buffer }>) {
  return call(
    client,
    API.SyncGroup,
    version,
    (w) => {
      w.string(groupId).int32(generationId).string(memberId)
      if (version >= 3) w.nullableString(groupInstanceId)
      w.array(assignments, (x, a) => x.string(a.memberId).bytes(a.assignment))
    },
    (r) => ({ throttleTimeMs: r.int32(), errorCode: r.int16(), assignment: Buffer.from(r.bytes()) }),
  )
}

function heartbeat(client: RawClient, version: number, { groupId, generationId, memberId, groupInstanceId = null }: Member) {
  return call(
    client,
    API.Heartbeat,
    version,
    (w) => {
      w.string(groupId).int32(generationId).string(memberId)
      if (version >= 3) w.nullableString(groupInstanceId)
    },
    (r) => ({ throttleTimeMs: r.int32(), errorCode: r.int16() }),
  )
}

function leave(client: RawClient, version: number, groupId: string, members: Array<{ memberId: string; groupInstanceId?: string | null }>) {
  return call(
    client,
    API.LeaveGroup,
    version,
    (w) => {
      w.string(groupId)
      if (version >= 3) w.array(members, (x, m) => x.string(m.memberId).nullableString(m.groupInstanceId ?? null))
      else w.string(members[0]!.memberId)
    },
    (r) => ({
      throttleTimeMs: r.int32(),
      errorCode: r.int16(),
      ...(version >= 3 ? { members: r.array((m) => ({ memberId: m.string(), groupInstanceId: m.nullableString(), errorCode: m.int16() }), 6) } : {}),
    }),
  )
}

interface CommitPartition {
  partition: number
  offset: number
  leaderEpoch?: number
  metadata?: string | null
}

function commit(client: RawClient, version: number, member: Partial<Member> & { groupId: string }, topics: Array<{ topic: string; partitions: CommitPartition[] }>) {
  return call(
    client,
    API.OffsetCommit,
    version,
    (w) => {
      w.string(member.groupId).int32(member.generationId ?? -1).string(member.memberId ?? '')
      if (version >= 7) w.nullableString(member.groupInstanceId ?? null)
      if (version <= 4) w.int64(-1) // retention_time_ms
      w.array(topics, (x, t) =>
        x.string(t.topic).array(t.partitions, (y, p) => {
          y.int32(p.partition).int64(p.offset)
          if (version >= 6) y.int32(p.leaderEpoch ?? -1)
          y.nullableString(p.metadata ?? null)
        }),
      )
    },
    (r) => ({
      ...(version >= 3 ? { throttleTimeMs: r.int32() } : {}),
      topics: r.array((t) => ({ topic: t.string(), partitions: t.array((p) => [p.int32(), p.int16()], 6) }), 6),
    }),
  )
}

function fetchOffsets(client: RawClient, version: number, groupId: string, topics: Array<{ topic: string; partitions: number[] }> | null) {
  return call(
    client,
    API.OffsetFetch,
    version,
    (w) => w.string(groupId).nullableArray(topics, (x, t) => x.string(t.topic).array(t.partitions, (y, p) => y.int32(p))),
    (r) => ({
      ...(version >= 3 ? { throttleTimeMs: r.int32() } : {}),
      topics: r.array(
        (t) => ({
          topic: t.string(),
          partitions: t.array((p: Reader) => ({ partition: p.int32(), offset: p.int64(), ...(version >= 5 ? { leaderEpoch: p.int32() } : {}), metadata: p.nullableString(), errorCode: p.int16() }), 16),
        }),
        6,
      ),
      ...(version >= 2 ? { errorCode: r.int16() } : {}),
    }),
  )
}

/** What OffsetFetch `version` answers for one partition. */
function fetched(version: number, partition: number, offset: number, metadata: string, leaderEpoch = -1) {
  return { partition, offset, ...(version >= 5 ? { leaderEpoch } : {}), metadata, errorCode: ERROR.NONE }
}

/** Joins `groupId` alone (with the v4+ member id handshake) and syncs: a Stable generation. */
async function soleMember(client: RawClient, groupId: string, groupInstanceId: string | null = null, assigned = assignment('t', [0])): Promise<Member> {
  let joined = await join(client, 5, { groupId, groupInstanceId })
  if (joined.errorCode === ERROR.MEMBER_ID_REQUIRED) joined = await join(client, 5, { groupId, memberId: joined.memberId, groupInstanceId })
  const member = { groupId, generationId: joined.generationId, memberId: joined.memberId, groupInstanceId }
  await sync(client, 3, member, [{ memberId: joined.memberId, assignment: assigned }])
  return member
}

test('FindCoordinator v0–2: this node for groups; transactions have no coordinator; an unknown key type is INVALID_REQUEST', async (t) => {
  const { port } = await shared()
  const client = await RawClient.open(t, port)
  const find = (version: number, keyType: number) =>
    call(
      client,
      API.FindCoordinator,
      version,
      (w) => {
        w.string('some-group')
        if (version >= 1) w.int8(keyType)
      },
      (r) => ({
        ...(version >= 1 ? { throttleTimeMs: r.int32() } : {}),
        errorCode: r.int16(),
        ...(version >= 1 ? { errorMessage: r.nullableString() } : {}),
        nodeId: r.int32(),
        host: r.string(),
        port: r.int32(),
      }),
    )
  t.deepEqual(await find(0, 0), { errorCode: ERROR.NONE, nodeId: 1, host: '127.0.0.1', port })
  for (const version of [1, 2]) {
    t.deepEqual(await find(version, 0), { throttleTimeMs: 0, errorCode: ERROR.NONE, errorMessage: null, nodeId: 1, host: '127.0.0.1', port })
    const transactional = await find(version, 1)
    t.like(transactional, { throttleTimeMs: 0, errorCode: ERROR.COORDINATOR_NOT_AVAILABLE, nodeId: -1, host: '', port: -1 })
    t.is(typeof transactional.errorMessage, 'string')
    t.like(await find(version, 5), { errorCode: ERROR.INVALID_REQUEST, nodeId: -1 })
  }
})

for (const [joinVersion, otherVersion] of [
  [2, 1],
  [3, 2],
  [4, 3],
  [5, 3],
] as const) {
  test(`JoinGroup v${joinVersion} with SyncGroup, Heartbeat and LeaveGroup v${otherVersion}`, async (t) => {
    const { broker, port } = await shared()
    const client = await RawClient.open(t, port)
    const groupId = `g-${joinVersion}`
    let memberId = ''
    if (joinVersion >= 4) {
      // KIP-394: the first join only hands out the member id.
      const first = await join(client, joinVersion, { groupId })
      t.regex(first.memberId, /^raw-/)
      t.deepEqual(first, { throttleTimeMs: 0, errorCode: ERROR.MEMBER_ID_REQUIRED, generationId: -1, protocolName: '', leaderId: '', memberId: first.memberId, members: [] })
      memberId = first.memberId
    }
    const joined = await join(client, joinVersion, { groupId, memberId })
    if (memberId === '') memberId = joined.memberId
    t.deepEqual(joined, {
      throttleTimeMs: 0,
      errorCode: ERROR.NONE,
      generationId: 1,
      protocolName: 'roundrobin',
      leaderId: memberId,
      memberId,
      members: [{ memberId, ...(joinVersion >= 5 ? { groupInstanceId: null } : {}), metadata: SUBSCRIPTION }],
    })
    const member = { groupId, generationId: 1, memberId }
    const assigned = assignment('t', [0, 1])
    t.deepEqual(await sync(client, otherVersion, member, [{ memberId, assignment: assigned }]), { throttleTimeMs: 0, errorCode: ERROR.NONE, assignment: assigned })
    t.deepEqual(await heartbeat(client, otherVersion, member), { throttleTimeMs: 0, errorCode: ERROR.NONE })
    t.deepEqual(await heartbeat(client, otherVersion, { ...member, memberId: 'nobody' }), { throttleTimeMs: 0, errorCode: ERROR.UNKNOWN_MEMBER_ID })
    const described = broker.groups.coordinator.describeGroup(groupId)
    t.like(described, { state: 'Stable', protocol: 'roundrobin' })
    t.like(described.members[0], { memberId, clientId: 'raw', clientHost: '/127.0.0.1' })

    const left = await leave(client, otherVersion, groupId, [{ memberId }])
    if (otherVersion >= 3) t.deepEqual(left, { throttleTimeMs: 0, errorCode: ERROR.NONE, members: [{ memberId, groupInstanceId: null, errorCode: ERROR.NONE }] })
    else t.deepEqual(left, { throttleTimeMs: 0, errorCode: ERROR.NONE })
    t.is(broker.groups.coordinator.describeGroup(groupId).state, 'Empty')
    // Leaving again: the member is gone.
    const again = await leave(client, otherVersion, groupId, [{ memberId }])
    if (otherVersion >= 3) t.deepEqual(again.members, [{ memberId, groupInstanceId: null, errorCode: ERROR.UNKNOWN_MEMBER_ID }])
    else t.is(again.errorCode, ERROR.UNKNOWN_MEMBER_ID)
  })
}

test('static membership: JoinGroup v5, SyncGroup v3, Heartbeat v3, OffsetCommit v7 and LeaveGroup v3 by group_instance_id', async (t) => {
  const { broker, port } = await shared()
  await broker.admin().createTopics({ topics: [{ topic: 'static-t', numPartitions: 2 }] })
  const client = await RawClient.open(t, port)
  // A static member joins at once: no MEMBER_ID_REQUIRED round trip.
  const joined = await join(client, 5, { groupId: 'static', groupInstanceId: 'box-1' })
  t.is(joined.errorCode, ERROR.NONE)
  t.deepEqual(joined.members, [{ memberId: joined.memberId, groupInstanceId: 'box-1', metadata: SUBSCRIPTION }])
  const member = { groupId: 'static', generationId: joined.generationId, memberId: joined.memberId, groupInstanceId: 'box-1' }
  t.is((await sync(client, 3, member, [{ memberId: joined.memberId, assignment: assignment('t', [0, 1]) }])).errorCode, ERROR.NONE)
  t.is((await heartbeat(client, 3, member)).errorCode, ERROR.NONE)
  // Another instance id's member, or the same instance id with another member id (an old instance), is refused.
  t.is((await heartbeat(client, 3, { ...member, memberId: 'old-instance' })).errorCode, ERROR.FENCED_INSTANCE_ID)
  t.deepEqual(await commit(client, 7, member, [{ topic: 'static-t', partitions: [{ partition: 1, offset: 5 }] }]), { throttleTimeMs: 0, topics: [{ topic: 'static-t', partitions: [[1, ERROR.NONE]] }] })
  t.deepEqual(await commit(client, 7, { ...member, memberId: 'old-instance' }, [{ topic: 'static-t', partitions: [{ partition: 1, offset: 6 }] }]), {
    throttleTimeMs: 0,
    topics: [{ topic: 'static-t', partitions: [[1, ERROR.FENCED_INSTANCE_ID]] }],
  })
  // An administrative removal names the instance id alone.
  t.deepEqual(await leave(client, 3, 'static', [{ memberId: '', groupInstanceId: 'box-1' }]), {
    throttleTimeMs: 0,
    errorCode: ERROR.NONE,
    members: [{ memberId: '', groupInstanceId: 'box-1', errorCode: ERROR.NONE }],
  })
  t.is(broker.groups.coordinator.describeGroup('static').state, 'Empty')
})

test('a member of a replaced generation is told REBALANCE_IN_PROGRESS, then ILLEGAL_GENERATION, and its commits are refused', async (t) => {
  const { broker, port } = await shared()
  await broker.admin().createTopics({ topics: [{ topic: 'fenced-t', numPartitions: 2 }] })
  const a = await RawClient.open(t, port)
  const b = await RawClient.open(t, port)
  const first = await soleMember(a, 'fenced')
  t.is(first.generationId, 1)

  // B's join parks (on its own connection) until A rejoins; meanwhile A's heartbeats say "rejoin".
  const rebalancing = rebalanceOf(broker, 'fenced')
  const bJoin = join(b, 2, { groupId: 'fenced' })
  await rebalancing
  t.deepEqual(await heartbeat(a, 1, first), { throttleTimeMs: 0, errorCode: ERROR.REBALANCE_IN_PROGRESS })
  const aJoined = await join(a, 2, { groupId: 'fenced', memberId: first.memberId })
  const bJoined = await bJoin
  t.is(aJoined.generationId, 2)
  t.is(bJoined.generationId, 2)
  t.is(aJoined.leaderId, first.memberId, 'the leader that rejoined stays leader')
  t.deepEqual(aJoined.members.map((m) => m.memberId).sort(), [first.memberId, bJoined.memberId].sort())
  t.deepEqual(bJoined.members, [], 'only the leader gets the member list')

  // Generation 1 is gone: heartbeats and commits from it are fenced.
  for (const version of [1, 2, 3]) t.deepEqual(await heartbeat(a, version, first), { throttleTimeMs: 0, errorCode: ERROR.ILLEGAL_GENERATION })
  t.deepEqual(await commit(a, 2, first, [{ topic: 'fenced-t', partitions: [{ partition: 0, offset: 1 }] }]), { topics: [{ topic: 'fenced-t', partitions: [[0, ERROR.ILLEGAL_GENERATION]] }] })
  // Generation 2 waits for its assignment: commits get REBALANCE_IN_PROGRESS until the leader syncs.
  const current = { ...first, generationId: 2 }
  t.deepEqual(await commit(a, 2, current, [{ topic: 'fenced-t', partitions: [{ partition: 0, offset: 1 }] }]), { topics: [{ topic: 'fenced-t', partitions: [[0, ERROR.REBALANCE_IN_PROGRESS]] }] })
  const bSync = sync(b, 1, { groupId: 'fenced', generationId: 2, memberId: bJoined.memberId }, [])
  const assignments = [
    { memberId: first.memberId, assignment: assignment('fenced-t', [0]) },
    { memberId: bJoined.memberId, assignment: assignment('fenced-t', [1]) },
  ]
  t.deepEqual((await sync(a, 1, current, assignments)).assignment, assignment('fenced-t', [0]))
  t.deepEqual((await bSync).assignment, assignment('fenced-t', [1]))
  t.deepEqual(await commit(a, 2, current, [{ topic: 'fenced-t', partitions: [{ partition: 0, offset: 1 }] }]), { topics: [{ topic: 'fenced-t', partitions: [[0, ERROR.NONE]] }] })
  // A "simple" commit (no member, generation -1) is refused while the group has members.
  t.deepEqual(await commit(a, 2, { groupId: 'fenced' }, [{ topic: 'fenced-t', partitions: [{ partition: 0, offset: 9 }] }]), { topics: [{ topic: 'fenced-t', partitions: [[0, ERROR.UNKNOWN_MEMBER_ID]] }] })
})

for (const commitVersion of [2, 3, 4, 5, 6, 7]) {
  test(`OffsetCommit v${commitVersion} (simple commits), read back by OffsetFetch v1–5 and the embedded admin`, async (t) => {
    const { broker, port } = await shared()
    const topic = `oc-${commitVersion}`
    await broker.admin().createTopics({ topics: [{ topic, numPartitions: 3 }] })
    const client = await RawClient.open(t, port)
    const groupId = `offsets-${commitVersion}`
    const committed = await commit(client, commitVersion, { groupId }, [
      { topic, partitions: [{ partition: 0, offset: 100 + commitVersion, leaderEpoch: 4, metadata: 'meta' }, { partition: 2, offset: 7 }, { partition: 3, offset: 1 }] },
      { topic: 'no-such-topic', partitions: [{ partition: 0, offset: 1 }] },
    ])
    t.deepEqual(committed, {
      ...(commitVersion >= 3 ? { throttleTimeMs: 0 } : {}),
      topics: [
        { topic, partitions: [[0, ERROR.NONE], [2, ERROR.NONE], [3, ERROR.UNKNOWN_TOPIC_OR_PARTITION]] },
        { topic: 'no-such-topic', partitions: [[0, ERROR.UNKNOWN_TOPIC_OR_PARTITION]] },
      ],
    })
    // The leader epoch is stored only from v6 on.
    const epoch = commitVersion >= 6 ? 4 : -1
    for (const version of [1, 2, 3, 4, 5]) {
      const answer = await fetchOffsets(client, version, groupId, [{ topic, partitions: [0, 1, 2] }, { topic: 'other', partitions: [0] }])
      t.deepEqual(
        answer,
        {
          ...(version >= 3 ? { throttleTimeMs: 0 } : {}),
          topics: [
            { topic, partitions: [fetched(version, 0, 100 + commitVersion, 'meta', epoch), fetched(version, 1, -1, ''), fetched(version, 2, 7, '')] },
            { topic: 'other', partitions: [fetched(version, 0, -1, '')] },
          ],
          ...(version >= 2 ? { errorCode: ERROR.NONE } : {}),
        },
        `OffsetFetch v${version}`,
      )
      if (version >= 2) {
        // Null topics: every partition the group committed.
        t.deepEqual((await fetchOffsets(client, version, groupId, null)).topics, [{ topic, partitions: [fetched(version, 0, 100 + commitVersion, 'meta', epoch), fetched(version, 2, 7, '')] }])
      }
    }
    t.deepEqual(await broker.admin().fetchOffsets({ groupId, topics: [topic] }), [
      { topic, partitions: [{ partition: 0, offset: String(100 + commitVersion), metadata: 'meta' }, { partition: 1, offset: '-1', metadata: null }, { partition: 2, offset: '7', metadata: '' }] },
    ])
  })
}

test('DescribeGroups v0–4 and ListGroups v0–2: live groups, groups known only by their offsets, unknown groups', async (t) => {
  const { broker, port } = await shared()
  await broker.admin().createTopics({ topics: [{ topic: 'described-t', numPartitions: 1 }] })
  const client = await RawClient.open(t, port)
  const assigned = assignment('described-t', [0])
  const member = await soleMember(client, 'live', 'box-7', assigned)
  // Offsets from an earlier life of the broker: the coordinator does not hold the group.
  await (await broker.groups.offsetStore()).commit('only-offsets', [{ topic: 'described-t', partition: 0, offset: 3 }], Date.now())

  for (const version of [0, 1, 2, 3, 4]) {
    for (const includeOperations of version >= 3 ? [false, true] : [false]) {
      const described = await call(
        client,
        API.DescribeGroups,
        version,
        (w) => {
          w.array(['live', 'only-offsets', 'never-seen'], (x, id) => x.string(id))
          if (version >= 3) w.boolean(includeOperations)
        },
        (r) => ({
          ...(version >= 1 ? { throttleTimeMs: r.int32() } : {}),
          groups: r.array(
            (g) => ({
              errorCode: g.int16(),
              groupId: g.string(),
              state: g.string(),
              protocolType: g.string(),
              protocol: g.string(),
              members: g.array(
                (m) => ({
                  memberId: m.string(),
                  ...(version >= 4 ? { groupInstanceId: m.nullableString() } : {}),
                  clientId: m.string(),
                  clientHost: m.string(),
                  metadata: Buffer.from(m.bytes()),
                  assignment: Buffer.from(m.bytes()),
                }),
                16,
              ),
              ...(version >= 3 ? { authorizedOperations: g.int32() } : {}),
            }),
            12,
          ),
        }),
      )
      // READ (3), DELETE (6) and DESCRIBE (8): what Kafka answers for a group without an authorizer.
      const operations = version >= 3 ? { authorizedOperations: includeOperations ? 0b1_0100_1000 : OPERATIONS_OMITTED } : {}
      const idle = (groupId: string, state: string, protocolType: string) => ({ errorCode: ERROR.NONE, groupId, state, protocolType, protocol: '', members: [], ...operations })
      t.deepEqual(
        described,
        {
          ...(version >= 1 ? { throttleTimeMs: 0 } : {}),
          groups: [
            {
              errorCode: ERROR.NONE,
              groupId: 'live',
              state: 'Stable',
              protocolType: 'consumer',
              protocol: 'roundrobin',
              members: [{ memberId: member.memberId, ...(version >= 4 ? { groupInstanceId: 'box-7' } : {}), clientId: 'raw', clientHost: '/127.0.0.1', metadata: SUBSCRIPTION, assignment: assigned }],
              ...operations,
            },
            idle('only-offsets', 'Empty', 'consumer'),
            idle('never-seen', 'Dead', ''),
          ],
        },
        `DescribeGroups v${version}${includeOperations ? ' with operations' : ''}`,
      )
    }
  }

  for (const version of [0, 1, 2]) {
    const listed = await call(
      client,
      API.ListGroups,
      version,
      () => undefined,
      (r) => ({
        ...(version >= 1 ? { throttleTimeMs: r.int32() } : {}),
        errorCode: r.int16(),
        groups: r.array((g) => ({ groupId: g.string(), protocolType: g.string() }), 4),
      }),
    )
    // Other tests' groups share this broker: look at this test's.
    const ours = listed.groups.filter((group) => ['live', 'only-offsets', 'never-seen'].includes(group.groupId))
    t.deepEqual({ ...listed, groups: ours }, {
      ...(version >= 1 ? { throttleTimeMs: 0 } : {}),
      errorCode: ERROR.NONE,
      groups: [
        { groupId: 'live', protocolType: 'consumer' },
        { groupId: 'only-offsets', protocolType: 'consumer' },
      ],
    })
  }
})

test('a body that cannot be parsed closes the connection; the broker keeps serving others', async (t) => {
  const { port } = await shared()
  const bad = [
    // JoinGroup v2 claiming 2^31-1 protocols in the bytes left.
    frameRequest(API.JoinGroup, 2, 1, new Writer().string('g').int32(10_000).int32(20_000).string('').string('consumer').int32(0x7fffffff).toBuffer()),
    // Heartbeat v1 with a byte left over.
    frameRequest(API.Heartbeat, 1, 1, new Writer().string('g').int32(1).string('m').int8(0).toBuffer()),
    // SyncGroup v1 cut short inside an assignment.
    frameRequest(API.SyncGroup, 1, 1, new Writer().string('g').int32(1).string('m').int32(1).string('m').int32(10).toBuffer()),
  ]
  for (const frame of bad) {
    const client = await RawClient.open(t, port)
    client.write(frame)
    await client.closed
  }
  const healthy = await RawClient.open(t, port)
  t.deepEqual(await heartbeat(healthy, 1, { groupId: 'g', generationId: 1, memberId: 'm' }), { throttleTimeMs: 0, errorCode: ERROR.UNKNOWN_MEMBER_ID })
})

test('a JoinGroup parked in the coordinator is answered COORDINATOR_NOT_AVAILABLE when the broker closes, and does not hold the close', async (t) => {
  const { broker, port } = await listeningBroker(t)
  const a = await RawClient.open(t, port)
  const b = await RawClient.open(t, port)
  await soleMember(a, 'closing')
  const rebalancing = rebalanceOf(broker, 'closing')
  const parked = join(b, 2, { groupId: 'closing' }) // waits for A, which never rejoins
  await rebalancing
  await broker.close()
  t.like(await parked, { errorCode: ERROR.COORDINATOR_NOT_AVAILABLE, generationId: -1, members: [] })
})

/** Resolves at the next rebalance of `groupId` (the broker is shared by this file's tests, so others' are ignored). */
function rebalanceOf(broker: Broker, groupId: string): Promise<void> {
  return new Promise((resolve) => {
    const onRebalance = (event: { groupId: string }) => {
      if (event.groupId !== groupId) return
      broker.groups.coordinator.events.off('rebalance', onRebalance)
      resolve()
    }
    broker.groups.coordinator.events.on('rebalance', onRebalance)
  })
}
