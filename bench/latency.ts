/**
 * Latency histograms (HdrHistogram, microsecond resolution, 3 significant digits) and the figures
 * the suites report from them, in milliseconds.
 */
import { build, type Histogram } from 'hdr-histogram-js'

export type { Histogram }

export function latencyHistogram(): Histogram {
  // autoResize: a stalled run must still record its worst latencies rather than throw.
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3, autoResize: true })
}

/** Records one latency given in milliseconds (stored as whole microseconds, at least 1). */
export function recordMs(histogram: Histogram, ms: number): void {
  histogram.recordValue(Math.max(1, Math.round(ms * 1000)))
}

export interface LatencyFigures {
  p50Ms: number
  p99Ms: number
  p999Ms: number
  maxMs: number
}

export function latencyFigures(histogram: Histogram): LatencyFigures {
  const ms = (percentile: number) => histogram.getValueAtPercentile(percentile) / 1000
  return { p50Ms: ms(50), p99Ms: ms(99), p999Ms: ms(99.9), maxMs: histogram.maxValue / 1000 }
}

/**
 * The percentile curve as [percentile, latencyMs] points, spaced like HdrHistogram's own output
 * (halving the distance to 100 % at each step) so the tail gets as many points as the body, up to
 * the last percentile the sample count can resolve, then the max.
 */
export function percentileCurve(histogram: Histogram, stepsPerHalving = 2): Array<[number, number]> {
  const points: Array<[number, number]> = []
  const deepest = 1 - 1 / Math.max(1, histogram.totalCount)
  for (let step = 0; ; step++) {
    const fraction = 1 - 0.5 ** (step / stepsPerHalving)
    if (fraction > deepest) break
    points.push([fraction * 100, histogram.getValueAtPercentile(fraction * 100) / 1000])
  }
  points.push([100, histogram.maxValue / 1000])
  return points
}
