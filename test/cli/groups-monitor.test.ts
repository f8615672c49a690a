/** `brook groups list|describe` and `brook monitor` against a listening broker. */
import test from 'ava'
import { runCli, spawnCli } from '../helpers/cli.js'
import { brokerPerFile } from '../helpers/wire.js'

const listening = brokerPerFile()

test('groups describe shows the live member per partition, and after the consumer stops, CURRENT-OFFSET = LOG-END-OFFSET with LAG 0', async (t) => {
  const { broker, bootstrap } = await listening()
  await broker.admin().createTopics({ topics: [{ topic: 'described', numPartitions: 3 }] })
  const counts = [10, 12, 8]
  await broker.producer().send({
    topic: 'described',
    messages: counts.flatMap((count, partition) => Array.from({ length: count }, (_, i) => ({ partition, value: `p${partition}-${i}` }))),
  })
  const consumer = spawnCli(t, ['consume', 'described', '--group', 'watchers', '--from-beginning', '--bootstrap', bootstrap])
  await consumer.waitForLines(30)

  const [live, list] = await Promise.all([runCli(t, ['groups', 'describe', 'watchers', '--bootstrap', bootstrap]), runCli(t, ['groups', 'list', '--bootstrap', bootstrap])])
  t.is(live.code, 0, live.stderr)
  t.is(live.stderr, '')
  const [header, ...rows] = live.stdout.trimEnd().split('\n')
  t.regex(header!, /^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG +CONSUMER-ID +HOST +CLIENT-ID$/)
  t.is(rows.length, 3)
  rows.forEach((row, partition) => {
    const columns = row.split(/ +/)
    t.deepEqual(columns.slice(0, 3), ['watchers', 'described', String(partition)])
    t.is(columns[4], String(counts[partition]))
    t.regex(columns[6]!, /^brook-console-consumer-/)
    t.deepEqual(columns.slice(7), ['/127.0.0.1', 'brook-console-consumer'])
  })
  t.is(list.code, 0, list.stderr)
  t.true(list.stdout.split('\n').some((line) => /^watchers +Stable +consumer$/.test(line)), list.stdout)

  consumer.process.kill('SIGTERM')
  const stopped = await consumer.exited
  t.is(stopped.code, 0, stopped.stderr)
  t.is(stopped.stdout.split('\n').length, 31)

  t.deepEqual(await runCli(t, ['groups', 'describe', 'watchers', '--bootstrap', bootstrap]), {
    code: 0,
    signal: null,
    stdout: [
      'GROUP     TOPIC      PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  CONSUMER-ID  HOST  CLIENT-ID',
      'watchers  described  0          10              10              0    -            -     -',
      'watchers  described  1          12              12              0    -            -     -',
      'watchers  described  2          8               8               0    -            -     -',
      '',
    ].join('\n'),
    stderr: "Consumer group 'watchers' has no active members.\n",
  })
  t.like(await runCli(t, ['groups', 'describe', 'nobody', '--bootstrap', bootstrap]), { code: 1, stdout: '', stderr: 'brook: group nobody does not exist\n' })
})

test('monitor --once prints every partition offsets and each group lag, with rates over one interval', async (t) => {
  const { broker, bootstrap } = await listening()
  await broker.admin().createTopics({ topics: [{ topic: 'watched', numPartitions: 2 }] })
  await broker.producer().send({ topic: 'watched', messages: [0, 0, 0, 0, 0, 1, 1, 1].map((partition, i) => ({ partition, value: `v${i}` })) })
  await broker.admin().setOffsets({ groupId: 'slow', topic: 'watched', partitions: [{ partition: 0, offset: 2 }, { partition: 1, offset: 3 }] })

  const { code, stdout, stderr } = await runCli(t, ['monitor', '--once', '--interval', '100', '--topic', 'watched', '--bootstrap', bootstrap])
  t.is(code, 0, stderr)
  t.is(stderr, '')
  const [title, ...rest] = stdout.split('\n')
  t.regex(title!, new RegExp(`^brook monitor  ${bootstrap}  every 100 ms  \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$`))
  t.deepEqual(rest, [
    'produce: 0.0 records/s  consume: 0.0 records/s',
    '',
    'TOPIC    PARTITION  LOG-START-OFFSET  LOG-END-OFFSET',
    'watched  0          0                 5',
    'watched  1          0                 3',
    '',
    'GROUP  TOPIC    PARTITION  COMMITTED-OFFSET  LOG-END-OFFSET  LAG',
    'slow   watched  0          2                 5               3',
    'slow   watched  1          3                 3               0',
    '',
    '',
  ])
})

test('monitor redraws each interval with the produce and consume rates it measured, and stops on SIGINT', async (t) => {
  const { broker, bootstrap } = await listening()
  await broker.admin().createTopics({ topics: [{ topic: 'rates', numPartitions: 1 }] })
  const monitor = spawnCli(t, ['monitor', '--interval', '50', '--topic', 'rates', '--bootstrap', bootstrap])
  await monitor.waitForLine((line) => line === 'produce: - records/s  consume: - records/s')
  await broker.producer().send({ topic: 'rates', messages: Array.from({ length: 40 }, (_, i) => ({ value: `v${i}` })) })
  await monitor.waitForLine((line) => /^produce: [1-9][\d.]* records\/s/.test(line))
  // A group's first commit has nothing to compare with; its next one is counted.
  await broker.admin().setOffsets({ groupId: 'rates-group', topic: 'rates', partitions: [{ partition: 0, offset: 10 }] })
  await monitor.waitForLine((line) => /^rates-group +rates +0 +10 +40 +30$/.test(line))
  await broker.admin().setOffsets({ groupId: 'rates-group', topic: 'rates', partitions: [{ partition: 0, offset: 40 }] })
  await monitor.waitForLine((line) => /consume: [1-9][\d.]* records\/s$/.test(line))
  await monitor.waitForLine((line) => /^rates-group +rates +0 +40 +40 +0$/.test(line))
  monitor.process.kill('SIGINT')
  const { code, stdout, stderr } = await monitor.exited
  t.is(code, 0, stderr)
  t.is(stderr, '')
  // Not a terminal: one block per interval, each ending with a blank line.
  const blocks = stdout.split(/(?<=\n\n)(?=brook monitor )/)
  t.true(blocks.length >= 4)
  for (const block of blocks) t.regex(block, /^brook monitor .*\nproduce: .*\n\nTOPIC [^]*\n\nGROUP [^]*\n\n$/)
})
