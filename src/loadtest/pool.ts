/**
 * The tinypool pool the load test runs its producers and consumers on. Compiled dist/ loads
 * workers/loadtest-worker.js directly. From TypeScript sources (tests, `npm run loadtest`) a
 * worker cannot import a .ts file by itself; tinypool nests its own data into workerData, so the
 * piscina shim (src/compression/piscina-tsx-entry.mjs) does not fit, and `--import tsx` in a
 * worker's execArgv is ignored: instead the task file is a small data: module that registers tsx
 * in the thread, imports the .ts task file and re-exports its handler.
 */
import { Tinypool } from 'tinypool'
import { fileURLToPath } from 'node:url'

const runningFromSource = import.meta.url.endsWith('.ts')

export function loadTestPool(threads: number): Tinypool {
  const file = runningFromSource
    ? { filename: tsxShim(new URL('../../workers/loadtest-worker.ts', import.meta.url).href) }
    : { filename: fileURLToPath(new URL('../../workers/loadtest-worker.js', import.meta.url)) }
  return new Tinypool({ ...file, minThreads: 0, maxThreads: threads, idleTimeout: 1_000, concurrentTasksPerWorker: 1, isolateWorkers: false })
}

function tsxShim(entry: string): string {
  const api = import.meta.resolve('tsx/esm/api')
  const source = `import { register } from ${JSON.stringify(api)}\nregister()\nconst entry = await import(${JSON.stringify(entry)})\nexport default entry.default\n`
  return `data:text/javascript,${encodeURIComponent(source)}`
}
