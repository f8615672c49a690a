/** The `brook` command line: one module per command group under ./commands. */
import { Command } from 'commander'
import { registerConsume } from './commands/consume.js'
import { registerDemo } from './commands/demo.js'
import { registerGroups } from './commands/groups.js'
import { registerMonitor } from './commands/monitor.js'
import { registerProduce } from './commands/produce.js'
import { registerStart } from './commands/start.js'
import { registerTopics } from './commands/topics.js'
import { registerLoadTest } from './commands/loadtest.js'
import { errorText } from './errors.js'

const program = new Command()
  .name('brook')
  .description('brook: the Kafka you npm install — a durable, partitioned, replayable log')
  // Usage errors read like every other error: `brook: <message>`, exit code 1.
  .configureOutput({ outputError: (text, write) => write(`brook: ${text.replace(/^error: /, '')}`) })
  .showHelpAfterError('(add --help for usage)')

for (const register of [registerStart, registerTopics, registerProduce, registerConsume, registerGroups, registerMonitor, registerDemo, registerLoadTest]) register(program)

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(`brook: ${errorText(error)}`)
  process.exitCode = 1
})
