// Development-only worker entry: Node 20 cannot start a .ts worker, so register tsx's loader
// inside this thread, then import the real entry named by the parent (see src/worker-url.ts).
import { register } from 'tsx/esm/api'
import { workerData } from 'node:worker_threads'

register()
await import(workerData.entry)
