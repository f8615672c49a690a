/** Starts bench/broker-process in a child process on a fresh data dir; stop() ends it and removes the dir. */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'

export interface TcpBroker {
  bootstrap: string
  pid: number
  /** The broker process's resident memory now (from /proc). */
  rssBytes(): number
  stop(): Promise<void>
}

export async function startTcpBroker(): Promise<TcpBroker> {
  const dataDir = mkdtempSync(join(tmpdir(), 'brook-tcp-bench-'))
  const script = new URL('./broker-process.js', import.meta.url)
  const child = spawn(process.execPath, [script.pathname, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] })
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`broker process exited with ${code} before listening`)))
  })
  const { port } = JSON.parse(firstLine) as { port: number }
  return {
    bootstrap: `127.0.0.1:${port}`,
    pid: child.pid!,
    rssBytes: () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024,
    async stop() {
      child.kill('SIGTERM')
      await exited
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}
