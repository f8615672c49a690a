/** `brook topics create|list|describe|delete` against a listening broker: exact output and errors. */
import test from 'ava'
import { runCli } from '../helpers/cli.js'
import { brokerPerFile } from '../helpers/wire.js'

const listening = brokerPerFile()

test('topics create, list, describe and delete print exactly what happened; errors are "brook: <message>" with exit code 1', async (t) => {
  const { broker, bootstrap } = await listening()
  const cli = (...args: string[]) => runCli(t, [...args, '--bootstrap', bootstrap])

  t.deepEqual(await cli('topics', 'create', 'orders', '--partitions', '3', '--config', 'retention.ms=3600000'), {
    code: 0,
    signal: null,
    stdout: 'Created topic orders.\n',
    stderr: '',
  })

  const [again, badValue, badPair] = await Promise.all([
    cli('topics', 'create', 'orders'),
    cli('topics', 'create', 'bad', '--config', 'retention.ms=soon'),
    cli('topics', 'create', 'bad', '--config', 'retention.ms'),
  ])
  t.like(again, { code: 1, stdout: '', stderr: 'brook: topic orders already exists\n' })
  t.like(badValue, { code: 1, stdout: '' })
  t.is(badValue.stderr, 'brook: Topic creation errors: topic bad: Configuration is invalid\n')
  t.like(badPair, { code: 1, stdout: '', stderr: 'brook: --config takes key=value, got "retention.ms"\n' })

  await broker.admin().createTopics({ topics: [{ topic: 'logs', numPartitions: 1 }] })
  const producer = broker.producer()
  await producer.send({ topic: 'orders', messages: [{ partition: 1, value: 'a' }, { partition: 1, value: 'b' }, { partition: 2, value: 'c' }] })

  const [list, describe] = await Promise.all([cli('topics', 'list'), cli('topics', 'describe', 'orders')])
  t.like(list, { code: 0, stdout: 'logs\norders\n', stderr: '' })
  t.like(describe, {
    code: 0,
    stderr: '',
    stdout: [
      'TOPIC   PARTITIONS  REPLICATION-FACTOR',
      'orders  3           1',
      '',
      'PARTITION  LEADER  REPLICAS  ISR  LOG-START-OFFSET  LOG-END-OFFSET',
      '0          1       1         1    0                 0',
      '1          1       1         1    0                 2',
      '2          1       1         1    0                 1',
      '',
      'CONFIG                          VALUE       SOURCE',
      'cleanup.policy                  delete      default',
      'compression.type                producer    default',
      'index.interval.bytes            4096        default',
      'max.message.bytes               1048588     default',
      'message.timestamp.type          CreateTime  default',
      'min.insync.replicas             1           default',
      'retention.bytes                 -1          default',
      'retention.ms                    3600000     topic',
      'segment.bytes                   1073741824  default',
      'segment.ms                      604800000   default',
      'unclean.leader.election.enable  false       default',
      '',
    ].join('\n'),
  })

  t.like(await cli('topics', 'delete', 'orders'), { code: 0, stdout: 'Deleted topic orders.\n', stderr: '' })
  const [afterList, missing] = await Promise.all([cli('topics', 'list'), cli('topics', 'describe', 'orders')])
  t.like(afterList, { code: 0, stdout: 'logs\n', stderr: '' })
  t.like(missing, { code: 1, stdout: '', stderr: 'brook: topic orders does not exist\n' })
})
