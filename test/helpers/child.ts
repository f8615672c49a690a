import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ExecutionContext } from 'ava'

export interface Child {
  process: ChildProcess
  lines: string[]
  /** Resolves once `predicate` holds for the lines seen so far; rejects if the child exits first. */
  waitFor(predicate: (lines: string[]) => boolean, timeoutMs?: number): Promise<void>
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

/** Starts `test/fixtures/<script>` under tsx (with `options.env` added to this environment); killed with SIGKILL when the test ends. */
export function spawnFixture(t: ExecutionContext, script: string, args: string[], options: { env?: Record<string, string> } = {}): Child {
  const path = fileURLToPath(new URL(`../fixtures/${script}`, import.meta.url))
  const env = options.env === undefined ? process.env : { ...process.env, ...options.env }
  const child = spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env })
  const lines: string[] = []
  const listeners = new Set<() => void>()
  let stderr = ''
  let partial = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString()
    const parts = text.split('\n')
    partial = parts.pop()!
    lines.push(...parts)
    for (const listener of [...listeners]) listener()
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      for (const listener of [...listeners]) listener()
      resolve({ code, signal })
    })
  })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  return {
    process: child,
    lines,
    exited,
    waitFor(predicate, timeoutMs = 30_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`child ${script} did not reach the expected state in ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs)
        const finish = (error?: Error) => {
          clearTimeout(timer)
          listeners.delete(check)
          if (error) reject(error)
          else resolve()
        }
        const check = () => {
          if (predicate(lines)) finish()
          else if (child.exitCode !== null || child.signalCode !== null) finish(new Error(`child ${script} exited (${child.exitCode ?? child.signalCode}); stderr: ${stderr}`))
        }
        listeners.add(check)
        check()
      })
    },
  }
}
