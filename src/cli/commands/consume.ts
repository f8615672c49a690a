/**
 * `brook consume <topic>`: prints records as they arrive until --max-messages or SIGINT/SIGTERM.
 * With --group it consumes as a member of that group and commits what it printed; without, it
 * joins a throwaway group `brook-console-<random>` with auto-commit off, so nothing is committed
 * (kafkajs can only consume through a group).
 */
import { randomBytes } from 'node:crypto'
import { InvalidArgumentError, type Command } from 'commander'
import type { Kafka, KafkaMessage } from 'kafkajs'
import { kafkaClient } from '../kafka-client.js'
import { integerIn, nonEmpty, withBootstrap, type BootstrapOptions } from '../options.js'
import { singlePartitionAssigner } from '../partition-assigner.js'
import { stopOnSignals } from '../signals.js'

interface ConsumeOptions extends BootstrapOptions {
  fromBeginning?: boolean
  group?: string
  partition?: number
  offset?: string
  maxMessages?: number
  keySeparator?: string
  printOffsets?: boolean
}

export function registerConsume(program: Command): void {
  withBootstrap(
    program
      .command('consume <topic>')
      .description('print records as they arrive, one per line, until --max-messages or SIGINT/SIGTERM')
      .addHelpText(
        'after',
        '\nWithout --group, brook joins a throwaway group named brook-console-<random> with auto-commit\n' +
          'off, so it commits nothing; on exit it deletes that group where the broker serves\n' +
          'DeleteGroups (Kafka does), and otherwise leaves it behind, empty.',
      ),
  )
    .option('--from-beginning', 'start at the log start when there is no committed offset (default: only new records)')
    .option('--group <group>', 'consume as a member of this group, committing offsets of printed records', nonEmpty)
    .option('--partition <n>', 'read only this partition (not with --group)', integerIn(0))
    .option('--offset <offset>', 'with --partition: start at this offset, or earliest / latest', parseStartOffset)
    .option('--max-messages <n>', 'exit after printing this many records', integerIn(1))
    .option('--key-separator <sep>', 'print key<sep>value instead of the value alone', nonEmpty)
    .option('--print-offsets', 'prefix each record with partition:offset and a space')
    .action(consume)
}

function parseStartOffset(text: string): string {
  if (text === 'earliest' || text === 'latest' || /^\d+$/.test(text)) return text
  throw new InvalidArgumentError('must be a non-negative integer, earliest or latest')
}

function checkCombinations(options: ConsumeOptions): void {
  if (options.group !== undefined && options.partition !== undefined) throw new Error('--partition cannot be used with --group (the group assigns partitions)')
  if (options.offset !== undefined && options.partition === undefined) throw new Error('--offset needs --partition')
  if (options.offset !== undefined && options.fromBeginning) throw new Error('--offset and --from-beginning cannot be used together')
}

async function consume(topic: string, options: ConsumeOptions): Promise<void> {
  checkCombinations(options)
  const throwaway = options.group === undefined
  const groupId = options.group ?? `brook-console-${randomBytes(6).toString('hex')}`
  const kafka = kafkaClient(options.bootstrap, 'brook-console-consumer')
  const consumer = kafka.consumer({
    groupId,
    ...(options.partition === undefined ? {} : { partitionAssigners: [singlePartitionAssigner(topic, options.partition)] }),
    maxWaitTimeInMs: 1_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000, restartOnFailure: async () => false },
  })
  const stopper = stopOnSignals()
  let failure: unknown
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    failure = payload.error
    stopper.stop()
  })
  process.stdout.on('error', () => stopper.stop()) // EPIPE: the reader went away (| head)

  let printed = 0
  const format = lineFormat(options)
  await consumer.connect()
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: options.fromBeginning === true || options.offset === 'earliest' })
    await consumer.run({
      autoCommit: !throwaway,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        const lines: string[] = []
        for (const message of batch.messages) {
          if (stopper.isStopped || !isRunning() || isStale()) break
          lines.push(format(batch.partition, message))
          resolveOffset(message.offset)
          if (++printed === options.maxMessages) stopper.stop()
        }
        if (lines.length > 0) process.stdout.write(`${lines.join('\n')}\n`)
        await heartbeat()
      },
    })
    if (options.partition !== undefined && options.offset !== undefined && /^\d+$/.test(options.offset)) {
      consumer.seek({ topic, partition: options.partition, offset: options.offset })
    }
    await stopper.stopped
  } finally {
    await consumer.disconnect()
    if (throwaway) await deleteGroupQuietly(kafka, groupId)
    stopper.dispose()
  }
  if (failure !== undefined) throw failure
}

/** Best effort: a broker without DeleteGroups keeps the (empty, offset-less) group. */
async function deleteGroupQuietly(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin()
  try {
    await admin.connect()
    await admin.deleteGroups([groupId])
  } catch {
    // not served, or the group is already gone
  } finally {
    await admin.disconnect()
  }
}

function lineFormat({ keySeparator, printOffsets }: ConsumeOptions): (partition: number, message: KafkaMessage) => string {
  return (partition, { key, value, offset }) => {
    const text = value === null ? 'null' : value.toString()
    const record = keySeparator === undefined ? text : `${key === null ? 'null' : key.toString()}${keySeparator}${text}`
    return printOffsets ? `${partition}:${offset} ${record}` : record
  }
}
