/**
 * `npm run bench [-- suite... --rounds N --scale X]`: compiles and runs benchmark suites (never part of
 * `npm test`), prints the machine and the median of several rounds, and writes
 * `bench/results/<suite>.json`.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { Command } from 'commander'
import { describeMachine, machineInfo } from './machine.js'
import type { Suite } from './suite.js'
import { consumeSuite } from './suites/consume.js'
import { groupsSuite } from './suites/groups.js'
import { produceSuite } from './suites/produce.js'
import { recoverySuite } from './suites/recovery.js'
import { tcpSuite } from './suites/tcp.js'
import { e2eSuite } from './suites/e2e.js'
import { scaleSuite } from './suites/scale.js'
import { rebalanceSuite } from './suites/rebalance.js'
import { peersSuite } from './suites/peers.js'
import { writeReport } from './report/index.js'

const suites: Record<string, Suite> = {
  produce: produceSuite,
  consume: consumeSuite,
  e2e: e2eSuite,
  scale: scaleSuite,
  recovery: recoverySuite,
  rebalance: rebalanceSuite,
  groups: groupsSuite,
  tcp: tcpSuite,
  peers: peersSuite,
}
/** Run by default; `peers` starts other servers and runs only when named. */
const DEFAULT_SUITES = Object.keys(suites).filter((name) => name !== 'peers')

const program = new Command()
  .name('bench')
  .argument('[suites...]', `suites to run: ${Object.keys(suites).join(', ')} (default: all but peers)`)
  .option('--rounds <n>', 'rounds per figure (the median is reported)', '5')
  .option('--scale <x>', 'multiplies record counts (1 = full size)', '1')
  .option('--report', 'write bench/results/report.html from the results on disk (alone: only the report)')
  .action(async (names: string[], options: { rounds: string; scale: string; report?: boolean }) => {
    const chosen = names.length > 0 ? names : options.report ? [] : DEFAULT_SUITES
    for (const name of chosen) if (!suites[name]) throw new Error(`unknown suite ${name}; known: ${Object.keys(suites).join(', ')}`)
    const machine = machineInfo(tmpdir())
    console.log(describeMachine(machine))
    // Results go beside the benchmark sources whether this runs from bench/ or compiled from dist-bench/.
    const resultsDir = new URL('bench/results/', `file://${process.cwd()}/`)
    mkdirSync(resultsDir, { recursive: true })
    for (const name of chosen) {
      console.log(`\n== ${name} ==`)
      const result = await suites[name]({ rounds: Number(options.rounds), scale: Number(options.scale), print: (line) => console.log(line) })
      writeFileSync(new URL(`${name}.json`, resultsDir), JSON.stringify({ machine, date: new Date().toISOString(), ...result }, null, 2))
    }
    if (options.report) console.log(`report: ${(await writeReport(resultsDir)).pathname}`)
  })

program.parseAsync(process.argv).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
