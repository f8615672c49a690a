/** `brook start`: listens on the port it prints (port 0 = a free one), serves Kafka clients, stops cleanly on SIGTERM. */
import test from 'ava'
import { Partitioners } from 'kafkajs'
import { Broker } from '../../src/index.js'
import { spawnCli } from '../helpers/cli.js'
import { tempDir } from '../helpers/temp-dir.js'
import { kafkaClient } from '../helpers/wire.js'

test('start --port 0 prints the chosen port, serves kafkajs, and on SIGTERM closes, releases the data dir and exits 0', async (t) => {
  const dataDir = tempDir(t)
  const brook = spawnCli(t, ['start', '--port', '0', '--data-dir', dataDir, '--partitions', '3'])
  const listening = await brook.waitForLine((line) => line.startsWith('brook listening on '))
  const match = /^brook listening on 127\.0\.0\.1:(\d+) \(data in (.+)\)$/.exec(listening)
  t.truthy(match, listening)
  const port = Number(match![1])
  t.true(port > 0)
  t.is(match![2], dataDir)

  // A produce to an unknown topic auto-creates it with --partitions partitions.
  const kafka = kafkaClient(`127.0.0.1:${port}`)
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  await producer.send({ topic: 'auto', messages: [{ key: 'k', value: 'v' }] })
  await producer.disconnect()
  const admin = kafka.admin()
  await admin.connect()
  const { topics } = await admin.fetchTopicMetadata({ topics: ['auto'] })
  await admin.disconnect()
  t.is(topics[0]!.partitions.length, 3)

  brook.process.kill('SIGTERM')
  const { code, signal, stdout, stderr } = await brook.exited
  t.is(signal, null)
  t.is(code, 0, stderr)
  t.is(stdout, `${listening}\nbrook stopped\n`)
  t.is(stderr, '')

  // The lock is released and the record is there.
  const reopened = await Broker.open({ dataDir, workers: 1 })
  try {
    const offsets = await reopened.admin().fetchTopicOffsets('auto')
    t.is(offsets.reduce((sum, entry) => sum + Number(entry.high), 0), 1)
  } finally {
    await reopened.close()
  }
})
