import test from 'ava'
import { CompressionTypes } from 'kafkajs'
import { partitionForKey } from '../../src/index.js'
import { COMPRESSION_MASK, OFFSET, readBatchHeader } from '../../src/protocol/batch-header.js'
import { readAll } from '../helpers/broker.js'
import { listeningBroker, RawClient } from '../helpers/wire.js'
import { API, batchOf, fetchBody, parseFetchResponse, parseProduceResponse, produceBody } from '../helpers/wire-requests.js'

const KEYS = Array.from({ length: 60 }, (_, i) => `user-${i}`)

test('kafkajs keyed produce with acks -1, 1 and 0 puts each key where murmur2 does, as the embedded producer', async (t) => {
  const { broker, kafka } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'over-tcp', numPartitions: 3 }, { topic: 'embedded', numPartitions: 3 }] })
  const producer = kafka().producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  for (const acks of [-1, 1, 0]) {
    const sent = await producer.send({ topic: 'over-tcp', acks, messages: KEYS.map((key) => ({ key, value: `${key}@${acks}` })) })
    t.is(sent.length, acks === 0 ? 0 : 3)
  }
  // Requests on a connection are processed in order: once this acks=-1 send is answered, the acks=0 one is written.
  await producer.send({ topic: 'over-tcp', acks: -1, messages: [{ key: 'last', value: 'last' }] })
  await broker.producer().send({ topic: 'embedded', messages: KEYS.map((key) => ({ key, value: key })) })

  const placedOverTcp = new Map<string, number>()
  let total = 0
  for (let partition = 0; partition < 3; partition++) {
    const records = await readAll(broker, 'over-tcp', partition)
    total += records.length
    records.forEach((record, index) => t.is(Number(record.offset), index))
    for (const record of records) {
      const key = record.key!.toString()
      t.is(partition, partitionForKey(Buffer.from(key), 3), key)
      placedOverTcp.set(key, partition)
    }
    const perKey = records.filter((record) => record.key!.toString() === 'user-7').map((record) => record.value!.toString())
    if (perKey.length > 0) t.deepEqual(perKey, ['user-7@-1', 'user-7@1', 'user-7@0'])
    for (const record of await readAll(broker, 'embedded', partition)) t.is(placedOverTcp.get(record.key!.toString()), partition)
  }
  t.is(total, KEYS.length * 3 + 1)
})

test('a gzip batch from kafkajs is stored compressed, as sent, and reads back exactly', async (t) => {
  const { broker, kafka } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'zipped', numPartitions: 1 }] })
  const producer = kafka().producer()
  await producer.connect()
  t.teardown(() => producer.disconnect())
  const messages = Array.from({ length: 200 }, (_, i) => ({ key: `k${i}`, value: `value-${i}-`.repeat(5) }))
  await producer.send({ topic: 'zipped', compression: CompressionTypes.GZIP, messages })
  const chunk = await broker.fetchChunk({ topic: 'zipped', partition: 0, offset: 0 })
  const header = readBatchHeader(chunk.bytes!, 0)
  t.is(header.attributes & COMPRESSION_MASK, 1)
  t.is(header.sizeBytes, chunk.bytes!.length)
  t.true(header.sizeBytes < 200 * 30, 'the stored batch is the compressed one')
  const records = await readAll(broker, 'zipped', 0)
  t.deepEqual(
    records.map((record) => [record.offset, record.key!.toString(), record.value!.toString()]),
    messages.map((message, i) => [String(i), message.key, message.value]),
  )
})

test('Fetch returns whole stored batches from the one holding the offset, at least one even past max_bytes', async (t) => {
  const { broker, port } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'batches', numPartitions: 1 }] })
  const raw = await RawClient.open(t, port)
  for (const values of [['a', 'b', 'c'], ['d', 'e'], ['f']]) {
    const [answer] = parseProduceResponse(await raw.request(API.Produce, 3, produceBody('batches', 0, batchOf(values))), 3)
    t.is(answer!.errorCode, 0)
  }
  for (const version of [4, 5, 7, 11]) {
    const [middle] = parseFetchResponse(await raw.request(API.Fetch, version, fetchBody([{ topic: 'batches', partition: 0, offset: 4 }], { version })), version)
    t.is(middle!.errorCode, 0)
    t.is(middle!.highWatermark, 6)
    t.is(middle!.lastStableOffset, 6)
    if (version >= 5) t.is(middle!.logStartOffset, 0)
    t.is(Number(middle!.records.readBigInt64BE(OFFSET.baseOffset)), 3, 'starts with the batch holding offset 4')
    t.is(readBatchHeader(middle!.records, 0).sizeBytes + readBatchHeader(middle!.records, readBatchHeader(middle!.records, 0).sizeBytes).sizeBytes, middle!.records.length)
  }
  const [tiny] = parseFetchResponse(await raw.request(API.Fetch, 4, fetchBody([{ topic: 'batches', partition: 0, offset: 0, partitionMaxBytes: 1 }], { maxBytes: 1 })))
  t.is(readBatchHeader(tiny!.records, 0).sizeBytes, tiny!.records.length, 'exactly one whole batch')
  t.is(readBatchHeader(tiny!.records, 0).lastOffsetDelta, 2)
})

test('Fetch long-polls: a fetch at the end is answered when a record arrives', async (t) => {
  const { broker, port } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'poll', numPartitions: 2 }] })
  const raw = await RawClient.open(t, port)
  const waiting = raw.request(API.Fetch, 4, fetchBody([{ topic: 'poll', partition: 0, offset: 0 }, { topic: 'poll', partition: 1, offset: 0 }], { maxWaitMs: 20_000 }))
  let answered = false
  void waiting.then(() => (answered = true))
  await broker.partitionOffsets('poll', 0) // a round trip to the actors: the fetch is parked by now
  t.false(answered)
  await broker.producer().send({ topic: 'poll', messages: [{ partition: 1, value: 'wake' }] })
  const results = parseFetchResponse(await waiting)
  t.is(results[0]!.records.length, 0)
  t.is(results[1]!.highWatermark, 1)
  t.is(readBatchHeader(results[1]!.records, 0).recordsCount, 1)
})

test('Fetch with nothing to return waits max_wait_ms and answers empty', async (t) => {
  const { broker, port } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'quiet', numPartitions: 1 }] })
  const raw = await RawClient.open(t, port)
  const started = performance.now()
  const [result] = parseFetchResponse(await raw.request(API.Fetch, 4, fetchBody([{ topic: 'quiet', partition: 0, offset: 0 }], { maxWaitMs: 150 })))
  t.true(performance.now() - started >= 140)
  t.is(result!.errorCode, 0)
  t.is(result!.records.length, 0)
})

test('Fetch of an unknown partition or an offset past the end answers the error per partition', async (t) => {
  const { broker, port } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'small', numPartitions: 1 }] })
  const raw = await RawClient.open(t, port)
  const results = parseFetchResponse(
    await raw.request(API.Fetch, 4, fetchBody([{ topic: 'small', partition: 5, offset: 0 }, { topic: 'nope', partition: 0, offset: 0 }, { topic: 'small', partition: 0, offset: 99 }], { maxWaitMs: 10_000 })),
  )
  t.deepEqual(results.map((result) => result.errorCode), [3, 3, 1])
})

test('Produce errors are per partition: unknown topic, bad acks, legacy format, two batches, bad CRC', async (t) => {
  const { broker, port } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'strict', numPartitions: 1 }] })
  const raw = await RawClient.open(t, port)
  const produce = async (body: Buffer, version = 3) => parseProduceResponse(await raw.request(API.Produce, version, body), version)[0]!.errorCode
  t.is(await produce(produceBody('missing', 0, batchOf(['x']))), 3)
  t.is(await produce(produceBody('strict', 1, batchOf(['x']))), 3)
  t.is(await produce(produceBody('strict', 0, batchOf(['x']), 2)), 21)
  const legacy = batchOf(['x'])
  legacy[OFFSET.magic] = 1
  t.is(await produce(produceBody('strict', 0, legacy, -1, 2), 2), 43)
  t.is(await produce(produceBody('strict', 0, Buffer.concat([batchOf(['a']), batchOf(['b'])]))), 87)
  const corrupt = batchOf(['x', 'y'])
  corrupt[corrupt.length - 1] ^= 0xff
  t.is(await produce(produceBody('strict', 0, corrupt)), 2)
  t.is(await produce(produceBody('strict', 0, null)), 2)
  t.is((await broker.partitionOffsets('strict', 0)).logEndOffset, 0, 'nothing was appended')
})

test('a Fetch naming one partition 2,000 times holds about max_bytes, not 2,000 reads', async (t) => {
  const { broker, port } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'repeated', numPartitions: 1 }] })
  const value = Buffer.alloc(1000, 0x62)
  for (let i = 0; i < 8; i++) await broker.producer().send({ topic: 'repeated', messages: Array.from({ length: 500 }, () => ({ value })) })
  const raw = await RawClient.open(t, port)
  const targets = Array.from({ length: 2000 }, () => ({ topic: 'repeated', partition: 0, offset: 0, partitionMaxBytes: 1 << 20 }))
  const results = parseFetchResponse(await raw.request(API.Fetch, 4, fetchBody(targets, { maxBytes: 1 << 20 })))
  t.is(results.length, 2000)
  const total = results.reduce((sum, result) => sum + result.records.length, 0)
  t.true(total > 0 && total <= (1 << 20) + 600_000, `${total} bytes in the response`)
  t.true(results.every((result) => result.errorCode === 0 && result.highWatermark === 4000))
})
