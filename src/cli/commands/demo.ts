/** `brook demo`: the in-process tour (see ../demo.ts). */
import type { Command } from 'commander'
import { integerIn } from '../options.js'

interface DemoCommandOptions {
  dataDir: string
  records: number
  partitions: number
  valueBytes: number
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('open a broker, produce and read back records, and report how fast')
    .option('--data-dir <dir>', 'data directory', './data')
    .option('--records <n>', 'records to produce', integerIn(1), 100_000)
    .option('--partitions <n>', 'partitions of the demo topic', integerIn(1), 6)
    .option('--value-bytes <n>', 'bytes per record value', integerIn(1), 100)
    .action(async (options: DemoCommandOptions) => {
      const { runDemo } = await import('../demo.js') // loads the broker only for this command
      await runDemo({ ...options, print: (line) => console.log(line) })
    })
}
