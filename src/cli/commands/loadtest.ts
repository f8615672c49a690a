/** `brook loadtest`: drive a broker with producers and consumer groups, verify nothing was lost or reordered. */
import { InvalidArgumentError, type Command } from 'commander'
import { writeFile } from 'node:fs/promises'
import { integerIn } from '../options.js'
import type { LoadTestOptions } from '../../loadtest/harness.js'

/** What commander hands over: the harness's options, with times in their CLI spelling and output flags. */
type LoadTestCliOptions = Omit<LoadTestOptions, 'durationMs' | 'chaosIntervalMs' | 'drainTimeoutMs' | 'onProgress' | 'producerClient'> & {
  producerClient: 'raw' | 'kafkajs'
  duration?: number
  chaosInterval: number
  drainTimeout: number
  json?: boolean
  report?: string
  progress: boolean
}

function rate(text: string): number | 'max' {
  if (text === 'max') return 'max'
  const value = Number(text)
  if (!Number.isFinite(value) || value <= 0) throw new InvalidArgumentError('must be a positive number of records/s or "max"')
  return value
}

function producerClient(text: string): 'raw' | 'kafkajs' {
  if (text !== 'raw' && text !== 'kafkajs') throw new InvalidArgumentError('must be raw or kafkajs')
  return text
}

/** Seconds (`30`, `30s`, `2m`, `500ms`) → milliseconds. */
function duration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim())
  if (match === null) throw new InvalidArgumentError('must be a duration: 30, 30s, 2m or 500ms')
  const value = Number(match[1])
  return Math.round(match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1000)
}

export function registerLoadTest(program: Command): void {
  program
    .command('loadtest')
    .description('load-test a broker (embedded by default) and verify every acknowledged record was consumed, in order, by every group')
    .option('--bootstrap <host:port>', 'drive a running broker instead of an embedded one')
    .option('--data-dir <dir>', 'data directory of the embedded broker (default: a temp dir, removed afterwards)')
    .option('--broker-process', 'run the broker as `brook start` in a child process (needed for --chaos broker kills)')
    .option('--producers <n>', 'producer threads', integerIn(1, 64), 2)
    .option('--consumers <n>', 'consumer threads per group', integerIn(1, 64), 2)
    .option('--groups <n>', 'consumer groups (each sees every record)', integerIn(1, 16), 1)
    .option('--partitions <n>', 'partitions of the test topic', integerIn(1, 1024), 4)
    .option('--rate <r>', 'records/s over all producers, or "max"', rate, 'max' as number | 'max')
    .option('--size <bytes>', 'record value size (at least 16)', integerIn(16, 1 << 20), 100)
    .option('--keys <n>', 'distinct keys', integerIn(1), 1000)
    .option('--producer-client <kind>', 'raw (brook\'s batch encoder over a socket, ~1 µs/record) or kafkajs (~20 µs/record)', producerClient, 'raw' as 'raw' | 'kafkajs')
    .option('--batch-size <n>', 'records per producer send (default 1000, 250 with kafkajs)', integerIn(1, 100_000))
    .option('--in-flight <n>', 'sends in flight per producer, each on its own partitions (default: partitions, at most 8)', integerIn(1, 64))
    .option('--duration <time>', 'produce for this long (30, 30s, 2m, 500ms)', duration)
    .option('--messages <n>', 'produce this many records in all', integerIn(1))
    .option('--chaos', 'restart consumers at random during the run (and SIGKILL the broker with --broker-process)')
    .option('--chaos-interval <time>', 'mean time between chaos events', duration, 5000)
    .option('--drain-timeout <time>', 'after producing, wait this long at most for consumers to catch up', duration, 30_000)
    .option('--json', 'print the end report as JSON instead of a table')
    .option('--report <file>', 'also write the JSON report to this file')
    .option('--no-progress', 'no live progress bar')
    .action(async (options: LoadTestCliOptions) => {
      if (options.duration === undefined && options.messages === undefined) options.duration = 10_000
      const { runLoadTest } = await import('../../loadtest/harness.js')
      const { formatReport } = await import('../../loadtest/report.js')
      const { progressBar } = await import('../../loadtest/progress.js')
      const bar = options.progress && process.stderr.isTTY ? progressBar() : undefined
      let report
      try {
        report = await runLoadTest({
          bootstrap: options.bootstrap, dataDir: options.dataDir, brokerProcess: options.brokerProcess,
          producers: options.producers, consumers: options.consumers, groups: options.groups, partitions: options.partitions,
          rate: options.rate, size: options.size, keys: options.keys, producerClient: options.producerClient, batchSize: options.batchSize, inFlight: options.inFlight, durationMs: options.duration, messages: options.messages,
          chaos: options.chaos, chaosIntervalMs: options.chaosInterval, drainTimeoutMs: options.drainTimeout,
          onProgress: bar?.update,
        })
      } finally {
        bar?.stop()
      }
      const json = JSON.stringify(report, null, 2)
      if (options.report !== undefined) await writeFile(options.report, json + '\n')
      console.log(options.json === true ? json : formatReport(report))
      if (!report.ok) process.exitCode = 1
    })
}
