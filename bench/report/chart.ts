/** What each chart module extracts: plain data, drawn in the page by Chart.js (see template.ts). */
export type ChartKind = 'bars' | 'curves' | 'lines'

export interface Series {
  label: string
  /** `[category, value]` for bars, `[x, y]` for curves and lines. */
  points: Array<[string | number, number]>
  /** `[min, max]` per point, when the value is the median of several rounds. */
  ranges?: Array<[number, number] | null>
}

export interface ChartSpec {
  id: string
  kind: ChartKind
  /** The result file it comes from. */
  suite: string
  title: string
  xLabel: string
  yLabel: string
  series: Series[]
  /** Curves: x is a percentile drawn on a "nines" axis. Lines and bars: ignored. */
  logY?: boolean
}

/** An id usable in HTML: lowercase letters, digits, dashes. */
export function chartId(...parts: string[]): string {
  return parts
    .join('-')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
}
