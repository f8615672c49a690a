import anyTest, { type TestFn } from 'ava'
import { partitionForKey } from '../../src/index.js'
import { COMPRESSION, COMPRESSION_MASK, readBatchHeader } from '../../src/protocol/batch-header.js'
import { readAll } from '../helpers/broker.js'
import { kcat, kcatInstalled, kcatRequired } from '../helpers/kcat.js'
import { listeningBroker } from '../helpers/wire.js'

const test = (kcatInstalled || kcatRequired ? anyTest : anyTest.skip) as TestFn
if (!kcatInstalled && !kcatRequired) console.log('kcat is not installed (apt-get install kcat): kcat tests skipped')

const KEYS = 12
const lines = (count: number, tag: string) => Array.from({ length: count }, (_, i) => `key-${i % KEYS}\t${tag}-${i}`)

test('kcat -L lists this broker as controller and every topic with its partitions', async (t) => {
  const { broker, bootstrap } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'kc-meta', numPartitions: 3 }] })
  const { code, stdout } = await kcat(['-L', '-b', bootstrap])
  t.is(code, 0)
  t.regex(stdout, new RegExp(`broker 1 at ${bootstrap.replace('.', '\\.')} \\(controller\\)`))
  t.regex(stdout, /topic "kc-meta" with 3 partitions:/)
  for (let p = 0; p < 3; p++) t.regex(stdout, new RegExp(`partition ${p}, leader 1, replicas: 1, isrs: 1`))
})

for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const) {
  test(`kcat -P -z ${codec}: keyed records land on murmur2's partition, stored as sent (${codec})`, async (t) => {
    const { broker, bootstrap } = await listeningBroker(t)
    const topic = `kc-${codec}`
    await broker.admin().createTopics({ topics: [{ topic, numPartitions: 3 }] })
    const input = lines(600, codec)
    // librdkafka's default partitioner is CRC32-based; murmur2_random is the Java client's (and kafkajs's and brook's).
    const produced = await kcat(['-P', '-b', bootstrap, '-t', topic, '-K', '\t', '-z', codec, '-X', 'linger.ms=50', '-X', 'partitioner=murmur2_random'], `${input.join('\n')}\n`)
    t.is(produced.code, 0, produced.stderr)
    let total = 0
    for (let partition = 0; partition < 3; partition++) {
      const chunk = await broker.fetchChunk({ topic, partition, offset: 0, maxBytes: 1 << 20 })
      if (chunk.bytes) t.is(readBatchHeader(chunk.bytes, 0).attributes & COMPRESSION_MASK, COMPRESSION[codec], 'stored with the codec kcat used')
      const records = await readAll(broker, topic, partition)
      total += records.length
      for (const record of records) t.is(partitionForKey(record.key!, 3), partition)
      for (let key = 0; key < KEYS; key++) {
        if (partitionForKey(Buffer.from(`key-${key}`), 3) !== partition) continue
        const values = records.filter((record) => record.key!.toString() === `key-${key}`).map((record) => record.value!.toString())
        t.deepEqual(values, input.filter((line) => line.startsWith(`key-${key}\t`)).map((line) => line.split('\t')[1]))
      }
    }
    t.is(total, 600)
  })
}

test('kcat -C -e reads everything back in per-key order, with offsets', async (t) => {
  const { broker, bootstrap } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'kc-read', numPartitions: 3 }] })
  const input = lines(900, 'read')
  await broker.producer().send({ topic: 'kc-read', messages: input.map((line) => ({ key: line.split('\t')[0], value: line.split('\t')[1] })) })
  const { code, stdout, stderr } = await kcat(['-C', '-b', bootstrap, '-t', 'kc-read', '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\n'])
  t.is(code, 0, stderr)
  const rows = stdout.trim().split('\n').map((row) => row.split('\t'))
  t.is(rows.length, 900)
  for (let key = 0; key < KEYS; key++) {
    const mine = rows.filter((row) => row[2] === `key-${key}`)
    t.deepEqual(mine.map((row) => row[3]), input.filter((line) => line.startsWith(`key-${key}\t`)).map((line) => line.split('\t')[1]))
    const offsets = mine.map((row) => Number(row[1]))
    t.deepEqual(offsets, [...offsets].sort((a, b) => a - b))
  }
})

test('kcat -G consumes as a group and its committed offsets are visible afterwards', async (t) => {
  const { broker, bootstrap } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'kc-group', numPartitions: 3 }] })
  const input = lines(300, 'group')
  await broker.producer().send({ topic: 'kc-group', messages: input.map((line) => ({ key: line.split('\t')[0], value: line.split('\t')[1] })) })
  const { code, stdout, stderr } = await kcat(['-b', bootstrap, '-G', 'kc-consumers', '-o', 'beginning', '-e', '-q', '-f', '%k\t%s\n', '-X', 'auto.offset.reset=earliest', 'kc-group'])
  t.is(code, 0, stderr)
  t.is(stdout.trim().split('\n').length, 300)
  const committed = await broker.admin().fetchOffsets({ groupId: 'kc-consumers', topics: ['kc-group'] })
  const offsets = await broker.admin().fetchTopicOffsets('kc-group')
  t.deepEqual(
    committed[0]!.partitions.map((p: { partition: number; offset: string }) => [p.partition, p.offset]).sort(),
    offsets.map((p) => [p.partition, p.high]).sort(),
  )
})
