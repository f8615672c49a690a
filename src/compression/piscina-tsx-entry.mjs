// Piscina's task file when brook runs from TypeScript sources (tests, `npm start` under tsx).
// Piscina imports its task file inside its own worker thread and calls the default export, but
// Node 20 cannot import a .ts file in a worker. workers/tsx-bootstrap.mjs registers tsx in this
// thread and imports workerData.entry (the real .ts task file); this re-exports that file's
// handler for piscina. Compiled dist/ does not need it: the pool names the .js task file there.
import '../../workers/tsx-bootstrap.mjs'
import { workerData } from 'node:worker_threads'

const entry = await import(workerData.entry)
export default entry.default
