/**
 * Runs the `brook` CLI as a real process (`node --import tsx src/cli/main.ts ...`): to completion
 * with `runCli`, or in the background with `spawnCli`, awaiting output lines instead of sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { ExecutionContext } from 'ava'

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url))

export interface CliResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

export interface CliProcess {
  process: ChildProcess
  /** Complete stdout lines so far. */
  lines: string[]
  stderr(): string
  /** The first line (seen so far or later) matching `predicate`; rejects if the process exits first. */
  waitForLine(predicate: (line: string) => boolean, timeoutMs?: number): Promise<string>
  /** The number of lines once at least `count` were printed. */
  waitForLines(count: number, timeoutMs?: number): Promise<string[]>
  exited: Promise<CliResult>
}

/** Starts `brook <args>`; stdin is a pipe the caller may write to. Killed with SIGKILL when the test ends. */
export function spawnCli(t: ExecutionContext, args: string[], options: { stdin?: string | Buffer } = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] })
  t.teardown(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  })
  child.stdin!.on('error', () => undefined) // the CLI may exit without reading everything
  if (options.stdin !== undefined) child.stdin!.end(options.stdin)
  const lines: string[] = []
  const listeners = new Set<() => void>()
  let stdout = ''
  let stderr = ''
  let partial = ''
  let closed = false
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString()
    stdout += text
    const parts = (partial + text).split('\n')
    partial = parts.pop()!
    lines.push(...parts)
    for (const listener of [...listeners]) listener()
  })
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const exited = new Promise<CliResult>((resolve) => {
    child.on('close', (code, signal) => {
      closed = true
      for (const listener of [...listeners]) listener()
      resolve({ code, signal, stdout, stderr })
    })
  })
  const describe = () => `brook ${args.join(' ')}`
  function waitUntil<T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const finish = (error: Error | undefined, value?: T) => {
        clearTimeout(timer)
        listeners.delete(listener)
        if (error) reject(error)
        else resolve(value as T)
      }
      const timer = setTimeout(() => finish(new Error(`${describe()}: no ${what} in ${timeoutMs} ms; stdout: ${stdout.slice(-2000)}; stderr: ${stderr}`)), timeoutMs)
      const listener = () => {
        const value = check()
        if (value !== undefined) finish(undefined, value)
        else if (closed) finish(new Error(`${describe()} exited (${child.exitCode ?? child.signalCode}) before ${what}; stdout: ${stdout.slice(-2000)}; stderr: ${stderr}`))
      }
      listeners.add(listener)
      listener()
    })
  }
  return {
    process: child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine: (predicate, timeoutMs = 30_000) => waitUntil(() => lines.find(predicate), 'matching line', timeoutMs),
    waitForLines: (count, timeoutMs = 30_000) => waitUntil(() => (lines.length >= count ? lines : undefined), `${count} lines`, timeoutMs),
  }
}

/** Runs `brook <args>` to completion (stdin: the given text, or empty). */
export function runCli(t: ExecutionContext, args: string[], options: { stdin?: string | Buffer } = {}): Promise<CliResult> {
  return spawnCli(t, args, { stdin: options.stdin ?? '' }).exited
}

