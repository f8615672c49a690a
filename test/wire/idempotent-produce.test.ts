import test from 'ava'
import { readAll } from '../helpers/broker.js'
import { listeningBroker, RawClient } from '../helpers/wire.js'
import { API, batchOf, initProducerIdBody, parseInitProducerId, parseProduceResponse, produceBody } from '../helpers/wire-requests.js'

test('an idempotent retry is answered with the original offset and not written twice; gaps and old epochs are refused', async (t) => {
  const { broker, port } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'exactly', numPartitions: 1 }] })
  const raw = await RawClient.open(t, port)
  const { errorCode, producerId, producerEpoch } = parseInitProducerId(await raw.request(API.InitProducerId, 1, initProducerIdBody()))
  t.is(errorCode, 0)
  t.true(producerId >= 0)
  t.is(producerEpoch, 0)
  const send = async (values: string[], baseSequence: number, epoch = producerEpoch) => {
    const body = produceBody('exactly', 0, batchOf(values, { producerId, producerEpoch: epoch, baseSequence }))
    return parseProduceResponse(await raw.request(API.Produce, 7, body), 7)[0]!
  }
  t.like(await send(['a', 'b', 'c'], 0), { errorCode: 0, baseOffset: 0 })
  t.like(await send(['a', 'b', 'c'], 0), { errorCode: 0, baseOffset: 0 }, 'the retry gets the first offset')
  t.like(await send(['d'], 3), { errorCode: 0, baseOffset: 3 })
  t.like(await send(['x'], 9), { errorCode: 45, baseOffset: -1 }, 'OUT_OF_ORDER_SEQUENCE_NUMBER')
  t.like(await send(['e'], 0, 1), { errorCode: 0, baseOffset: 4 }, 'a new epoch starts again at sequence 0')
  t.like(await send(['f'], 4, 0), { errorCode: 47, baseOffset: -1 }, 'INVALID_PRODUCER_EPOCH for the fenced epoch')
  t.deepEqual(
    (await readAll(broker, 'exactly', 0)).map((record) => record.value!.toString()),
    ['a', 'b', 'c', 'd', 'e'],
  )
})

test('a transactional id is refused: brook has no transactions', async (t) => {
  const { port } = await listeningBroker(t)
  const raw = await RawClient.open(t, port)
  t.like(parseInitProducerId(await raw.request(API.InitProducerId, 0, initProducerIdBody('tx-1'))), { errorCode: 53, producerId: -1 })
})

test('the kafkajs idempotent producer writes each record once, in order', async (t) => {
  const { broker, kafka } = await listeningBroker(t)
  await broker.admin().createTopics({ topics: [{ topic: 'kafkajs-idem', numPartitions: 2 }] })
  const producer = kafka().producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  t.teardown(() => producer.disconnect())
  for (let round = 0; round < 5; round++) {
    await producer.send({ topic: 'kafkajs-idem', acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ key: `key-${i % 4}`, value: `${round}-${i}` })) })
  }
  const values = [...(await readAll(broker, 'kafkajs-idem', 0)), ...(await readAll(broker, 'kafkajs-idem', 1))].map((record) => record.value!.toString())
  t.is(values.length, 100)
  t.is(new Set(values).size, 100)
})
