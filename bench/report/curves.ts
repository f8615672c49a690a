/** Latency percentile curves: one line per e2e row (per rate), from its `[percentile, latencyMs]` points. */
import { chartId, type ChartSpec, type Series } from './chart.js'
import { curveOf, rowLabels, type ResultFile, type Row } from './data.js'

/** The field of a row holding its curve, preferring one named like a curve or percentiles. */
export function curveKey(row: Row): string | undefined {
  const keys = Object.keys(row).filter((key) => curveOf(row[key]) !== undefined)
  return keys.find((key) => /curve|percentile/i.test(key)) ?? keys[0]
}

export function latencyCurves(result: ResultFile): ChartSpec | undefined {
  const rows = result.rows.filter((row) => curveKey(row) !== undefined)
  if (rows.length === 0) return undefined
  const keys = rows.map((row) => curveKey(row) as string)
  const labels = rowLabels(rows, (key) => keys.includes(key))
  const curves = rows.map((row, index) => curveOf(row[keys[index]]) as Array<[number, number]>)
  // Percentiles may be written as fractions (0.99) or percents (99).
  const asFractions = curves.every((curve) => curve.every(([x]) => x <= 1))
  const series: Series[] = curves.map((curve, index) => ({
    label: labels[index],
    points: curve.map(([x, y]): [number, number] => [asFractions ? x * 100 : x, y]),
  }))
  return {
    id: chartId('curves', result.file),
    kind: 'curves',
    suite: result.file,
    title: `${result.name}: latency by percentile`,
    xLabel: 'percentile',
    yLabel: /ms/i.test(keys[0]) || !/us|micro|ns/i.test(keys[0]) ? 'latency (ms)' : `latency (${keys[0]})`,
    series,
    logY: true,
  }
}
