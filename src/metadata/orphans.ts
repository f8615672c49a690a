/**
 * Partition directories the metadata does not know are quarantined, never deleted
 * (reliability.md P6, F9; the opposite of NATS #7556). They appear when a crash lands between
 * a topic's deletion in the metadata and the removal of its directories, or when open() fell
 * back to a previous generation; either way an operator decides what to do with the data.
 */
import { join } from 'node:path'
import { storageError } from '../errors.js'
import { fsyncDirectory, realFs, type FsLike } from '../storage/fs.js'
import { parsePartitionDirName, partitionDirName } from './topic-name.js'

/** Cannot be mistaken for a partition directory: it does not end in `-<digits>`. */
export const QUARANTINE_DIR_NAME = 'quarantine'

const DIR_MODE = 0o700

/** The directory names of every partition of `topics`. */
export function knownPartitionDirNames(topics: Iterable<{ name: string; partitions: number }>): Set<string> {
  const names = new Set<string>()
  for (const topic of topics) {
    for (let partition = 0; partition < topic.partitions; partition += 1) names.add(partitionDirName(topic.name, partition))
  }
  return names
}

/**
 * Moves every partition-looking directory (`<valid topic name>-<digits>`) of `dataDir` that is
 * not in `knownDirNames` to `<dataDir>/quarantine/<name>.<nowMs>` and returns the original
 * names. Stray files, the metadata files and anything not shaped like a partition directory
 * are left where they are. A symlink is moved as a link; its target is never touched.
 */
export function quarantineOrphans(dataDir: string, knownDirNames: ReadonlySet<string>, fs: FsLike = realFs, nowMs: number = Date.now()): string[] {
  const quarantineDir = join(dataDir, QUARANTINE_DIR_NAME)
  let step = 'list data directory'
  try {
    const orphans = fs
      .readdirSync(dataDir)
      .filter((name) => parsePartitionDirName(name) !== undefined && !knownDirNames.has(name) && isDirectory(fs, join(dataDir, name)))
      .sort()
    if (orphans.length === 0) return []
    if (!fs.existsSync(quarantineDir)) {
      step = 'create quarantine directory'
      fs.mkdirSync(quarantineDir, { recursive: false, mode: DIR_MODE })
    }
    const moved: string[] = []
    for (const name of orphans) {
      step = `quarantine ${name}`
      let target = `${name}.${nowMs}`
      for (let n = 1; fs.existsSync(join(quarantineDir, target)); n += 1) target = `${name}.${nowMs}.${n}`
      fs.renameSync(join(dataDir, name), join(quarantineDir, target))
      moved.push(name)
    }
    // Both directories changed: the data dir lost entries (and maybe gained quarantine/), the quarantine dir gained them.
    step = 'fsync quarantine directory'
    fsyncDirectory(fs, quarantineDir)
    step = 'fsync data directory'
    fsyncDirectory(fs, dataDir)
    return moved
  } catch (error) {
    throw storageError(`${step} in ${dataDir}`, error, { path: dataDir, step })
  }
}

/** FsLike has no stat; listing succeeds only for a directory (or a link to one). */
function isDirectory(fs: FsLike, path: string): boolean {
  try {
    fs.readdirSync(path)
    return true
  } catch (error) {
    // ENOENT: a dangling symlink (or a name that vanished); nothing to move.
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOTDIR' || code === 'ENOENT') return false
    throw error
  }
}
