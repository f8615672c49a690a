/**
 * Benchmark children: `bench/fixtures/<name>` run by Node in its own process — compiled
 * (dist-bench, as `npm run bench` runs) or under tsx when the benchmark itself runs from source.
 * Their stdout is line-oriented; their stderr goes to ours.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

export function startFixture(name: string, args: string[]): ChildProcess {
  const fromSource = import.meta.url.endsWith('.ts')
  const path = fileURLToPath(new URL(`./fixtures/${name}.${fromSource ? 'ts' : 'js'}`, import.meta.url))
  return spawn(process.execPath, [...(fromSource ? ['--import', 'tsx'] : []), path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
}

/** Resolves with the first stdout line `predicate` accepts; rejects if the child exits before printing one. */
export function waitForLine(child: ChildProcess, predicate: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! })
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => finish(new Error(`child exited (${code ?? signal}) before the expected line`))
    const finish = (error: Error | null, line = '') => {
      child.off('exit', onExit)
      lines.close()
      if (error) reject(error)
      else resolve(line)
    }
    lines.on('line', (line) => {
      if (predicate(line)) finish(null, line)
    })
    child.once('exit', onExit)
  })
}

/** Runs a fixture to its end; resolves with its last stdout line, parsed as JSON. */
export async function runFixture<T>(name: string, args: string[]): Promise<T> {
  const child = startFixture(name, args)
  let last = ''
  createInterface({ input: child.stdout! }).on('line', (line) => (last = line))
  const [code] = (await once(child, 'close')) as [number | null]
  if (code !== 0) throw new Error(`fixture ${name} exited with ${code}`)
  return JSON.parse(last) as T
}
