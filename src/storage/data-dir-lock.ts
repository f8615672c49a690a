/**
 * One broker per data directory: two brokers writing the same partition files would corrupt
 * them (reliability F8, "never a double writer"). `Broker.open` takes `<dataDir>/.lock`, created
 * exclusively and holding the owner's pid; a lock whose process is gone (a SIGKILLed broker) is
 * stale and taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { BrokerError } from '../errors.js'

const LOCK_FILE = '.lock'

export class DataDirLock {
  private released = false

  private constructor(private readonly path: string) {}

  static acquire(dataDir: string): DataDirLock {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 })
    const path = join(dataDir, LOCK_FILE)
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx', 0o600)
        try {
          writeSync(fd, String(process.pid))
        } finally {
          closeSync(fd)
        }
        return new DataDirLock(path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const owner = lockOwner(path)
        if (owner !== null && isAlive(owner)) {
          const who = owner === process.pid ? 'another Broker in this process' : `process ${owner}`
          throw new BrokerError('STORAGE_ERROR', `data directory ${dataDir} is in use by ${who}; close it first (one broker per data directory)`, { dataDir, owner })
        }
        // Stale: its broker died without closing. Take it over.
        try {
          unlinkSync(path)
        } catch {
          // Someone else took it over first; the next attempt sees their lock.
        }
      }
    }
    throw new BrokerError('STORAGE_ERROR', `could not lock data directory ${dataDir}`, { dataDir })
  }

  release(): void {
    if (this.released) return
    this.released = true
    try {
      unlinkSync(this.path)
    } catch {
      // Already gone: nothing to release.
    }
  }
}

function lockOwner(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim())
    return Number.isInteger(pid) && pid > 0 ? pid : null
  } catch {
    return null
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: alive but not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
