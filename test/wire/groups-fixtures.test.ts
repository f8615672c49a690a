/**
 * Real client frames (test/fixtures/kafka-wire) replayed against brook's group APIs. Where the
 * mock broker that answered them behaved as Kafka does, our response must be the fixture's
 * response byte for byte; elsewhere it is decoded field by field.
 */
import test from 'ava'
import { RawClient } from '../helpers/wire.js'
import { API, asMember, assignment, brokerPerFile, call, ERROR, exchange, fixture, readExactly } from './groups-kit.js'
import type { Reader } from '../../src/wire/reader.js'

const KCAT_MEMBER = '0x7f3ef8007b40'
const KAFKAJS_MEMBER = '0x7f37c40071e0'
// Advertised as the mock broker was (127.0.0.1:19092), so FindCoordinator can match its answer byte for byte.
const shared = brokerPerFile({}, { advertisedPort: 19092 })
const RANGE_SUBSCRIPTION = Buffer.from('000100000001000766782d6b6361740000000000000000', 'hex')

/** A JoinGroup v2 response frame (size prefix and correlation id included). */
function readJoinV2(frame: Buffer) {
  return readExactly(frame.subarray(8), (r) => ({
    throttleTimeMs: r.int32(),
    errorCode: r.int16(),
    generationId: r.int32(),
    protocolName: r.string(),
    leaderId: r.string(),
    memberId: r.string(),
    members: r.array((m) => ({ memberId: m.string(), metadata: Buffer.from(m.bytes()) }), 6),
  }))
}

/** An OffsetFetch v1 response frame. */
function readOffsetFetchV1(frame: Buffer) {
  return readExactly(frame.subarray(8), (r) =>
    r.array((topic) => ({ topic: topic.string(), partitions: topic.array((p: Reader) => ({ partition: p.int32(), offset: p.int64(), metadata: p.nullableString(), errorCode: p.int16() }), 16) }), 6),
  )
}

test('kcat FindCoordinator v0: this broker, answered byte for byte as the fixture', async (t) => {
  const { port } = await shared()
  const client = await RawClient.open(t, port)
  const response = await exchange(client, fixture('kcat-findcoordinator-v0.req.bin'))
  t.deepEqual(response, fixture('kcat-findcoordinator-v0.res.bin'))
  t.deepEqual(
    readExactly(response.subarray(8), (r) => ({ errorCode: r.int16(), nodeId: r.int32(), host: r.string(), port: r.int32() })),
    { errorCode: ERROR.NONE, nodeId: 1, host: '127.0.0.1', port: 19092 },
  )
})

test('kcat group session: JoinGroup v2, SyncGroup v1, Heartbeat v1, OffsetFetch v1, OffsetCommit v2, LeaveGroup v1', async (t) => {
  const { broker, port } = await shared()
  await broker.admin().createTopics({ topics: [{ topic: 'fx-kcat', numPartitions: 1 }] })
  const client = await RawClient.open(t, port)

  const joinFrame = await exchange(client, fixture('kcat-joingroup-v2.req.bin'))
  t.is(joinFrame.readInt32BE(4), 4, 'correlation id')
  const joined = readJoinV2(joinFrame)
  t.regex(joined.memberId, /^rdkafka-/)
  t.deepEqual(joined, {
    throttleTimeMs: 0,
    errorCode: ERROR.NONE,
    generationId: 1,
    protocolName: 'range', // kcat offers range first; the only member's vote decides
    leaderId: joined.memberId,
    memberId: joined.memberId,
    members: [{ memberId: joined.memberId, metadata: RANGE_SUBSCRIPTION }],
  })
  const { memberId, generationId } = joined

  // The leader's assignment comes back to it unchanged: the mock's answer exactly.
  const synced = await exchange(client, asMember(fixture('kcat-syncgroup-v1.req.bin'), KCAT_MEMBER, memberId, generationId))
  t.deepEqual(synced, fixture('kcat-syncgroup-v1.res.bin'))
  t.deepEqual(await exchange(client, asMember(fixture('kcat-heartbeat-v1.req.bin'), KCAT_MEMBER, memberId, generationId)), fixture('kcat-heartbeat-v1.res.bin'))

  // Nothing committed yet: offset -1 and metadata '' (Kafka's "no metadata"; the mock said null).
  t.deepEqual(readOffsetFetchV1(await exchange(client, fixture('kcat-offsetfetch-v1.req.bin'))), [
    { topic: 'fx-kcat', partitions: [{ partition: 0, offset: -1, metadata: '', errorCode: ERROR.NONE }] },
  ])
  const committed = await exchange(client, asMember(fixture('kcat-offsetcommit-v2.req.bin'), KCAT_MEMBER, memberId, generationId))
  t.deepEqual(committed, fixture('kcat-offsetcommit-v2.res.bin'))
  t.deepEqual(readOffsetFetchV1(await exchange(client, fixture('kcat-offsetfetch-v1.req.bin'))), [
    { topic: 'fx-kcat', partitions: [{ partition: 0, offset: 40, metadata: '', errorCode: ERROR.NONE }] },
  ])
  t.deepEqual(await broker.admin().fetchOffsets({ groupId: 'fx-kcat-group', topics: ['fx-kcat'] }), [{ topic: 'fx-kcat', partitions: [{ partition: 0, offset: '40', metadata: '' }] }])

  t.deepEqual(await exchange(client, asMember(fixture('kcat-leavegroup-v1.req.bin'), KCAT_MEMBER, memberId)), fixture('kcat-leavegroup-v1.res.bin'))
  const after = broker.groups.coordinator.describeGroup('fx-kcat-group')
  t.is(after.state, 'Empty')
  t.deepEqual(after.members, [])
})

test('kafkajs JoinGroup v2 gets RoundRobinAssigner and its null-metadata OffsetCommit v2 is stored as no metadata', async (t) => {
  const { broker, port } = await shared()
  await broker.admin().createTopics({ topics: [{ topic: 'fx-kafkajs', numPartitions: 1 }] })
  const client = await RawClient.open(t, port)
  const joined = readJoinV2(await exchange(client, fixture('kafkajs-joingroup-v2.req.bin')))
  t.is(joined.errorCode, ERROR.NONE)
  t.is(joined.protocolName, 'RoundRobinAssigner')
  t.regex(joined.memberId, /^kafkajs-/)
  t.deepEqual(joined.members, [{ memberId: joined.memberId, metadata: Buffer.from('000000000001000a66782d6b61666b616a7300000000', 'hex') }])

  // Commits are refused until the generation has its assignment (REBALANCE_IN_PROGRESS): sync first.
  const assigned = assignment('fx-kafkajs', [0])
  const synced = await call(
    client,
    API.SyncGroup,
    1,
    (w) => w.string('fx-kafkajs-group').int32(joined.generationId).string(joined.memberId).array([joined.memberId], (x, id) => x.string(id).bytes(assigned)),
    (r) => ({ throttleTimeMs: r.int32(), errorCode: r.int16(), assignment: Buffer.from(r.bytes()) }),
  )
  t.deepEqual(synced, { throttleTimeMs: 0, errorCode: ERROR.NONE, assignment: assigned })
  const frame = await exchange(client, asMember(fixture('kafkajs-offsetcommit-v2.req.bin'), KAFKAJS_MEMBER, joined.memberId, joined.generationId))
  t.is(frame.readInt32BE(4), 9)
  t.deepEqual(
    readExactly(frame.subarray(8), (r) => r.array((topic) => ({ topic: topic.string(), partitions: topic.array((p) => [p.int32(), p.int16()], 6) }), 6)),
    [{ topic: 'fx-kafkajs', partitions: [[0, ERROR.NONE]] }],
  )
  t.deepEqual(await broker.admin().fetchOffsets({ groupId: 'fx-kafkajs-group', topics: ['fx-kafkajs'] }), [{ topic: 'fx-kafkajs', partitions: [{ partition: 0, offset: '10', metadata: '' }] }])
})

test('kafka-python JoinGroup v2 (range, roundrobin; Subscription v0) gets range', async (t) => {
  const { port } = await shared()
  const client = await RawClient.open(t, port)
  const frame = await exchange(client, fixture('kafka-python-joingroup-v2.req.bin'))
  t.is(frame.readInt32BE(4), 1)
  const joined = readJoinV2(frame)
  t.is(joined.errorCode, ERROR.NONE)
  t.is(joined.generationId, 1)
  t.is(joined.protocolName, 'range')
  t.regex(joined.memberId, /^kafka-python-2\.0\.2-/)
  t.deepEqual(joined.members.map((m) => m.metadata.toString('hex')), ['000000000001000f66782d6b61666b612d707974686f6e00000000'])
})
