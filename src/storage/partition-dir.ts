/** Creating a partition directory durably. */
import { dirname, resolve } from 'node:path'
import { fsyncDirectory, type FsLike } from './fs.js'

/** Creates `dir` (and missing parents, mode 0700) if needed, fsyncing each new entry's parent directory. */
export function ensurePartitionDirectory(fs: FsLike, dir: string): void {
  if (fs.existsSync(dir)) return
  const missing: string[] = []
  for (let current = resolve(dir); !fs.existsSync(current); current = dirname(current)) {
    missing.unshift(current)
    if (dirname(current) === current) break
  }
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
  for (const created of missing) fsyncDirectory(fs, dirname(created))
}
