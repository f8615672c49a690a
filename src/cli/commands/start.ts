/** `brook start`: runs a broker serving the Kafka protocol until SIGINT or SIGTERM. */
import type { Command } from 'commander'
import { hostPort, integerIn } from '../options.js'
import { stopOnSignals } from '../signals.js'

interface StartOptions {
  host: string
  allowNonLoopback?: boolean
  port: number
  dataDir: string
  partitions: number
}

export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run a broker serving the Kafka protocol until SIGINT or SIGTERM')
    .option('--host <host>', 'address to listen on (loopback only: brook has no authentication yet)', '127.0.0.1')
    .option('--allow-non-loopback', 'allow a non-loopback --host, exposing an unauthenticated broker to the network')
    .option('--port <port>', 'port to listen on; 0 picks a free one (printed)', integerIn(0, 65_535), 9092)
    .option('--data-dir <dir>', 'data directory', './data')
    .option('--partitions <n>', 'num.partitions: partitions of auto-created topics', integerIn(1), 1)
    .action(start)
}

async function start({ host, allowNonLoopback, port, dataDir, partitions }: StartOptions): Promise<void> {
  const stopper = stopOnSignals()
  try {
    const { Broker } = await import('../../broker.js') // loaded only here: the console tools need no broker
    const broker = await Broker.open({ dataDir, defaultPartitions: partitions })
    broker.on('worker.crash', ({ shard, error }) => console.error(`brook: partition worker ${shard} crashed (${error}); restarting it`))
    broker.on('worker.failed', ({ shard, error }) => console.error(`brook: partition worker ${shard} failed for good: ${error}`))
    try {
      if (!stopper.isStopped) {
        const address = await broker.listen({ host, port, allowNonLoopback: allowNonLoopback === true })
        console.log(`brook listening on ${hostPort(address.host, address.port)} (data in ${dataDir})`)
      }
      await stopper.stopped
    } finally {
      await broker.close()
    }
    console.log('brook stopped')
  } finally {
    stopper.dispose()
  }
}
