/** The live progress bar of `brook loadtest` (cli-progress, on stderr). */
import cliProgress from 'cli-progress'
import type { LoadTestProgress } from './harness.js'

export function progressBar(): { update: (progress: LoadTestProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar({
    format: '{bar} {phase} {elapsed}/{total_s} | produce {produce}/s | consume {consume}/s | lag {lag} | p99 {p99} ms',
    hideCursor: true,
    clearOnComplete: false,
    stream: process.stderr,
  }, cliProgress.Presets.shades_classic)
  let started = false
  return {
    update: (p) => {
      const total = p.totalMs !== undefined ? p.totalMs / 1000 : p.totalMessages ?? 1
      const value = p.totalMs !== undefined ? Math.min(total, p.elapsedMs / 1000) : Math.min(total, p.acked)
      const payload = {
        phase: p.phase, elapsed: `${(p.elapsedMs / 1000).toFixed(1)}s`,
        total_s: p.totalMs !== undefined ? `${total}s` : `${p.acked}/${total} rec`,
        produce: Math.round(p.produceRate), consume: Math.round(p.consumeRate), lag: p.lag, p99: p.p99Ms.toFixed(1),
      }
      if (!started) { bar.start(total, value, payload); started = true } else bar.update(value, payload)
    },
    stop: () => { if (started) bar.stop() },
  }
}
