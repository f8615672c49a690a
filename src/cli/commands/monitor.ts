/**
 * `brook monitor`: a live view of produce and consume rates, partition offsets and group lag,
 * redrawn in place on a terminal (one block per interval when stdout is not a terminal).
 */
import { setTimeout as delay } from 'node:timers/promises'
import type { Command } from 'commander'
import { withAdmin } from '../kafka-client.js'
import { collect, integerIn, withBootstrap, type BootstrapOptions } from '../options.js'
import { ratesBetween, renderSnapshot, takeSnapshot, type Snapshot } from '../monitor-snapshot.js'
import { stopOnSignals } from '../signals.js'

interface MonitorOptions extends BootstrapOptions {
  interval: number
  topic: string[]
  once?: boolean
}

/** The screen is cleared once; each redraw then goes home and clears each line's tail and everything below the block. */
const CLEAR_SCREEN = '\u001b[2J'
const HOME = '\u001b[H'
const CLEAR_LINE_END = '\u001b[K'
const CLEAR_BELOW = '\u001b[J'

export function registerMonitor(program: Command): void {
  withBootstrap(program.command('monitor').description('live produce/consume rates, partition offsets and group lag, until SIGINT'))
    .option('--interval <ms>', 'refresh interval in milliseconds', integerIn(10), 1000)
    .option('--topic <topic>', 'show only this topic (repeatable; default: all topics)', collect, [])
    .option('--once', 'print one snapshot, with rates measured over one interval, and exit')
    .action(monitor)
}

async function monitor(options: MonitorOptions): Promise<void> {
  const topics = options.topic.length > 0 ? options.topic : undefined
  const title = `brook monitor  ${options.bootstrap}  every ${options.interval} ms`
  const stopper = stopOnSignals()
  const live = !options.once && process.stdout.isTTY === true
  let drawn = false
  const print = (snapshot: Snapshot, previous: Snapshot | undefined) => {
    const block = renderSnapshot(snapshot, previous && ratesBetween(previous, snapshot), title)
    if (live) process.stdout.write(`${drawn ? '' : CLEAR_SCREEN}${HOME}${block.split('\n').join(`${CLEAR_LINE_END}\n`)}${CLEAR_LINE_END}\n${CLEAR_BELOW}`)
    else process.stdout.write(`${block}\n\n`)
    drawn = true
  }
  try {
    await withAdmin(options.bootstrap, async (admin) => {
      let previous = await takeSnapshot(admin, topics)
      if (!options.once) print(previous, undefined)
      while (!stopper.isStopped) {
        await delay(options.interval, undefined, { signal: stopper.signal }).catch(() => undefined)
        if (stopper.isStopped) break
        const current = await takeSnapshot(admin, topics)
        print(current, previous)
        previous = current
        if (options.once) break
      }
    })
  } finally {
    stopper.dispose()
  }
}
