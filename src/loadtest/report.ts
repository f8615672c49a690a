/** The end report as terminal text (the JSON form is the LoadTestReport itself). */
import type { LoadTestReport } from './harness.js'

export function formatReport(report: LoadTestReport): string {
  const v = report.verification
  const l = report.latency
  const row = (name: string, value: string | number): string => `  ${name.padEnd(28)} ${value}`
  const lines = [
    `brook loadtest — ${report.config.mode} broker, topic ${report.config.topic}: ${report.ok ? 'PASS' : 'FAIL'}`,
    row('duration', `${(report.durationMs / 1000).toFixed(1)} s (producing ${report.produceSeconds.toFixed(1)} s)`),
    row('produced (acked / in doubt)', `${report.produced.acked} / ${report.produced.inDoubt}`),
    row('produce throughput', `${report.produced.recordsPerSec} rec/s, ${report.produced.mbPerSec} MB/s`),
    row('consumed (deliveries)', `${report.consumed.deliveries} (${report.consumed.recordsPerSec} rec/s)`),
    '',
    `  ${'latency ms'.padEnd(14)} ${['p50', 'p90', 'p99', 'p99.9', 'max'].map((h) => h.padStart(9)).join('')}`,
    ...([['produce→ack', l.produceAck], ['end-to-end', l.endToEnd]] as const).map(([name, s]) =>
      `  ${name.padEnd(14)} ${[s.p50Ms, s.p90Ms, s.p99Ms, s.p999Ms, s.maxMs].map((x) => x.toFixed(1).padStart(9)).join('')}`),
    '',
    `  ${'group'.padEnd(34)} ${['expected', 'seen', 'lost', 'reordered', 'dups', 'unacked', 'mismatch'].map((h) => h.padStart(10)).join('')}`,
    ...v.groups.map((g) => `  ${g.group.padEnd(34)} ${[g.expected, g.seenDistinct, g.lost, g.reordered, g.duplicates, g.seenNeverAcked, g.mismatched].map((x) => String(x).padStart(10)).join('')}`),
    '',
    row('producer order violations', v.producerOrderViolations),
    row('drained', report.drained ? 'yes' : 'no (drain timeout)'),
    row('RSS MiB (this process)', `start ${report.memory.startMiB}, peak ${report.memory.peakMiB}, end ${report.memory.endMiB}`),
  ]
  if (report.chaos.length > 0) {
    const kills = report.chaos.filter((e) => e.kind === 'broker-kill').length
    lines.push(row('chaos events', `${report.chaos.length} (${report.chaos.length - kills} consumer restarts, ${kills} broker kills)`))
  }
  for (const error of report.errors.slice(0, 5)) lines.push(row('error', error))
  return lines.join('\n')
}
