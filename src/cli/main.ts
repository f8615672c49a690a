/** The `brook` command line. */
import { Command } from 'commander'
import { runDemo } from './demo.js'

const program = new Command()
  .name('brook')
  .description('brook: the Kafka you npm install — a durable, partitioned, replayable log')

program
  .command('demo')
  .description('open a broker, produce and read back records, and report how fast')
  .option('--data-dir <dir>', 'data directory', './data')
  .option('--records <n>', 'records to produce', '100000')
  .option('--partitions <n>', 'partitions of the demo topic', '6')
  .option('--value-bytes <n>', 'bytes per record value', '100')
  .action(async (options: { dataDir: string; records: string; partitions: string; valueBytes: string }) => {
    await runDemo({
      dataDir: options.dataDir,
      records: positiveInteger(options.records, '--records'),
      partitions: positiveInteger(options.partitions, '--partitions'),
      valueBytes: positiveInteger(options.valueBytes, '--value-bytes'),
      print: (line) => console.log(line),
    })
  })

function positiveInteger(text: string, flag: string): number {
  const value = Number(text)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be a positive integer, got ${text}`)
  return value
}

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error instanceof Error ? `brook: ${error.message}` : error)
  process.exitCode = 1
})
