import test from 'ava'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { listeningBroker, RawClient } from '../helpers/wire.js'

const DELETE_GROUPS = 42

test('DeleteGroups drops an empty group and its offsets; a live group is NON_EMPTY_GROUP, an unknown one GROUP_ID_NOT_FOUND', async (t) => {
  const { broker, port, kafka } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'dg', numPartitions: 1 }] })
  await broker.admin().setOffsets({ groupId: 'finished', topic: 'dg', partitions: [{ partition: 0, offset: 0 }] })
  const live = broker.consumer({ groupId: 'live' })
  await live.connect()
  await live.subscribe({ topics: ['dg'] })
  const joined = new Promise<void>((resolve) => live.on(live.events.GROUP_JOIN, () => resolve()))
  await live.run({ eachMessage: async () => undefined })
  await joined
  t.teardown(() => live.disconnect())

  const raw = await RawClient.open(t, port)
  for (const version of [0, 1]) {
    const groups = version === 0 ? ['finished', 'live', 'never-was'] : ['finished']
    const reader = new Reader(await raw.request(DELETE_GROUPS, version, new Writer().array(groups, (w, g) => w.string(g)).toBuffer()))
    t.is(reader.int32(), 0)
    const results = reader.array((r) => [r.string(), r.int16()], 4)
    reader.expectEnd('DeleteGroups response')
    t.deepEqual(results, version === 0 ? [['finished', 0], ['live', 68], ['never-was', 69]] : [['finished', 69]])
  }
  const admin = kafka().admin()
  await admin.connect()
  t.teardown(() => admin.disconnect())
  t.deepEqual((await admin.listGroups()).groups.map((group) => group.groupId), ['live'])
})
