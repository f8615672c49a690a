import test from 'ava'
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Broker, type BrokerError } from '../../src/index.js'
import { readAll } from '../helpers/broker.js'
import { tempDir } from '../helpers/temp-dir.js'

test('a torn tail is cut at open and reported in broker.repairs; every record before it stays', async (t) => {
  const dataDir = tempDir(t)
  const first = await Broker.open({ dataDir, workers: 1 })
  await first.admin().createTopics({ topics: [{ topic: 'torn', numPartitions: 1 }] })
  await first.producer().send({ topic: 'torn', messages: Array.from({ length: 25 }, (_, i) => ({ value: `v${i}` })) })
  await first.close()
  // A write that never completed: half a batch header of garbage after the last batch.
  appendFileSync(join(dataDir, 'torn-0', '00000000000000000000.log'), Buffer.alloc(37, 0xab))

  const broker = await Broker.open({ dataDir, workers: 1 })
  t.teardown(() => broker.close())
  t.is(broker.repairs.length, 1)
  t.like(broker.repairs[0], { topic: 'torn', partition: 0, recovery: { truncatedBytes: 37 } })
  const records = await readAll(broker, 'torn', 0)
  t.deepEqual(records.map((record) => record.value!.toString()), Array.from({ length: 25 }, (_, i) => `v${i}`))
  const [next] = await broker.producer().send({ topic: 'torn', messages: [{ value: 'next' }] })
  t.is(next.baseOffset, '25')
})

test('partition directories the metadata does not know are quarantined, not deleted', async (t) => {
  const dataDir = tempDir(t)
  const first = await Broker.open({ dataDir, workers: 1 })
  await first.admin().createTopics({ topics: [{ topic: 'known', numPartitions: 1 }] })
  await first.close()
  mkdirSync(join(dataDir, 'ghost-3'))
  writeFileSync(join(dataDir, 'ghost-3', '00000000000000000000.log'), 'precious')

  const broker = await Broker.open({ dataDir, workers: 1 })
  t.teardown(() => broker.close())
  t.deepEqual(broker.quarantinedDirs, ['ghost-3'])
  t.false(existsSync(join(dataDir, 'ghost-3')))
  const [kept] = readdirSync(join(dataDir, 'quarantine'))
  t.true(kept.startsWith('ghost-3.'))
  t.true(existsSync(join(dataDir, 'quarantine', kept, '00000000000000000000.log')))
  t.deepEqual(await broker.admin().listTopics(), ['known'])
})

test('one broker per data directory: a second open is refused until the first closes; a dead owner\'s lock is taken over', async (t) => {
  const dataDir = tempDir(t)
  const first = await Broker.open({ dataDir, workers: 1 })
  const error = await t.throwsAsync(Broker.open({ dataDir, workers: 1 }))
  t.is((error as BrokerError).code, 'STORAGE_ERROR')
  t.regex((error as Error).message, /in use by another Broker in this process/)
  await first.close()
  const second = await Broker.open({ dataDir, workers: 1 })
  await second.close()
  // A lock left by a process that no longer exists (as after a SIGKILL) is stale.
  writeFileSync(join(dataDir, '.lock'), '2147483646')
  const third = await Broker.open({ dataDir, workers: 1 })
  t.teardown(() => third.close())
  t.is(readFileSync(join(dataDir, '.lock'), 'utf8'), String(process.pid))
})
