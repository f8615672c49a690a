/** Time to open a data directory holding about 1 GB of logs after a clean close. */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Broker } from '../../src/index.js'
import { formatSummary, summarize } from '../stats.js'
import { produce } from '../workload.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

export async function recoverySuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const valueBytes = 1000
  const records = Math.round(1_000_000 * scale)
  const dataDir = mkdtempSync(join(tmpdir(), 'brook-bench-recovery-'))
  try {
    const writer = await Broker.open({ dataDir })
    await writer.admin().createTopics({ topics: [{ topic: 'big', numPartitions: 1 }] })
    await produce(writer, { topic: 'big', records, valueBytes, acks: 1, sendSize: 500 })
    await writer.close()
    const gigabytes = (records * valueBytes) / 1e9
    const times: number[] = []
    for (let round = 0; round < rounds; round++) {
      const started = performance.now()
      const broker = await Broker.open({ dataDir })
      times.push(performance.now() - started)
      const [{ high }] = await broker.admin().fetchTopicOffsets('big')
      if (Number(high) !== records) throw new Error(`reopened with ${high} records, expected ${records}`)
      await broker.close()
    }
    const summary = summarize(times)
    print(`open after clean close, ${gigabytes.toFixed(2)} GB of logs: ${formatSummary(summary, 'ms', 1)}`)
    return { name: 'recovery', rows: [{ gigabytes, openAfterCleanCloseMs: summary }] }
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
