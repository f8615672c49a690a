/**
 * Consumer groups over TCP with real kafkajs clients: two kafkajs consumers splitting a topic,
 * their commits seen by both admins, a restart resuming from them, the group seen by kafkajs's
 * admin, and a group shared by an embedded brook consumer and a kafkajs consumer.
 */
import test, { type ExecutionContext } from 'ava'
import { AssignerProtocol, type Consumer as KafkaConsumer, type Kafka } from 'kafkajs'
import type { Consumer as BrookConsumer } from '../../src/index.js'
import { brokerPerFile, Conditions } from './groups-kit.js'

const shared = brokerPerFile()
const PARTITIONS = [0, 1, 2, 3]
/** Short timeouts so rebalances are quick: members learn of one at their next heartbeat. */
const FAST = { sessionTimeout: 6_000, rebalanceTimeout: 10_000, heartbeatInterval: 100, maxWaitTimeInMs: 100 }

interface Received {
  by: string
  partition: number
  offset: number
  value: string
}

/** What the test sees of a group: each member's latest assignment, every record delivered, the kafkajs commits. */
class GroupWatch extends Conditions {
  readonly assignments = new Map<string, number[]>()
  /** The member whose latest GROUP_JOIN said it leads. */
  leader: string | undefined
  readonly received: Received[] = []
  /** partition → the highest offset a kafkajs member committed. */
  readonly committed = new Map<number, number>()

  constructor(readonly topic: string) {
    super()
  }

  kafkajs(name: string, consumer: KafkaConsumer): void {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => this.joined(name, payload.isLeader, payload.memberAssignment[this.topic] ?? []))
    consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
      for (const { topic, partitions } of payload.topics) {
        if (topic !== this.topic) continue
        // kafkajs reports partitions and offsets as strings here.
        for (const { partition, offset } of partitions) this.committed.set(Number(partition), Math.max(this.committed.get(Number(partition)) ?? -1, Number(offset)))
      }
      this.changed()
    })
  }

  embedded(name: string, consumer: BrookConsumer): void {
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }: { payload: { isLeader: boolean; memberAssignment: Record<string, number[]> } }) =>
      this.joined(name, payload.isLeader, payload.memberAssignment[this.topic] ?? []),
    )
  }

  eachMessage(name: string) {
    return async ({ partition, message }: { partition: number; message: { offset: string | bigint | number; value: Buffer | null } }) => {
      this.received.push({ by: name, partition, offset: Number(message.offset), value: message.value!.toString() })
      this.changed()
    }
  }

  /** The latest assignments of `members` are disjoint, cover every partition, and give each the same share. */
  splitEvenly(members: string[]): boolean {
    const lists = members.map((member) => this.assignments.get(member) ?? [])
    const all = lists.flat().sort((a, b) => a - b)
    return lists.every((list) => list.length === PARTITIONS.length / members.length) && all.join() === PARTITIONS.join()
  }

  ownerOf(partition: number): string | undefined {
    return [...this.assignments].find(([, partitions]) => partitions.includes(partition))?.[0]
  }

  committedUpTo(offset: number): boolean {
    return PARTITIONS.every((partition) => this.committed.get(partition) === offset)
  }

  private joined(name: string, isLeader: boolean, partitions: number[]): void {
    if (isLeader) this.leader = name
    this.assignments.set(name, [...partitions].sort((a, b) => a - b))
    this.changed()
  }
}

/** `count` records spread evenly over the partitions (explicitly, so every partition gets its share). */
function records(tag: string, count: number) {
  return Array.from({ length: count }, (_, i) => ({ partition: i % PARTITIONS.length, value: `${tag}-${i}` }))
}

async function startKafkajs(t: ExecutionContext, kafka: Kafka, watch: GroupWatch, name: string, groupId: string): Promise<KafkaConsumer> {
  const consumer = kafka.consumer({ groupId, ...FAST })
  watch.kafkajs(name, consumer)
  t.teardown(() => consumer.disconnect())
  await consumer.connect()
  await consumer.subscribe({ topic: watch.topic, fromBeginning: true })
  await consumer.run({ eachMessage: watch.eachMessage(name) })
  return consumer
}

async function producerFor(t: ExecutionContext, kafka: Kafka) {
  const producer = kafka.producer()
  t.teardown(() => producer.disconnect())
  await producer.connect()
  return producer
}

test('two kafkajs consumers split a 4-partition topic, take every record once, commit it, and a restart resumes from the commits', async (t) => {
  const { broker, kafka } = await shared()
  const topic = 'kj-split'
  const groupId = 'kj-split-group'
  await broker.admin().createTopics({ topics: [{ topic, numPartitions: 4 }] })
  const client = kafka()
  const producer = await producerFor(t, client)
  const watch = new GroupWatch(topic)
  const [a, b] = await Promise.all([startKafkajs(t, client, watch, 'a', groupId), startKafkajs(t, client, watch, 'b', groupId)])
  await watch.until(() => watch.splitEvenly(['a', 'b']))

  const first = records('first', 40)
  await producer.send({ topic, messages: first })
  await watch.until(() => watch.received.length >= 40 && watch.committedUpTo(10))
  t.deepEqual(watch.received.map((r) => r.value).sort(), first.map((r) => r.value).sort(), 'every record exactly once')
  for (const r of watch.received) t.is(watch.ownerOf(r.partition), r.by, `partition ${r.partition} is read by its owner only`)

  // The commits are where kafkajs's admin and brook's admin look.
  const admin = client.admin()
  t.teardown(() => admin.disconnect())
  await admin.connect()
  // (kafkajs's admin turns the '' metadata it reads into null.)
  const overTcp = await admin.fetchOffsets({ groupId, topics: [topic] })
  t.deepEqual(
    overTcp.map(({ topic: name, partitions }) => ({ topic: name, partitions: [...partitions].sort((x, y) => x.partition - y.partition) })),
    [{ topic, partitions: PARTITIONS.map((partition) => ({ partition, offset: '10', metadata: null })) }],
  )
  t.deepEqual(await broker.admin().fetchOffsets({ groupId, topics: [topic] }), [{ topic, partitions: PARTITIONS.map((partition) => ({ partition, offset: '10', metadata: '' })) }])

  // kafkajs's admin sees the group, its protocol and both members with their assignments.
  t.true((await admin.listGroups()).groups.some((group) => group.groupId === groupId && group.protocolType === 'consumer'))
  const [described] = (await admin.describeGroups([groupId])).groups
  t.like(described, { groupId, errorCode: 0, state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' })
  t.is(described!.members.length, 2)
  for (const member of described!.members) {
    t.like(member, { clientId: 'brook-test', clientHost: '/127.0.0.1' })
    const partitions = AssignerProtocol.MemberAssignment.decode(member.memberAssignment)!.assignment[topic]!
    t.is(partitions.length, 2)
  }

  // Both leave; a new member of the group starts where they committed, not from the beginning.
  await Promise.all([a.disconnect(), b.disconnect()])
  const second = records('second', 8)
  await producer.send({ topic, messages: second })
  watch.received.length = 0
  await startKafkajs(t, client, watch, 'c', groupId)
  await watch.until(() => watch.received.length >= 8 && watch.committedUpTo(12))
  t.deepEqual(watch.received.map((r) => r.value).sort(), second.map((r) => r.value).sort())
  t.deepEqual(watch.assignments.get('c'), PARTITIONS)
})

for (const leader of ['brook', 'kafkajs'] as const) {
  test(`an embedded brook consumer and a kafkajs consumer share one group and split its partitions (${leader} leads)`, async (t) => {
    const { broker, kafka } = await shared()
    const topic = `kj-mixed-${leader}`
    const groupId = `kj-mixed-${leader}-group`
    await broker.admin().createTopics({ topics: [{ topic, numPartitions: 4 }] })
    const client = kafka()
    const watch = new GroupWatch(topic)
    const startBrook = async () => {
      const embedded = broker.consumer({ groupId, sessionTimeoutMs: 6_000, heartbeatIntervalMs: 100 })
      watch.embedded('brook', embedded)
      t.teardown(() => embedded.disconnect())
      await embedded.connect()
      await embedded.subscribe({ topic, fromBeginning: true })
      await embedded.run({ eachMessage: watch.eachMessage('brook') })
    }
    // The first member is the leader, and stays leader when the second joins: it computes the assignment.
    if (leader === 'brook') {
      await startBrook()
      await watch.until(() => watch.assignments.has('brook'))
      await startKafkajs(t, client, watch, 'kafkajs', groupId)
    } else {
      await startKafkajs(t, client, watch, 'kafkajs', groupId)
      await watch.until(() => watch.assignments.has('kafkajs'))
      await startBrook()
    }
    await watch.until(() => watch.splitEvenly(['brook', 'kafkajs']))
    t.is(watch.leader, leader)

    // kafkajs offers only its RoundRobinAssigner; brook's consumer offers it too, so the group agrees on it.
    const described = broker.groups.coordinator.describeGroup(groupId)
    t.is(described.protocol, 'RoundRobinAssigner')
    t.deepEqual(described.members.map((member) => member.clientHost).sort(), ['/127.0.0.1', 'embedded'])

    const produced = records('mixed', 40)
    await (await producerFor(t, client)).send({ topic, messages: produced })
    await watch.until(() => watch.received.length >= 40)
    t.deepEqual(watch.received.map((r) => r.value).sort(), produced.map((r) => r.value).sort(), 'every record exactly once')
    for (const r of watch.received) t.is(watch.ownerOf(r.partition), r.by, `partition ${r.partition} is read by its owner only`)
    t.deepEqual([...new Set(watch.received.map((r) => r.by))].sort(), ['brook', 'kafkajs'])
  })
}
