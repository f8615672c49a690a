/** DescribeConfigs byte by byte: v0 (is_default) and v2 (config_source, synonyms), topics and the broker. */
import test, { type ExecutionContext } from 'ava'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import { listeningBroker, RawClient } from '../helpers/wire.js'

const DESCRIBE_CONFIGS = 32
const TOPIC = 2
const BROKER = 4

function describeConfigsBody(resources: Array<[number, string, string[] | null]>, version: number, includeSynonyms = false): Buffer {
  const body = new Writer().array(resources, (w, [type, name, keys]) => w.int8(type).string(name).nullableArray(keys, (k, key) => k.string(key)))
  if (version >= 1) body.boolean(includeSynonyms)
  return body.toBuffer()
}

interface Resource<Entry> {
  errorCode: number
  errorMessage: string | null
  type: number
  name: string
  entries: Entry[]
}

function decodeResponse<Entry>(body: Buffer, readEntry: (reader: Reader) => Entry): { throttleTimeMs: number; resources: Array<Resource<Entry>> } {
  const reader = new Reader(body)
  const throttleTimeMs = reader.int32()
  const resources = reader.array((r) => ({ errorCode: r.int16(), errorMessage: r.nullableString(), type: r.int8(), name: r.string(), entries: r.array(readEntry, 1) }), 1)
  reader.expectEnd('DescribeConfigs response')
  return { throttleTimeMs, resources }
}

/** v0 entry: name, value, read_only, is_default, is_sensitive. */
const readV0Entry = (r: Reader) => [r.string(), r.nullableString(), r.boolean(), r.boolean(), r.boolean()]
/** v1+ entry: name, value, read_only, config_source, is_sensitive, synonyms [name, value, source]. */
const readV2Entry = (r: Reader) => [r.string(), r.nullableString(), r.boolean(), r.int8(), r.boolean(), r.array((s) => [s.string(), s.nullableString(), s.int8()], 1)]

async function brokerWithTopic(t: ExecutionContext) {
  const listening = await listeningBroker(t, {}, { numPartitions: 3 })
  await listening.broker.admin().createTopics({
    topics: [{ topic: 'described', configEntries: [{ name: 'retention.ms', value: '1000' }, { name: 'unclean.leader.election.enable', value: 'true' }] }],
  })
  return { ...listening, raw: await RawClient.open(t, listening.port) }
}

test('DescribeConfigs v0: every field of every resource, including the errors of bad ones', async (t) => {
  const { raw } = await brokerWithTopic(t)
  const response = decodeResponse(
    await raw.request(
      DESCRIBE_CONFIGS,
      0,
      describeConfigsBody(
        [
          [TOPIC, 'described', null],
          [TOPIC, 'described', ['retention.ms', 'no.such.config', 'segment.bytes']],
          [BROKER, '1', ['num.partitions', 'log.retention.ms']],
          [BROKER, '', null],
          [BROKER, '7', null],
          [BROKER, 'one', null],
          [TOPIC, 'missing', null],
          [TOPIC, 'bad/name', null],
          [8, '1', null],
        ],
        0,
      ),
    ),
    readV0Entry,
  )
  const ok = { errorCode: 0, errorMessage: null }
  t.deepEqual(response, {
    throttleTimeMs: 0,
    resources: [
      {
        ...ok,
        type: TOPIC,
        name: 'described',
        entries: [
          ['cleanup.policy', 'delete', false, true, false],
          ['compression.type', 'producer', false, true, false],
          ['index.interval.bytes', '4096', false, true, false],
          ['max.message.bytes', '1048588', false, true, false],
          ['message.timestamp.type', 'CreateTime', false, true, false],
          ['min.insync.replicas', '1', false, true, false],
          ['retention.bytes', '-1', false, true, false],
          ['retention.ms', '1000', false, false, false],
          ['segment.bytes', '1073741824', false, true, false],
          ['segment.ms', '604800000', false, true, false],
          ['unclean.leader.election.enable', 'true', false, false, false],
        ],
      },
      {
        ...ok,
        type: TOPIC,
        name: 'described',
        entries: [
          ['retention.ms', '1000', false, false, false],
          ['segment.bytes', '1073741824', false, true, false],
        ],
      },
      {
        ...ok,
        type: BROKER,
        name: '1',
        entries: [
          ['log.retention.ms', '604800000', true, true, false],
          ['num.partitions', '3', true, false, false],
        ],
      },
      { ...ok, type: BROKER, name: '', entries: [] },
      { errorCode: 42, errorMessage: 'Unexpected broker id, expected 1 or empty string, but received 7', type: BROKER, name: '7', entries: [] },
      { errorCode: 42, errorMessage: 'Broker id must be an integer, but it is: one', type: BROKER, name: 'one', entries: [] },
      { errorCode: 3, errorMessage: "The topic 'missing' does not exist.", type: TOPIC, name: 'missing', entries: [] },
      {
        errorCode: 17,
        errorMessage: 'Topic name "bad/name" is illegal, it contains a character other than ASCII alphanumerics, \'.\', \'_\' and \'-\'',
        type: TOPIC,
        name: 'bad/name',
        entries: [],
      },
      { errorCode: 42, errorMessage: 'Unsupported resource type: 8', type: 8, name: '1', entries: [] },
    ],
  })
})

test('DescribeConfigs v2: config_source and, when asked for, synonyms down to the broker default', async (t) => {
  const { raw } = await brokerWithTopic(t)
  const keys = ['retention.ms', 'segment.bytes', 'unclean.leader.election.enable']
  const resources: Array<[number, string, string[] | null]> = [
    [TOPIC, 'described', keys],
    [BROKER, '1', ['auto.create.topics.enable', 'num.partitions']],
  ]
  const withSynonyms = decodeResponse(await raw.request(DESCRIBE_CONFIGS, 2, describeConfigsBody(resources, 2, true)), readV2Entry)
  t.deepEqual(withSynonyms, {
    throttleTimeMs: 0,
    resources: [
      {
        errorCode: 0,
        errorMessage: null,
        type: TOPIC,
        name: 'described',
        entries: [
          ['retention.ms', '1000', false, 1, false, [['retention.ms', '1000', 1], ['log.retention.ms', '604800000', 5]]],
          ['segment.bytes', '1073741824', false, 5, false, [['log.segment.bytes', '1073741824', 5]]],
          ['unclean.leader.election.enable', 'true', false, 1, false, [['unclean.leader.election.enable', 'true', 1], ['unclean.leader.election.enable', 'false', 5]]],
        ],
      },
      {
        errorCode: 0,
        errorMessage: null,
        type: BROKER,
        name: '1',
        entries: [
          ['auto.create.topics.enable', 'true', true, 5, false, [['auto.create.topics.enable', 'true', 5]]],
          ['num.partitions', '3', true, 4, false, [['num.partitions', '3', 4]]],
        ],
      },
    ],
  })

  const withoutSynonyms = decodeResponse(await raw.request(DESCRIBE_CONFIGS, 2, describeConfigsBody(resources, 2, false)), readV2Entry)
  t.deepEqual(
    withoutSynonyms.resources.map((resource) => resource.entries.map((entry) => [entry[0], entry[3], entry[5]])),
    [
      [['retention.ms', 1, []], ['segment.bytes', 5, []], ['unclean.leader.election.enable', 1, []]],
      [['auto.create.topics.enable', 5, []], ['num.partitions', 4, []]],
    ],
  )
})
