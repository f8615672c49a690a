/**
 * Reading `bench/results/<suite>.json` and picking fields generically: a row's `name`, numbers, and Summary
 * objects `{ median, min, max, rounds }`. Files that are missing, unreadable or of another shape are skipped.
 */
import { readdirSync, readFileSync } from 'node:fs'

export type Row = Record<string, unknown>

export interface ResultFile {
  /** The file name without `.json`. */
  file: string
  name: string
  date: string
  machine: unknown
  rows: Row[]
}

export interface SummaryLike {
  median: number
  min: number
  max: number
  rounds: number[]
}

/** Every `*.json` in the directory holding `{ name?, date?, machine?, rows: [...] }`, sorted by name. */
export function loadResults(resultsDir: URL): ResultFile[] {
  let entries: string[]
  try {
    entries = readdirSync(resultsDir)
  } catch {
    return []
  }
  const results: ResultFile[] = []
  for (const entry of entries.filter((entry) => entry.endsWith('.json')).sort()) {
    let parsed: unknown
    try {
      parsed = JSON.parse(readFileSync(new URL(entry, resultsDir), 'utf8'))
    } catch {
      continue
    }
    if (!isObject(parsed) || !Array.isArray(parsed.rows)) continue
    const file = entry.slice(0, -'.json'.length)
    results.push({
      file,
      name: typeof parsed.name === 'string' ? parsed.name : file,
      date: typeof parsed.date === 'string' ? parsed.date : '',
      machine: parsed.machine,
      rows: parsed.rows.filter(isObject),
    })
  }
  return results
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function isSummary(value: unknown): value is SummaryLike {
  return isObject(value) && typeof value.median === 'number' && typeof value.min === 'number' && typeof value.max === 'number'
}

/** A number, or the median of a Summary; otherwise undefined. */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (isSummary(value) && Number.isFinite(value.median)) return value.median
  return undefined
}

/** `[low, high]` of a Summary, or `[n, n]` of a number. */
export function rangeOf(value: unknown): [number, number] | undefined {
  if (isSummary(value)) return [value.min, value.max]
  const n = numberOf(value)
  return n === undefined ? undefined : [n, n]
}

/** Keys whose values look like throughput: `...PerSecond`, `...PerSec`, `throughput...`. */
export function isThroughputKey(key: string): boolean {
  return /per_?sec(ond)?$/i.test(key) || /^throughput/i.test(key) || /(msgs|records|messages)PerS$/i.test(key)
}

/** The first field of a row that is a throughput (Summary preferred over a plain number). */
export function throughputKey(row: Row): string | undefined {
  const keys = Object.keys(row).filter(isThroughputKey)
  return keys.find((key) => isSummary(row[key])) ?? keys.find((key) => numberOf(row[key]) !== undefined)
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}

/**
 * Labels for the rows of one file: a row's `name` if it has one, else its scalar fields that differ between
 * rows (`partitions=6 acks=-1`), else its position.
 */
export function rowLabels(rows: Row[], skip: (key: string) => boolean = () => false): string[] {
  const keys = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((key) => key !== 'name' && !skip(key))
  const varying = keys.filter((key) => {
    const values = rows.map((row) => row[key])
    return values.every((value) => value === undefined || isScalar(value)) && new Set(values.map(String)).size > 1
  })
  return rows.map((row, index) => {
    if (typeof row.name === 'string' && row.name !== '') return row.name
    const parts = varying.filter((key) => isScalar(row[key])).map((key) => `${key}=${String(row[key])}`)
    return parts.length > 0 ? parts.join(' ') : `row ${index + 1}`
  })
}

/** A field holding a curve: an array of `[x, y]` number pairs (or `{ percentile, latencyMs }`-like objects). */
export function curveOf(value: unknown): Array<[number, number]> | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined
  const points: Array<[number, number]> = []
  for (const point of value) {
    if (Array.isArray(point) && point.length >= 2 && typeof point[0] === 'number' && typeof point[1] === 'number') {
      points.push([point[0], point[1]])
    } else if (isObject(point)) {
      const numbers = Object.values(point).filter((entry): entry is number => typeof entry === 'number')
      if (numbers.length < 2) return undefined
      points.push([numbers[0], numbers[1]])
    } else {
      return undefined
    }
  }
  return points
}

/** A short human description of a machine object as the bench writes it. */
export function describeMachineObject(machine: unknown): string {
  if (!isObject(machine)) return 'unknown machine'
  const parts: string[] = []
  if (typeof machine.cpuModel === 'string') parts.push(`${machine.cpuModel}${typeof machine.cores === 'number' ? ` × ${machine.cores} cores` : ''}`)
  if (typeof machine.memoryGiB === 'number') parts.push(`${machine.memoryGiB} GiB RAM`)
  if (typeof machine.node === 'string') parts.push(`Node ${machine.node}`)
  if (typeof machine.os === 'string') parts.push(machine.os)
  const disk = machine.disk
  if (isObject(disk) && typeof disk.path === 'string') parts.push(`disk ${disk.path} (${String(disk.freeGiB)} of ${String(disk.totalGiB)} GiB free)`)
  return parts.length > 0 ? parts.join(', ') : JSON.stringify(machine)
}
