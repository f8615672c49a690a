/**
 * `npm run bench -- --report`: writes `report.html` beside the results: the machine and dates, throughput
 * bars (produce, consume, tcp... and brook against its peers), latency percentile curves (e2e), scaling
 * lines (scale), and a table of every row. Renders whatever result files exist and skips the rest.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { peersBars, throughputBars } from './bars.js'
import type { ChartSpec } from './chart.js'
import { latencyCurves } from './curves.js'
import { loadResults, type ResultFile } from './data.js'
import { scalingLines } from './lines.js'
import { renderHtml } from './template.js'

/** Which chart kinds each result gets, by its name. */
export function chartsFor(results: ResultFile[]): ChartSpec[] {
  const charts: ChartSpec[] = []
  for (const result of results) {
    if (result.name === 'peers') charts.push(...peersBars(result))
    else if (result.name === 'e2e') {
      const curves = latencyCurves(result)
      if (curves) charts.push(curves)
    } else if (result.name === 'scale') charts.push(...scalingLines(result))
    else {
      const bars = throughputBars(result)
      if (bars) charts.push(bars)
    }
  }
  return charts
}

/** Chart.js's browser build, from this package's node_modules (bench/ via tsx, or dist-bench/ compiled). */
export function chartJsSource(): string {
  const attempts: string[] = []
  for (const base of [import.meta.url, join(process.cwd(), 'package.json')]) {
    try {
      const main = createRequire(base).resolve('chart.js')
      return readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8')
    } catch (error) {
      attempts.push(`${base}: ${(error as Error).message}`)
    }
  }
  throw new Error(`cannot find chart.js (npm install): ${attempts.join('; ')}`)
}

export async function writeReport(resultsDir: URL): Promise<URL> {
  const results = loadResults(resultsDir)
  const html = renderHtml({ results, charts: chartsFor(results), chartJs: chartJsSource(), generated: new Date().toISOString() })
  const target = new URL('report.html', resultsDir)
  writeFileSync(target, html)
  return target
}
