/**
 * Scaling lines: for a result whose rows step through a count (partitions, by default), one chart per
 * measured figure (throughput, threads, RSS...; plain numbers only when they change), one line per other string field's value.
 */
import { chartId, type ChartSpec, type Series } from './chart.js'
import { isSummary, numberOf, type ResultFile, type Row } from './data.js'

const X_PREFERENCE = ['partitions', 'partitionCount', 'count', 'connections', 'producers', 'consumers', 'threads']

export function xKeyOf(rows: Row[]): string | undefined {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))]
  const plainNumbers = keys.filter((key) => rows.every((row) => typeof row[key] === 'number') && new Set(rows.map((row) => row[key])).size > 1)
  return X_PREFERENCE.find((key) => plainNumbers.includes(key)) ?? plainNumbers[0]
}

export function scalingLines(result: ResultFile): ChartSpec[] {
  const rows = result.rows
  const xKey = xKeyOf(rows)
  if (xKey === undefined) return []
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((key) => key !== xKey && key !== 'name')
  const groupKeys = keys.filter((key) => rows.some((row) => typeof row[key] === 'string') && new Set(rows.map((row) => row[key])).size > 1)
  const metrics = keys.filter((key) => {
    // Measurements (Summaries) always, even when flat (threads that do not grow); plain numbers when they vary.
    const values = rows.map((row) => numberOf(row[key])).filter((value) => value !== undefined)
    const measured = rows.some((row) => isSummary(row[key]))
    return values.length > 0 && (measured || new Set(values).size > 1) && !groupKeys.includes(key)
  })
  const groupOf = (row: Row) => groupKeys.map((key) => `${key}=${String(row[key] ?? '')}`).join(' ') || result.name
  const groups = [...new Set(rows.map(groupOf))]
  return metrics.map((metric) => {
    const series: Series[] = groups.map((group) => {
      const members = rows
        .filter((row) => groupOf(row) === group && numberOf(row[metric]) !== undefined)
        .sort((a, b) => (a[xKey] as number) - (b[xKey] as number))
      return {
        label: group,
        points: members.map((row): [number, number] => [row[xKey] as number, numberOf(row[metric]) as number]),
        ranges: members.map((row) => (isSummary(row[metric]) ? [row[metric].min, row[metric].max] : null)),
      }
    })
    return {
      id: chartId('lines', result.file, metric),
      kind: 'lines' as const,
      suite: result.file,
      title: `${result.name}: ${metric} by ${xKey}`,
      xLabel: xKey,
      yLabel: metric,
      series: series.filter((entry) => entry.points.length > 0),
    }
  })
}
