/**
 * Time to open a data directory holding about 1 GB of logs (1,000,000 records of 1,000 bytes in one
 * partition, × scale): after a clean close, and after a SIGKILL mid-write — a child process
 * (bench/fixtures/recovery-writer.ts) produces with acks=1 and is killed once that much is
 * acknowledged, so the open has to recover the torn tail. Each SIGKILL round opens a fresh copy of
 * the killed directory, since an open repairs what it recovers. Every open must find at least the
 * records acknowledged before it.
 *
 * Rows: { name, gigabytes, ackedRecords, recoveredRecords, ms: Summary }
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '../../src/index.js'
import { startFixture, waitForLine } from '../child.js'
import { formatSummary, summarize } from '../stats.js'
import { produce } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

const VALUE_BYTES = 1000

export async function recoverySuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const records = Math.round(1_000_000 * scale)
  const root = mkdtempSync(join(tmpdir(), 'brook-bench-recovery-'))
  try {
    const rows: unknown[] = []
    const report = (name: string, opened: Opened) => {
      const gigabytes = (opened.recoveredRecords * VALUE_BYTES) / 1e9
      print(`${name}, ${gigabytes.toFixed(2)} GB of logs: ${formatSummary(opened.ms, 'ms', 1)}`)
      rows.push({ name, gigabytes, ...opened })
    }

    const clean = join(root, 'clean')
    const writer = await Broker.open({ dataDir: clean })
    await writer.admin().createTopics({ topics: [{ topic: 'big', numPartitions: 1 }] })
    await produce(writer, { topic: 'big', records, valueBytes: VALUE_BYTES, acks: 1, sendSize: 500 })
    await writer.close()
    report('open after clean close', await timeOpens(rounds, records, () => clean))
    rmSync(clean, { recursive: true, force: true })

    const killed = join(root, 'killed')
    const ackedRecords = await writeUntilKilled(killed, records)
    const copy = join(root, 'copy')
    const opened = await timeOpens(rounds, ackedRecords, () => {
      rmSync(copy, { recursive: true, force: true })
      cpSync(killed, copy, { recursive: true })
      return copy
    })
    report('open after SIGKILL mid-write', opened)
    return { name: 'recovery', rows }
  } finally {
    rmSync(root, { recursive: true, force: true })
  }
}

/** Runs the writer child on `dataDir` until it acknowledged `records`, then SIGKILLs it; returns the records it acknowledged. */
async function writeUntilKilled(dataDir: string, records: number): Promise<number> {
  const child = startFixture('recovery-writer', [dataDir, String(VALUE_BYTES)])
  const exited = once(child, 'exit')
  try {
    const line = await waitForLine(child, (text) => Number(text.split(' ')[1]) >= records)
    return Number(line.split(' ')[1])
  } finally {
    child.kill('SIGKILL')
    await exited
  }
}

interface Opened {
  ackedRecords: number
  recoveredRecords: number
  ms: ReturnType<typeof summarize>
}

/** Times `rounds` opens of the directory `prepare` returns (prepared outside the timing); each must hold at least `acked` records. */
async function timeOpens(rounds: number, acked: number, prepare: () => string): Promise<Opened> {
  const times: number[] = []
  let recoveredRecords = 0
  for (let round = 0; round < rounds; round++) {
    const dataDir = prepare()
    const started = performance.now()
    const broker = await Broker.open({ dataDir })
    times.push(performance.now() - started)
    const [{ high }] = await broker.admin().fetchTopicOffsets('big')
    recoveredRecords = Number(high)
    await broker.close()
    if (recoveredRecords < acked) throw new Error(`reopened with ${recoveredRecords} records, ${acked} were acknowledged`)
  }
  return { ackedRecords: acked, recoveredRecords, ms: summarize(times) }
}
