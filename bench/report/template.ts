/**
 * The report page: one self-contained HTML file (Chart.js inlined, data as JSON) that works opened from
 * file:// with no network. Tables are rendered here; charts are drawn in the page from the ChartSpecs.
 * For tests, the page sets `window.__charts = [{ id, kind, title, suite, series, points }]` once drawn.
 */
import type { ChartSpec } from './chart.js'
import { curveOf, describeMachineObject, isObject, isSummary, type ResultFile } from './data.js'

export interface ReportInput {
  results: ResultFile[]
  charts: ChartSpec[]
  /** The text of Chart.js's UMD build. */
  chartJs: string
  generated: string
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

/** Text placed inside a <script> element must not close it early. */
function scriptSafe(text: string): string {
  return text.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--')
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value)
  if (Number.isInteger(value) || Math.abs(value) >= 1000) return Math.round(value).toLocaleString('en-US')
  return String(Number(value.toPrecision(4)))
}

export function formatCell(value: unknown): string {
  if (value === undefined || value === null) return ''
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'string' || typeof value === 'boolean') return String(value)
  if (isSummary(value)) {
    const rounds = Array.isArray(value.rounds) ? `, ${value.rounds.length} rounds` : ''
    return `${formatNumber(value.median)} (${formatNumber(value.min)}–${formatNumber(value.max)}${rounds})`
  }
  const curve = curveOf(value)
  if (curve) {
    const last = curve[curve.length - 1]
    return `${curve.length} points (…, ${formatNumber(last[0])}: ${formatNumber(last[1])})`
  }
  const json = JSON.stringify(value)
  return json.length > 120 ? `${json.slice(0, 117)}…` : json
}

function renderTable(result: ResultFile): string {
  if (result.rows.length === 0) return '<p class="note">no rows</p>'
  const keys = [...new Set(result.rows.flatMap((row) => Object.keys(row)))]
  const head = keys.map((key) => `<th>${escapeHtml(key)}</th>`).join('')
  const body = result.rows
    .map((row) => `<tr>${keys.map((key) => `<td${typeof row[key] === 'number' || isSummary(row[key]) ? ' class="num"' : ''}>${escapeHtml(formatCell(row[key]))}</td>`).join('')}</tr>`)
    .join('\n')
  return `<div class="table"><table data-suite="${escapeHtml(result.file)}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`
}

function chartHeight(spec: ChartSpec): number {
  if (spec.kind !== 'bars') return 340
  const bars = spec.series[0].points.length * spec.series.length
  return Math.max(160, Math.min(1400, 70 + bars * 24))
}

function renderChart(spec: ChartSpec): string {
  return `<figure class="chart" data-kind="${spec.kind}"><figcaption>${escapeHtml(spec.title)}</figcaption>` +
    `<div class="canvas-box" style="height:${chartHeight(spec)}px"><canvas id="${escapeHtml(spec.id)}" data-kind="${spec.kind}"></canvas></div></figure>`
}

/** Suites in a reading order; others follow alphabetically. */
const ORDER = ['produce', 'consume', 'tcp', 'peers', 'e2e', 'scale', 'groups', 'rebalance', 'recovery']

function sortResults(results: ResultFile[]): ResultFile[] {
  const rank = (result: ResultFile) => {
    const index = ORDER.indexOf(result.name)
    return index === -1 ? ORDER.length : index
  }
  return [...results].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
}

function renderMachines(results: ResultFile[]): string {
  const machines = new Map<string, string[]>()
  for (const result of results) {
    if (!isObject(result.machine)) continue
    const text = describeMachineObject(result.machine)
    machines.set(text, [...(machines.get(text) ?? []), result.name])
  }
  if (machines.size === 0) return '<p class="machine">machine: unknown</p>'
  if (machines.size === 1) return `<p class="machine">machine: ${escapeHtml([...machines.keys()][0])}</p>`
  return `<ul class="machine">${[...machines].map(([text, names]) => `<li>${escapeHtml(text)} <span class="note">(${escapeHtml(names.join(', '))})</span></li>`).join('')}</ul>`
}

function renderDates(results: ResultFile[]): string {
  const dates = results.map((result) => result.date).filter((date) => date !== '').sort()
  if (dates.length === 0) return ''
  const span = dates[0] === dates[dates.length - 1] ? dates[0] : `${dates[0]} to ${dates[dates.length - 1]}`
  return `<p class="date">results dated ${escapeHtml(span)}</p>`
}

export function renderHtml(input: ReportInput): string {
  const results = sortResults(input.results)
  const sections = results
    .map((result) => {
      const charts = input.charts.filter((spec) => spec.suite === result.file)
      return `<section id="suite-${escapeHtml(result.file)}"><h2>${escapeHtml(result.name)}</h2>` +
        `<p class="note">${escapeHtml(result.date)} · ${result.rows.length} rows · ${escapeHtml(result.file)}.json</p>\n` +
        `${charts.map(renderChart).join('\n')}\n${renderTable(result)}</section>`
    })
    .join('\n')
  const toc = results.map((result) => `<a href="#suite-${escapeHtml(result.file)}">${escapeHtml(result.name)}</a>`).join(' · ')
  const data = JSON.stringify(input.charts).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>brook benchmarks</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 1.5rem auto; max-width: 1200px; padding: 0 1rem; color: #1d232a; }
h1 { margin-bottom: .2rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; }
.note { color: #6a737d; font-size: 12px; }
.machine, .date { margin: .2rem 0; }
figure.chart { margin: 1rem 0; } figcaption { font-weight: 600; margin-bottom: .3rem; }
.canvas-box { position: relative; width: 100%; }
.table { overflow-x: auto; } table { border-collapse: collapse; font-size: 12px; margin: .5rem 0; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left; vertical-align: top; } th { background: #f6f8fa; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.chart-error { color: #b00020; }
</style>
</head>
<body>
<h1>brook benchmarks</h1>
${renderMachines(results)}
${renderDates(results)}
<p class="note">generated ${escapeHtml(input.generated)} · bars show the median, hover for the range over rounds · ${toc}</p>
${results.length === 0 ? '<p>No results found: run <code>npm run bench</code> first.</p>' : ''}
${sections}
<script>${scriptSafe(input.chartJs)}</script>
<script type="application/json" id="chart-data">${data}</script>
<script>${scriptSafe(CLIENT)}</script>
</body>
</html>
`
}

/** The page's own script: turns ChartSpecs into Chart.js charts. Plain ES2020, no imports. */
const CLIENT = String.raw`
(function () {
  'use strict'
  var specs = JSON.parse(document.getElementById('chart-data').textContent)
  var palette = ['#2f6fdf', '#e8803a', '#2aa876', '#c2417a', '#8a63d2', '#b5a300', '#14a3b8', '#7a7a7a']
  var format = function (v) {
    if (typeof v !== 'number' || !isFinite(v)) return String(v)
    return Math.abs(v) >= 1000 || Number.isInteger(v) ? Math.round(v).toLocaleString('en-US') : String(Number(v.toPrecision(4)))
  }
  // Percentiles on a "nines" axis: x = 100 / (100 - p), so 90, 99, 99.9 are evenly spaced.
  // p100 (the maximum) has no finite place: it goes at the next nine above the highest percentile below 100.
  var ninesFor = function (spec) {
    var below = []
    spec.series.forEach(function (s) { s.points.forEach(function (p) { if (p[0] < 100) below.push(100 / (100 - p[0])) }) })
    var top = below.length > 0 ? Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, below)) + 1e-9)) : 1e6
    return function (p) { return p < 100 ? Math.min(100 / (100 - p), top) : top }
  }
  var percentileLabel = function (x) {
    var digits = Math.max(0, Math.round(Math.log10(x)) - 2)
    return (100 - 100 / x).toFixed(digits) + '%'
  }
  var powersOfTen = function (axis) {
    var ticks = []
    for (var v = 1; v <= axis.max * 1.0001; v *= 10) if (v >= axis.min / 1.0001) ticks.push({ value: v })
    if (ticks.length > 0) axis.ticks = ticks
  }
  var rangeText = function (series, index) {
    var range = series.ranges && series.ranges[index]
    return range && range[0] !== range[1] ? 'min ' + format(range[0]) + ', max ' + format(range[1]) : ''
  }
  var title = function (text) { return { display: text !== '', text: text } }
  var build = function (spec) {
    var common = { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: spec.series.length > 1 } } }
    if (spec.kind === 'bars') {
      return {
        type: 'bar',
        data: {
          labels: spec.series[0].points.map(function (p) { return p[0] }),
          datasets: spec.series.map(function (s, i) {
            return { label: s.label, data: s.points.map(function (p) { return p[1] }), backgroundColor: palette[i % palette.length] }
          }),
        },
        options: Object.assign(common, {
          indexAxis: 'y',
          scales: { x: { beginAtZero: true, title: title(spec.yLabel), ticks: { callback: function (v) { return format(v) } } }, y: { ticks: { autoSkip: false } } },
          plugins: Object.assign(common.plugins, {
            tooltip: { callbacks: {
              label: function (ctx) { return ctx.dataset.label + ': ' + format(ctx.parsed.x) },
              afterLabel: function (ctx) { return rangeText(spec.series[ctx.datasetIndex], ctx.dataIndex) },
            } },
          }),
        }),
      }
    }
    var curves = spec.kind === 'curves'
    var allY = [].concat.apply([], spec.series.map(function (s) { return s.points.map(function (p) { return p[1] }) }))
    var allX = [].concat.apply([], spec.series.map(function (s) { return s.points.map(function (p) { return p[0] }) }))
    var logY = spec.logY && allY.every(function (y) { return y > 0 }) && Math.max.apply(null, allY) / Math.min.apply(null, allY) > 20
    var nines = curves ? ninesFor(spec) : null
    var logX = !curves && allX.every(function (x) { return x > 0 }) && Math.max.apply(null, allX) / Math.min.apply(null, allX) >= 16
    return {
      type: 'line',
      data: {
        datasets: spec.series.map(function (s, i) {
          return {
            label: s.label,
            data: s.points.map(function (p) { return { x: curves ? nines(p[0]) : p[0], y: p[1], raw: p[0] } }),
            borderColor: palette[i % palette.length],
            backgroundColor: palette[i % palette.length],
            pointRadius: curves ? 0 : 3,
            borderWidth: 2,
            tension: 0,
          }
        }),
      },
      options: Object.assign(common, {
        parsing: { xAxisKey: 'x', yAxisKey: 'y' },
        scales: {
          x: curves
            ? { type: 'logarithmic', title: title(spec.xLabel), afterBuildTicks: powersOfTen, ticks: { callback: function (v) { return percentileLabel(v) } } }
            : {
                type: logX ? 'logarithmic' : 'linear',
                title: title(spec.xLabel),
                // On a log axis, ticks at the measured counts (1, 10, 100, 1000) rather than 1..9 of each decade.
                afterBuildTicks: logX ? function (axis) { axis.ticks = allX.filter(function (x, i) { return allX.indexOf(x) === i }).map(function (x) { return { value: x } }) } : undefined,
                ticks: { callback: function (v) { return format(v) } },
              },
          y: { type: logY ? 'logarithmic' : 'linear', beginAtZero: !logY, title: title(spec.yLabel), ticks: { callback: function (v) { return format(v) } } },
        },
        plugins: Object.assign(common.plugins, {
          tooltip: { callbacks: {
            title: function (items) { return items.length ? (curves ? 'p' + format(items[0].raw.raw) : spec.xLabel + ' ' + format(items[0].raw.raw)) : '' },
            label: function (ctx) { return ctx.dataset.label + ': ' + format(ctx.parsed.y) },
            afterLabel: function (ctx) { return rangeText(spec.series[ctx.datasetIndex], ctx.dataIndex) },
          } },
        }),
      }),
    }
  }
  var drawn = []
  var errors = []
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id)
    try {
      if (!canvas) throw new Error('no canvas')
      new Chart(canvas, build(spec))
      drawn.push({
        id: spec.id, kind: spec.kind, suite: spec.suite, title: spec.title,
        series: spec.series.map(function (s) { return { label: s.label, points: s.points } }),
        points: [].concat.apply([], spec.series.map(function (s) { return s.points })),
      })
    } catch (error) {
      errors.push({ id: spec.id, message: String(error && error.message || error) })
      console.error('chart ' + spec.id + ': ' + (error && error.message || error))
      if (canvas) canvas.parentNode.insertAdjacentHTML('beforebegin', '<p class="chart-error">chart failed: ' + String(error).replace(/</g, '&lt;') + '</p>')
    }
  })
  window.__charts = drawn
  window.__chartErrors = errors
})()
`
