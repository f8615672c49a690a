/** `brook produce` from stdin and `brook consume` back, with and without a group. */
import test from 'ava'
import { runCli, spawnCli } from '../helpers/cli.js'
import { brokerPerFile } from '../helpers/wire.js'

const listening = brokerPerFile()

test('1,000 keyed stdin lines produced, then consumed --from-beginning: every record back, in order per key, nothing committed', async (t) => {
  const { broker, bootstrap } = await listening()
  await broker.admin().createTopics({ topics: [{ topic: 'keyed', numPartitions: 3 }] })
  const sent = Array.from({ length: 1000 }, (_, i) => `key-${i % 7}:value ${i} with: colons`)
  const produced = await runCli(t, ['produce', 'keyed', '--key-separator', ':', '--bootstrap', bootstrap], { stdin: `${sent.join('\n')}\n` })
  t.deepEqual(produced, { code: 0, signal: null, stdout: '', stderr: 'produced 1000 records\n' })

  const offsets = await broker.admin().fetchTopicOffsets('keyed')
  t.is(offsets.reduce((sum, entry) => sum + Number(entry.high), 0), 1000)
  t.true(offsets.every((entry) => Number(entry.high) > 0), 'seven keys spread over three partitions')

  const consumed = await runCli(t, ['consume', 'keyed', '--from-beginning', '--max-messages', '1000', '--key-separator', ':', '--bootstrap', bootstrap])
  t.is(consumed.code, 0, consumed.stderr)
  t.is(consumed.stderr, '')
  const received = consumed.stdout.split('\n')
  t.is(received.pop(), '')
  t.deepEqual(byKey(received), byKey(sent))

  // The throwaway group committed nothing and was deleted (DeleteGroups) when the tool exited.
  const { groups } = await broker.admin().listGroups()
  t.deepEqual(groups.filter((group) => group.groupId.startsWith('brook-console-')), [])
})

test('--partition with --offset reads one partition from that offset; --print-offsets; --max-messages with --group commits what was printed', async (t) => {
  const { broker, bootstrap } = await listening()
  await broker.admin().createTopics({ topics: [{ topic: 'single', numPartitions: 2 }] })
  await broker.producer().send({ topic: 'single', messages: Array.from({ length: 20 }, (_, i) => ({ partition: 1, key: `k${i}`, value: `v${i}` })) })
  await broker.producer().send({ topic: 'single', messages: [{ partition: 0, value: 'other partition' }] })

  const [fromOffset, inGroup, lines] = await Promise.all([
    runCli(t, ['consume', 'single', '--partition', '1', '--offset', '5', '--max-messages', '3', '--print-offsets', '--key-separator', '=', '--bootstrap', bootstrap]),
    runCli(t, ['consume', 'single', '--group', 'first-ten', '--from-beginning', '--max-messages', '11', '--bootstrap', bootstrap]),
    runCli(t, ['produce', 'single', '--partition', '0', '--acks', '1', '--bootstrap', bootstrap], { stdin: 'no newline at the end' }),
  ])
  t.deepEqual(fromOffset, { code: 0, signal: null, stdout: '1:5 k5=v5\n1:6 k6=v6\n1:7 k7=v7\n', stderr: '' })
  t.is(inGroup.code, 0, inGroup.stderr)
  t.is(inGroup.stdout.split('\n').length, 12)
  t.like(lines, { code: 0, stdout: '', stderr: 'produced 1 records\n' })

  // Exactly the eleven printed records are committed, whichever partitions they came from.
  const committed = await broker.admin().fetchOffsets({ groupId: 'first-ten', topics: ['single'] })
  const partitions = committed[0]!.partitions.sort((a, b) => a.partition - b.partition)
  const printed = inGroup.stdout.split('\n').filter((line) => line !== '')
  const fromPartition1 = printed.filter((line) => line.startsWith('v')).length
  t.deepEqual(printed.filter((line) => line.startsWith('v')), Array.from({ length: fromPartition1 }, (_, i) => `v${i}`))
  t.deepEqual(
    partitions.map((p) => p.offset),
    [printed.length - fromPartition1, fromPartition1].map((count) => (count === 0 ? '-1' : String(count))),
  )

  const bad = await Promise.all([
    runCli(t, ['consume', 'single', '--group', 'g', '--partition', '0']),
    runCli(t, ['produce', 'single', '--key-separator', ':', '--bootstrap', bootstrap], { stdin: 'k:v\nno separator\n' }),
  ])
  t.deepEqual(
    bad.map(({ code, stderr }) => ({ code, stderr })),
    [
      { code: 1, stderr: 'brook: --partition cannot be used with --group (the group assigns partitions)\n' },
      { code: 1, stderr: 'produced 0 records\nbrook: line 2 has no key separator ":"\n' },
    ],
  )
})

test('consume --group prints records as they arrive and stops cleanly on SIGTERM, committing them', async (t) => {
  const { broker, bootstrap } = await listening()
  await broker.admin().createTopics({ topics: [{ topic: 'live', numPartitions: 1 }] })
  const consumer = spawnCli(t, ['consume', 'live', '--group', 'live-group', '--print-offsets', '--bootstrap', bootstrap])
  const producer = broker.producer()
  // Without --from-beginning only new records are printed: keep producing until the consumer has joined and prints one.
  let sent = 0
  const first = consumer.waitForLine(() => true)
  while (consumer.lines.length === 0) {
    await producer.send({ topic: 'live', messages: [{ value: `r${sent++}` }] })
    await Promise.race([first, new Promise((resolve) => setImmediate(resolve))])
  }
  const firstLine = await first
  const firstOffset = Number(/^0:(\d+) r\d+$/.exec(firstLine)![1])
  await producer.send({ topic: 'live', messages: [{ value: 'last' }] })
  await consumer.waitForLine((line) => line.endsWith(' last'))
  consumer.process.kill('SIGTERM')
  const { code, stdout, stderr } = await consumer.exited
  t.is(code, 0, stderr)
  t.is(stderr, '')
  const expected = [...Array.from({ length: sent - firstOffset }, (_, i) => `0:${firstOffset + i} r${firstOffset + i}`), `0:${sent} last`]
  t.is(stdout, `${expected.join('\n')}\n`)
  const committed = await broker.admin().fetchOffsets({ groupId: 'live-group', topics: ['live'] })
  t.is(committed[0]!.partitions[0]!.offset, String(sent + 1))
})

function byKey(lines: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>()
  for (const line of lines) {
    const at = line.indexOf(':')
    const key = line.slice(0, at)
    groups.set(key, [...(groups.get(key) ?? []), line.slice(at + 1)])
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)))
}
