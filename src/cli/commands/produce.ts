/** `brook produce <topic>`: one record per stdin line, sent in batches, each acknowledged before more is read. */
import { addAbortSignal } from 'node:stream'
import type { Command } from 'commander'
import { Partitioners, type ICustomPartitioner, type Message } from 'kafkajs'
import { kafkaClient } from '../kafka-client.js'
import { lineBatches } from '../line-batches.js'
import { integerIn, nonEmpty, numberChoice, withBootstrap, type BootstrapOptions } from '../options.js'
import { stopOnSignals } from '../signals.js'

const BATCH_LINES = 1_000

interface ProduceOptions extends BootstrapOptions {
  keySeparator?: string
  acks: number
  partition?: number
}

export function registerProduce(program: Command): void {
  withBootstrap(
    program
      .command('produce <topic>')
      .description('produce one record per stdin line (batches of up to 1,000 lines, or fewer when stdin pauses)')
      .addHelpText('after', '\nEach batch is acknowledged before more input is read. SIGINT/SIGTERM stop reading; what was sent stays sent.'),
  )
    .option('--key-separator <sep>', 'lines are key<sep>value (split at the first <sep>; a line without it is an error)', nonEmpty)
    .option('--acks <acks>', '-1 (all), 0 (none) or 1 (leader)', numberChoice([-1, 0, 1]), -1)
    .option('--partition <n>', 'send every record to this partition (default: by key hash, or spread when keyless)', integerIn(0))
    .action(produce)
}

async function produce(topic: string, options: ProduceOptions): Promise<void> {
  const producer = kafkaClient(options.bootstrap, 'brook-console-producer').producer({ createPartitioner: partitionerFor(options.partition) })
  const separator = options.keySeparator === undefined ? undefined : Buffer.from(options.keySeparator)
  const stopper = stopOnSignals()
  let produced = 0
  let lineNumber = 0
  await producer.connect()
  try {
    for await (const lines of lineBatches(addAbortSignal(stopper.signal, process.stdin), BATCH_LINES)) {
      const messages = lines.map((line) => toMessage(line, separator, ++lineNumber))
      await producer.send({ topic, acks: options.acks, messages })
      produced += messages.length
    }
  } catch (error) {
    if (!stopper.isStopped) throw error // a signal ends the input early: not an error
  } finally {
    console.error(`produced ${produced} records`)
    await producer.disconnect()
    stopper.dispose()
  }
}

/**
 * Kafka's default (murmur2) partitioner, or a fixed partition that must exist: kafkajs would
 * silently drop records sent to a partition its metadata does not know.
 */
function partitionerFor(partition: number | undefined): ICustomPartitioner {
  if (partition === undefined) return Partitioners.DefaultPartitioner
  return () =>
    ({ topic, partitionMetadata }) => {
      if (partitionMetadata.some((entry) => entry.partitionId === partition)) return partition
      throw Object.assign(new Error(`topic ${topic} has no partition ${partition} (it has ${partitionMetadata.length})`), { retriable: false })
    }
}

function toMessage(line: Buffer, separator: Buffer | undefined, lineNumber: number): Message {
  const message: Message = { value: line }
  if (separator === undefined) return message
  const at = line.indexOf(separator)
  if (at === -1) throw new Error(`line ${lineNumber} has no key separator ${JSON.stringify(separator.toString())}`)
  message.key = line.subarray(0, at)
  message.value = line.subarray(at + separator.length)
  return message
}
