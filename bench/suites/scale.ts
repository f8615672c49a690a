/**
 * Partition scale: one topic of 1, 10, 100 and 1,000 partitions, 200,000 records of 100 bytes
 * (× scale) produced round-robin over all of them (acks=-1), each cell in a fresh child process
 * (bench/fixtures/scale-cell.ts) so the broker's worker threads, OS threads and RSS after
 * producing are that cell's alone. The worker count does not grow with partitions: that is the
 * bound this suite shows.
 *
 * Rows: { name, partitions, records, valueBytes, recordsPerSecond, workerThreads, osThreads,
 *   rssMiB: Summary }
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runFixture } from '../child.js'
import type { ScaleCell } from '../fixtures/scale-cell.js'
import { formatSummary, summarize } from '../stats.js'
import type { SuiteContext, SuiteResult } from '../suite.js'

const PARTITIONS = [1, 10, 100, 1_000]
const VALUE_BYTES = 100

export async function scaleSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  // At least one record per partition, so every partition is written to.
  const records = Math.max(1_000, Math.round(200_000 * scale))
  const rows: unknown[] = []
  for (const partitions of PARTITIONS) {
    const cells: ScaleCell[] = []
    for (let round = 0; round < rounds; round++) {
      const dataDir = mkdtempSync(join(tmpdir(), 'brook-bench-scale-'))
      try {
        const cell = await runFixture<ScaleCell>('scale-cell', [dataDir, String(partitions), String(records), String(VALUE_BYTES)])
        if (cell.records !== records || cell.partitionsWithRecords !== partitions) {
          throw new Error(`${partitions} partitions: ${cell.records} records over ${cell.partitionsWithRecords} partitions, expected ${records} over all`)
        }
        cells.push(cell)
      } finally {
        rmSync(dataDir, { recursive: true, force: true })
      }
    }
    const row = {
      name: `${partitions.toLocaleString('en-US')} partition(s)`,
      partitions,
      records,
      valueBytes: VALUE_BYTES,
      recordsPerSecond: summarize(cells.map((cell) => (records / cell.elapsedMs) * 1000)),
      workerThreads: summarize(cells.map((cell) => cell.workerThreads)),
      osThreads: summarize(cells.map((cell) => cell.osThreads)),
      rssMiB: summarize(cells.map((cell) => cell.rssBytes / 2 ** 20)),
    }
    print(`${row.name}: ${formatSummary(row.recordsPerSecond, 'records/s')}; ${row.workerThreads.median} worker threads, ${row.osThreads.median} OS threads; RSS ${formatSummary(row.rssMiB, 'MiB', 1)}`)
    rows.push(row)
  }
  return { name: 'scale', rows }
}
