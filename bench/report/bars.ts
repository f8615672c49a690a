/**
 * Bar charts: the throughput rows of produce, consume, tcp (and any other result with a `...PerSecond`
 * figure), and the peers comparison (brook against each peer, and the ratios).
 */
import { chartId, type ChartSpec, type Series } from './chart.js'
import { isThroughputKey, numberOf, rangeOf, rowLabels, throughputKey, type ResultFile, type Row } from './data.js'

/** Results with a chart kind of their own. */
export const NOT_BARS = new Set(['peers', 'e2e', 'scale'])

export function throughputBars(result: ResultFile): ChartSpec | undefined {
  if (NOT_BARS.has(result.name)) return undefined
  const rows = result.rows.filter((row) => throughputKey(row) !== undefined)
  if (rows.length === 0) return undefined
  const keys = rows.map((row) => throughputKey(row) as string)
  const labels = rowLabels(rows, (key) => isThroughputKey(key) || /bytes?PerSecond|mbPerS/i.test(key) || /cpu/i.test(key))
  const series: Series = {
    label: 'median',
    points: rows.map((row, index) => [labels[index], numberOf(row[keys[index]]) as number]),
    ranges: rows.map((row, index) => rangeOf(row[keys[index]]) ?? null),
  }
  const yLabel = [...new Set(keys)].join(' / ')
  return { id: chartId('bars', result.file), kind: 'bars', suite: result.file, title: `${result.name}: ${yLabel}`, xLabel: '', yLabel, series: [series] }
}

interface PeerRow {
  label: string
  unit: string
  brook: number
  peer: number
  ratio: number
  brookRange: [number, number] | null
  peerRange: [number, number] | null
}

/** `[min, max]` of a `...Rounds` array of numbers. */
function roundsRange(value: unknown): [number, number] | undefined {
  if (!Array.isArray(value) || value.length === 0 || !value.every((entry) => typeof entry === 'number')) return undefined
  return [Math.min(...value), Math.max(...value)]
}

/** Units where less is better (latencies), for a ratio the suite did not write. */
const LOWER_IS_BETTER = /^(ms|s|us|µs|ns|seconds?|milliseconds?)$|latency/i

function peerRows(result: ResultFile): PeerRow[] {
  const rows = result.rows.filter((row) => numberOf(row.brook) !== undefined && numberOf(row.peer) !== undefined)
  const labels = rowLabels(rows, (key) => ['brook', 'peer', 'ratio', 'peerName'].includes(key))
  return rows.map((row: Row, index) => {
    const brook = numberOf(row.brook) as number
    const peer = numberOf(row.peer) as number
    const unit = typeof row.unit === 'string' ? row.unit : 'throughput'
    const peerName = typeof row.peerName === 'string' ? row.peerName : 'peer'
    const named = labels[index].toLowerCase().includes(peerName.split(/\s+/)[0].toLowerCase())
    const computed = LOWER_IS_BETTER.test(unit) ? brook / peer : peer / brook
    return {
      label: named ? labels[index] : `${labels[index]} (vs ${peerName})`,
      unit,
      brook,
      peer,
      ratio: numberOf(row.ratio) ?? (Number.isFinite(1 / computed) ? 1 / computed : 0),
      brookRange: roundsRange(row.brookRounds) ?? rangeOf(row.brook) ?? null,
      peerRange: roundsRange(row.peerRounds) ?? rangeOf(row.peer) ?? null,
    }
  })
}

/**
 * From the peers result: brook and the peer side by side, one chart per unit (records/s, ms...), and the
 * ratios (the suite's `ratio`: how many times better brook is; computed when absent).
 */
export function peersBars(result: ResultFile): ChartSpec[] {
  if (result.name !== 'peers') return []
  const rows = peerRows(result)
  if (rows.length === 0) return []
  const units = [...new Set(rows.map((row) => row.unit))]
  const sideBySide = units.map((unit): ChartSpec => {
    const members = rows.filter((row) => row.unit === unit)
    return {
      id: chartId('bars', result.file, unit === 'throughput' ? 'throughput' : unit),
      kind: 'bars',
      suite: result.file,
      title: `${result.name}: brook against the peer (${unit}${LOWER_IS_BETTER.test(unit) ? ', lower is better' : ''})`,
      xLabel: '',
      yLabel: unit,
      series: [
        { label: 'brook', points: members.map((row) => [row.label, row.brook]), ranges: members.map((row) => row.brookRange) },
        { label: 'peer', points: members.map((row) => [row.label, row.peer]), ranges: members.map((row) => row.peerRange) },
      ],
    }
  })
  return [
    ...sideBySide,
    {
      id: chartId('bars', result.file, 'ratio'),
      kind: 'bars',
      suite: result.file,
      title: `${result.name}: how many times better brook is (above 1: brook wins)`,
      xLabel: '',
      yLabel: 'ratio',
      series: [{ label: 'ratio', points: rows.map((row) => [row.label, row.ratio]) }],
    },
  ]
}
