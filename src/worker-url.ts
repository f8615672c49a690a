/**
 * The one place that decides which file a worker thread starts. From compiled `dist/` the
 * worker is plain JavaScript; from TypeScript sources (tests, `npm start` under tsx) Node 20
 * cannot load a `.ts` worker by itself, so a small bootstrap registers tsx inside the worker
 * and then imports the real entry.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads'

const runningFromSource = import.meta.url.endsWith('.ts')

export function startWorker(entryName: string, options: WorkerOptions = {}): Worker {
  const extension = runningFromSource ? '.ts' : '.js'
  const entry = new URL(`../workers/${entryName}${extension}`, import.meta.url)
  if (!runningFromSource) return new Worker(entry, options)
  const bootstrap = new URL('../workers/tsx-bootstrap.mjs', import.meta.url)
  return new Worker(bootstrap, { ...options, workerData: { ...(options.workerData ?? {}), entry: entry.href } })
}
