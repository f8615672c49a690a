/**
 * The long fuzz run (reliability.md C3 B1 and B2): the properties `npm test` runs a few thousand
 * times, here 200,000 times each by default.
 *
 *   npm run fuzz                              every target, 200,000 inputs each
 *   npm run fuzz -- --runs 1000000 --seed 42 --target batch,random
 *   npm run fuzz -- --self-test              negative control: a planted infinite loop must be caught
 *
 * Targets: frames (split invariance and memory of the frame reader), header (request headers and
 * ApiVersions bodies), reader (Reader primitives), batch (valid and mutated record batches),
 * random (random bytes into the record decoder).
 *
 * Each target runs in a worker thread. Before each input the worker copies it into a
 * SharedArrayBuffer and bumps an Atomics counter; the main thread terminates a worker whose
 * counter stalls for more than 1 s (a synchronous infinite loop cannot be interrupted in its own
 * thread), saves the input as a reproducer and counts a hang. Prints one figure line per target
 * and exits non-zero on any crash, hang, blow-up or wrong result. Reproducers go to $FUZZ_OUT
 * (default: the OS temp directory).
 */
import { writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import fc from 'fast-check'
import { figure, outcomeLine, type FuzzOptions, type FuzzReport } from '../test/helpers/fuzz-common.js'
import { frameReports, framesProperty, headerProperty, readerProperty } from '../test/helpers/fuzz-frames.js'
import { batchProperty, batchReports, randomProperty } from '../test/helpers/fuzz-record-batch.js'

const TARGETS = ['frames', 'header', 'reader', 'batch', 'random'] as const
type Target = (typeof TARGETS)[number]

/** Longest input kept for a reproducer (larger ones are cut, which the file name says). */
const MAX_KEPT_INPUT = 4 * 1024 * 1024
const STALL_MS = 1000
const PROGRESS_EVERY = 20_000

interface Job {
  entry: string
  target: Target
  runs: number
  seed: number
  /** [0] inputs started, [1] length of the current input; the input's bytes follow (from byte 8). */
  shared: SharedArrayBuffer
  /** Negative control: spin forever on this input (the watchdog must catch it). */
  plantHangAt?: number
}

interface Result {
  report: FuzzReport
  failure: string | null
}

// ---------------------------------------------------------------------------------------------
// Worker side: run one target's property.

async function runTarget(job: Job): Promise<Result> {
  const counters = new Int32Array(job.shared, 0, 2)
  const bytes = new Uint8Array(job.shared, 8)
  const options: FuzzOptions = {
    numRuns: job.runs,
    seed: job.seed,
    onInput: (input) => {
      const kept = Math.min(input.length, bytes.length)
      bytes.set(input.subarray(0, kept))
      Atomics.store(counters, 1, input.length)
      const started = Atomics.add(counters, 0, 1) + 1
      if (started % PROGRESS_EVERY === 0) parentPort!.postMessage({ progress: started })
      if (started === job.plantHangAt) for (;;);
    },
  }
  const frames = frameReports(job.seed)
  const batches = batchReports(job.seed)
  const params = { seed: job.seed, numRuns: job.runs, includeErrorInReport: true }
  let report: FuzzReport
  try {
    switch (job.target) {
      case 'frames':
        report = frames.frames
        fc.assert(framesProperty(report, options), params)
        break
      case 'header':
        report = frames.header
        await fc.assert(headerProperty(report, options), params)
        break
      case 'reader':
        report = frames.reader
        fc.assert(readerProperty(report, options), params)
        break
      case 'batch':
        report = batches.mutated
        fc.assert(batchProperty(report, options), params)
        break
      case 'random':
        report = batches.random
        fc.assert(randomProperty(report, options), params)
        break
    }
    return { report, failure: null }
  } catch (error) {
    const reportOf: Record<Target, FuzzReport> = { frames: frames.frames, header: frames.header, reader: frames.reader, batch: batches.mutated, random: batches.random }
    const failed = reportOf[job.target]
    // A failure fast-check did not classify (an assertion inside the property) is a crash too.
    if (failed.crashes + failed.hangs + failed.blowUps === 0) failed.crashes++
    return { report: failed, failure: (error as Error).message }
  }
}

if (!isMainThread && (workerData as Job | undefined)?.target) {
  const result = await runTarget(workerData as Job)
  parentPort!.postMessage({ result })
}

// ---------------------------------------------------------------------------------------------
// Main side: one worker per target, watched.

function parseArgs(argv: string[]): { runs: number; seed: number; targets: Target[]; selfTest: boolean } {
  let selfTest = false
  let runs = 200_000
  let seed = Date.now() % 0x7fffffff
  let targets: Target[] = [...TARGETS]
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const value = argv[i + 1]
    if (arg === '--runs' && value) {
      runs = Number(value)
      i++
    } else if (arg === '--seed' && value) {
      seed = Number(value)
      i++
    } else if (arg === '--target' && value) {
      targets = value.split(',').map((name) => {
        if (!(TARGETS as readonly string[]).includes(name)) throw new Error(`unknown target ${name}; one of ${TARGETS.join(', ')}`)
        return name as Target
      })
      i++
    } else if (arg === '--self-test') {
      selfTest = true
    } else if (arg === '--help' || arg === '-h') {
      console.log('usage: npm run fuzz -- [--runs N] [--seed S] [--target frames,header,reader,batch,random] [--self-test]')
      process.exit(0)
    } else {
      throw new Error(`unknown argument ${arg}`)
    }
  }
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${runs}`)
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer, got ${seed}`)
  return { runs, seed, targets, selfTest }
}

function startWorker(job: Omit<Job, 'entry'>): Worker {
  const entry = import.meta.url
  if (!entry.endsWith('.ts')) return new Worker(new URL(entry), { workerData: { ...job, entry } })
  // Node 20 cannot start a .ts worker: the repo's bootstrap registers tsx in the thread first.
  const bootstrap = new URL('../workers/tsx-bootstrap.mjs', import.meta.url)
  return new Worker(bootstrap, { workerData: { ...job, entry } })
}

async function watch(target: Target, runs: number, seed: number, plantHangAt?: number): Promise<Result & { hang: boolean; reproducer: string | null; seconds: number }> {
  const shared = new SharedArrayBuffer(8 + MAX_KEPT_INPUT)
  const counters = new Int32Array(shared, 0, 2)
  const worker = startWorker({ target, runs, seed, shared, plantHangAt })
  const started = performance.now()
  return new Promise((resolve) => {
    let lastCount = -1
    let lastChange = performance.now()
    let settled = false
    const finish = (value: Result & { hang: boolean; reproducer: string | null }) => {
      if (settled) return
      settled = true
      clearInterval(timer)
      resolve({ ...value, seconds: (performance.now() - started) / 1000 })
    }
    const timer = setInterval(() => {
      const count = Atomics.load(counters, 0)
      if (count !== lastCount) {
        lastCount = count
        lastChange = performance.now()
        return
      }
      if (performance.now() - lastChange < STALL_MS || count === 0) return
      // Stalled: the input in the shared buffer is the one it is stuck on.
      const length = Atomics.load(counters, 1)
      const kept = Buffer.from(new Uint8Array(shared, 8, Math.min(length, MAX_KEPT_INPUT)))
      const reproducer = join(process.env.FUZZ_OUT ?? tmpdir(), `fuzz-hang-${target}-seed${seed}-input${count}${kept.length < length ? '-cut' : ''}.bin`)
      writeFileSync(reproducer, kept)
      void worker.terminate()
      const report: FuzzReport = { name: target, seed, runs: count, crashes: 0, hangs: 1, blowUps: 0, maxMs: STALL_MS, maxWallMs: performance.now() - lastChange, outcomes: {} }
      finish({ report, failure: `input ${count} ran for more than ${STALL_MS} ms`, hang: true, reproducer })
    }, 250)
    worker.on('message', (message: { progress?: number; result?: Result }) => {
      if (message.progress !== undefined) console.error(`  ${target}: ${message.progress}/${runs} inputs (${((performance.now() - started) / 1000).toFixed(0)} s)`)
      if (message.result) finish({ ...message.result, hang: false, reproducer: null })
    })
    worker.on('error', (error) => {
      const report: FuzzReport = { name: target, seed, runs: Atomics.load(counters, 0), crashes: 1, hangs: 0, blowUps: 0, maxMs: 0, maxWallMs: 0, outcomes: {} }
      finish({ report, failure: `the worker died: ${error.stack ?? String(error)}`, hang: false, reproducer: null })
    })
    worker.on('exit', (code) => {
      // A result posted just before the exit is delivered first; give it that turn.
      setImmediate(() => {
        const report: FuzzReport = { name: target, seed, runs: Atomics.load(counters, 0), crashes: 1, hangs: 0, blowUps: 0, maxMs: 0, maxWallMs: 0, outcomes: {} }
        finish({ report, failure: `the worker exited (code ${code}) without a result`, hang: false, reproducer: null })
      })
    })
  })
}

if (isMainThread) {
  const { runs, seed, targets, selfTest } = parseArgs(process.argv.slice(2))
  if (selfTest) {
    const result = await watch('random', 1000, seed, 100)
    const caught = result.hang && result.report.runs === 100 && result.reproducer !== null
    console.log(`self-test: a planted infinite loop at input 100 was ${caught ? `caught after ${result.seconds.toFixed(1)} s, reproducer ${result.reproducer}` : 'NOT caught'}`)
    process.exit(caught ? 0 : 1)
  }
  console.log(`fuzz: ${targets.join(', ')}; ${runs} inputs each; seed ${seed} (replay with --seed ${seed})`)
  let failed = 0
  let total = 0
  for (const target of targets) {
    const result = await watch(target, runs, seed)
    total += result.report.runs
    console.log(`FIGURE ${figure(result.report, target === 'frames' ? 'push' : target === 'header' || target === 'reader' ? 'parse' : 'decode')} [${result.seconds.toFixed(1)} s]`)
    if (Object.keys(result.report.outcomes).length > 0) console.log(`  ${outcomeLine(result.report)}`)
    if (result.failure !== null) {
      failed++
      console.log(`  FAILED: ${result.failure}`)
      if (result.reproducer) console.log(`  reproducer saved: ${result.reproducer}`)
    }
  }
  console.log(`fuzz: ${total} inputs over ${targets.length} targets (seed ${seed}), ${failed === 0 ? 'all properties held' : `${failed} target(s) failed`}`)
  process.exitCode = failed === 0 ? 0 : 1
}
