/**
 * The bench report: synthetic result files in the shapes the suites write → writeReport → the page opened
 * from file:// in headless Chromium (Debian `chromium`, via playwright-core). Skips when Chromium is absent,
 * unless BROOK_REQUIRE_CHROMIUM=1. BROOK_CHROMIUM overrides the executable path.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import test from 'ava'
import { chartsFor, writeReport } from '../../bench/report/index.js'
import { loadResults } from '../../bench/report/data.js'

const CHROMIUM = process.env.BROOK_CHROMIUM ?? '/usr/bin/chromium'
const REQUIRE_CHROMIUM = process.env.BROOK_REQUIRE_CHROMIUM === '1'

const machine = { cpuModel: 'Test CPU 9000', cores: 8, memoryGiB: 32, node: 'v20.20.2', os: 'linux 6.1', disk: { path: '/tmp', freeGiB: 10, totalGiB: 100 } }
const summary = (median: number, min = median * 0.9, max = median * 1.1) => ({ median, min, max, rounds: [min, median, max] })

const produce = {
  machine,
  date: '2026-11-24T17:15:10.385Z',
  name: 'produce',
  rows: [
    { partitions: 1, acks: 1, valueBytes: 100, records: 1000000, recordsPerSecond: summary(1500000), mbPerSecond: 150 },
    { partitions: 1, acks: -1, valueBytes: 100, records: 1000000, recordsPerSecond: summary(1100000), mbPerSecond: 110 },
    { partitions: 6, acks: 1, valueBytes: 100, records: 1000000, recordsPerSecond: summary(1400000), mbPerSecond: 140 },
  ],
}
const tcp = {
  machine,
  date: '2026-11-24T19:56:07.868Z',
  name: 'tcp',
  rows: [
    { name: 'broker ingest, acks=1', records: 500000, valueBytes: 100, recordsPerSecond: summary(1000000), clientProcessCpuPercent: 20 },
    { name: 'kafkajs produce, acks=1', records: 500000, valueBytes: 100, recordsPerSecond: summary(40000), clientProcessCpuPercent: 90 },
  ],
}
const peers = {
  machine,
  date: '2026-11-24T20:30:00.000Z',
  name: 'peers',
  rows: [
    { name: 'produce acks=1', peerName: 'Redpanda', unit: 'records/s', brook: 900000, peer: 600000, ratio: 1.5, brookRounds: [900000] },
    { name: 'consume vs Kafka', peerName: 'Kafka', unit: 'records/s', brook: 1200000, peer: 1500000, ratio: 0.8 },
    { name: 'end-to-end p99', peerName: 'NATS JetStream', unit: 'ms', brook: 36, peer: 432 },
  ],
}
const curve = (scale: number): Array<[number, number]> => [
  [0, 0.5 * scale],
  [50, 1.9 * scale],
  [90, 4.5 * scale],
  [99, 8.3 * scale],
  [99.9, 12.3 * scale],
  [100, 13.3 * scale],
]
const e2e = {
  machine,
  date: '2026-11-24T20:06:46.231Z',
  name: 'e2e',
  rows: [
    { name: 'e2e at 1,000 records/s', ratePerSecond: 1000, p50Ms: summary(1.9), p99Ms: summary(8.3), deliveredPerSecond: summary(995), curve: curve(1) },
    { name: 'e2e at 10,000 records/s', ratePerSecond: 10000, p50Ms: summary(3.8), p99Ms: summary(16.6), deliveredPerSecond: summary(9950), curve: curve(2) },
  ],
}
const scale = {
  machine: { ...machine, cores: 16 },
  date: '2026-11-24T20:40:00.000Z',
  name: 'scale',
  rows: [
    { name: '1 partitions', partitions: 1, recordsPerSecond: summary(1000000), threads: 9, osThreads: summary(15, 15, 15), records: 10000, rssMiB: 120 },
    { name: '10 partitions', partitions: 10, recordsPerSecond: summary(1800000), threads: 11, osThreads: summary(15, 15, 15), records: 10000, rssMiB: 180 },
    { name: '100 partitions', partitions: 100, recordsPerSecond: summary(2100000), threads: 13, osThreads: summary(15, 15, 15), records: 10000, rssMiB: 400 },
  ],
}

function writeResults(): URL {
  const dir = mkdtempSync(join(tmpdir(), 'brook-report-'))
  for (const result of [produce, tcp, peers, e2e, scale]) writeFileSync(join(dir, `${result.name}.json`), JSON.stringify(result, null, 2))
  writeFileSync(join(dir, 'broken.json'), '{ "rows": [')
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ hello: 'not a result' }))
  return pathToFileURL(`${dir}/`)
}

const EXPECTED_IDS = [
  'bars-produce',
  'bars-tcp',
  'bars-peers-records-s',
  'bars-peers-ms',
  'bars-peers-ratio',
  'curves-e2e',
  'lines-scale-recordspersecond',
  'lines-scale-threads',
  'lines-scale-osthreads',
  'lines-scale-rssmib',
]

test('chart data is extracted per kind, skipping unreadable files', (t) => {
  const dir = writeResults()
  try {
    const results = loadResults(dir)
    t.deepEqual(results.map((result) => result.name).sort(), ['e2e', 'peers', 'produce', 'scale', 'tcp'])
    const charts = chartsFor(results)
    t.deepEqual(charts.map((chart) => chart.id).sort(), [...EXPECTED_IDS].sort())
    const byId = new Map(charts.map((chart) => [chart.id, chart]))
    t.deepEqual(byId.get('bars-produce')?.series[0].points, [
      ['partitions=1 acks=1', 1500000],
      ['partitions=1 acks=-1', 1100000],
      ['partitions=6 acks=1', 1400000],
    ])
    t.deepEqual(byId.get('bars-peers-ratio')?.series[0].points.map((point) => point[1]), [1.5, 0.8, 12])
    t.deepEqual(byId.get('curves-e2e')?.series.map((series) => series.label), ['e2e at 1,000 records/s', 'e2e at 10,000 records/s'])
    t.deepEqual(byId.get('lines-scale-threads')?.series[0].points, [[1, 9], [10, 11], [100, 13]])
    // Nothing at all: an empty report, not an error.
    t.deepEqual(chartsFor(loadResults(new URL('file:///nonexistent-brook-results/'))), [])
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

const haveChromium = existsSync(CHROMIUM)
if (!haveChromium && !REQUIRE_CHROMIUM) console.warn(`report.test.ts: skipping the browser test: no Chromium at ${CHROMIUM} (apt-get install chromium)`)
const browserTest = haveChromium || REQUIRE_CHROMIUM ? test : test.skip

interface ChartDump {
  id: string
  kind: string
  labels: unknown[]
  datasets: Array<{ label: string; data: unknown[] }>
  width: number
  height: number
  painted: boolean
}

browserTest('the report renders its charts in headless Chromium with the data', async (t) => {
  t.timeout(30_000)
  if (!haveChromium) {
    t.fail(`BROOK_REQUIRE_CHROMIUM=1 but there is no Chromium at ${CHROMIUM}`)
    return
  }
  const dir = writeResults()
  const { chromium } = await import('playwright-core')
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] })
  try {
    const report = await writeReport(dir)
    t.is(report.href, new URL('report.html', dir).href)
    const html = readFileSync(report, 'utf8')
    t.false(/<script[^>]+src=|https?:\/\/cdn/i.test(html), 'no external scripts')

    const page = await browser.newPage()
    const errors: string[] = []
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`))
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`)
    })
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) errors.push(`network request: ${request.url()}`)
    })
    await page.goto(report.href)
    // The page's globals (no DOM types in this project): `window` and `document` reached through globalThis.
    await page.waitForFunction(() => Array.isArray((globalThis as any).__charts))

    const exposed: Array<{ id: string; kind: string; points: unknown[] }> = await page.evaluate(() => (globalThis as any).__charts)
    t.deepEqual(exposed.map((chart) => chart.id).sort(), [...EXPECTED_IDS].sort())
    for (const chart of exposed) t.true(chart.points.length > 0, `${chart.id} holds points`)

    const dumps: ChartDump[] = await page.evaluate(() => {
      const page = globalThis as any
      const Chart = page.Chart
      return [...page.document.querySelectorAll('canvas')].map((canvas: any) => {
        const chart = Chart.getChart(canvas)
        const context = canvas.getContext('2d')
        const pixels = context ? context.getImageData(0, 0, canvas.width, canvas.height).data : new Uint8ClampedArray()
        let painted = false
        for (let i = 3; i < pixels.length; i += 4 * 7) if (pixels[i] !== 0) { painted = true; break }
        return {
          id: canvas.id,
          kind: canvas.dataset.kind ?? '',
          labels: chart ? [...chart.data.labels ?? []] : [],
          datasets: chart ? chart.data.datasets.map((dataset: any) => ({ label: dataset.label, data: [...dataset.data] })) : [],
          width: canvas.width,
          height: canvas.height,
          painted,
        }
      })
    })
    t.deepEqual(dumps.map((dump) => dump.id).sort(), [...EXPECTED_IDS].sort())
    const byId = new Map(dumps.map((dump) => [dump.id, dump]))
    for (const dump of dumps) {
      t.true(dump.datasets.length > 0, `${dump.id} is a Chart.js chart with datasets`)
      t.true(dump.width > 0 && dump.height > 0 && dump.painted, `${dump.id} is drawn`)
    }

    const produceBars = byId.get('bars-produce')!
    t.deepEqual(produceBars.labels, ['partitions=1 acks=1', 'partitions=1 acks=-1', 'partitions=6 acks=1'])
    t.deepEqual(produceBars.datasets[0].data, [1500000, 1100000, 1400000])
    t.deepEqual(byId.get('bars-tcp')!.datasets[0].data, [1000000, 40000])
    t.deepEqual(byId.get('bars-tcp')!.labels, ['broker ingest, acks=1', 'kafkajs produce, acks=1'])

    const peerBars = byId.get('bars-peers-records-s')!
    t.deepEqual(peerBars.labels, ['produce acks=1 (vs Redpanda)', 'consume vs Kafka'])
    t.deepEqual(peerBars.datasets.map((dataset) => [dataset.label, dataset.data]), [
      ['brook', [900000, 1200000]],
      ['peer', [600000, 1500000]],
    ])
    t.deepEqual(byId.get('bars-peers-ms')!.datasets.map((dataset) => dataset.data), [[36], [432]])
    t.deepEqual(byId.get('bars-peers-ratio')!.datasets[0].data, [1.5, 0.8, 12])

    const curves = byId.get('curves-e2e')!
    t.deepEqual(curves.datasets.map((dataset) => dataset.label), ['e2e at 1,000 records/s', 'e2e at 10,000 records/s'])
    for (const [index, dataset] of curves.datasets.entries()) {
      const points = dataset.data as Array<{ y: number; raw: number }>
      t.deepEqual(points.map((point) => [point.raw, point.y]), curve(index + 1))
    }

    const lines = (id: string) => (byId.get(id)!.datasets[0].data as Array<{ x: number; y: number }>).map((point) => [point.x, point.y])
    t.deepEqual(lines('lines-scale-recordspersecond'), [[1, 1000000], [10, 1800000], [100, 2100000]])
    t.deepEqual(lines('lines-scale-threads'), [[1, 9], [10, 11], [100, 13]])
    t.deepEqual(lines('lines-scale-osthreads'), [[1, 15], [10, 15], [100, 15]], 'flat measurements are drawn too')
    t.deepEqual(lines('lines-scale-rssmib'), [[1, 120], [10, 180], [100, 400]])

    // The header and a table of every row.
    const text: string = await page.evaluate(() => (globalThis as any).document.body.innerText)
    t.regex(text, /Test CPU 9000 × 8 cores/)
    t.regex(text, /Test CPU 9000 × 16 cores/, 'a second machine is listed too')
    t.regex(text, /2026-11-24T17:15:10\.385Z to 2026-11-24T20:40:00\.000Z/)
    const rowCounts = await page.evaluate(() =>
      Object.fromEntries(
        [...(globalThis as any).document.querySelectorAll('table')].map((table: any) => [table.dataset.suite, table.querySelectorAll('tbody tr').length]),
      ),
    )
    t.deepEqual(rowCounts, { produce: 3, tcp: 2, peers: 3, e2e: 2, scale: 3 })

    t.deepEqual(errors, [])
  } finally {
    await browser.close()
    rmSync(new URL('.', dir), { recursive: true, force: true })
  }
})
