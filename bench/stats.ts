/** Medians and ranges over benchmark rounds. */
export interface Summary {
  median: number
  min: number
  max: number
  rounds: number[]
}

export function summarize(rounds: number[]): Summary {
  const sorted = [...rounds].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  const median = sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
  return { median, min: sorted[0], max: sorted[sorted.length - 1], rounds }
}

export function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

export function formatSummary(summary: Summary, unit: string, digits = 0): string {
  const show = (value: number) => (digits === 0 ? formatRate(value) : value.toFixed(digits))
  return `${show(summary.median)} ${unit} (min ${show(summary.min)}, max ${show(summary.max)}, ${summary.rounds.length} rounds)`
}
