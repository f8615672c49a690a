/**
 * Lifecycle of a peer server we start ourselves (never the Debian service units): a free port on
 * 127.0.0.1, a temp data dir, readiness by connecting, and a stop by process id that awaits exit.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface PeerServer {
  port: number
  pid: number
  dataDir: string
  stop(): Promise<void>
}

/** True when `binary` runs; the suite skips a peer whose server is not installed. */
export function installed(binary: string): boolean {
  const probe = spawnSync(binary, ['--version'], { stdio: 'ignore' })
  return !probe.error && probe.status === 0
}

/** Asks the kernel for a free port by listening on port 0, then gives it back for the server. */
export async function freePort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve))
  const address = server.address()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  if (!address || typeof address === 'string') throw new Error('no port from the kernel')
  return address.port
}

function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

/** Resolves once the port accepts a connection: each refused attempt is retried, 400 at most. */
async function awaitListening(port: number, child: ChildProcess, logPath: string): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt++) {
    if (child.exitCode !== null || child.signalCode !== null) break
    if (await tryConnect(port)) return
    // A refused connect returns at once; yield to the timer queue so the loop is not a busy spin.
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`server on port ${port} never accepted a connection; its log:\n${readFileSync(logPath, 'utf8').slice(-2000)}`)
}

// Servers still running if the bench dies: killed by pid on the way out so none is left behind.
const running = new Set<ChildProcess>()
process.once('exit', () => {
  for (const child of running) if (child.pid !== undefined && child.exitCode === null) {
    try {
      process.kill(child.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
})

/** Starts `binary` with `args(port, dataDir)`, its output to a log file in the data dir. */
export async function startServer(name: string, binary: string, args: (port: number, dataDir: string) => string[]): Promise<PeerServer> {
  const dataDir = mkdtempSync(join(tmpdir(), `brook-peer-${name}-`))
  const port = await freePort()
  const logPath = join(dataDir, 'server.log')
  const log = openSync(logPath, 'w')
  const child = spawn(binary, args(port, dataDir), { stdio: ['ignore', log, log] })
  closeSync(log)
  if (child.pid === undefined) throw new Error(`${binary} did not start`)
  const pid = child.pid
  running.add(child)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(pid, 'SIGTERM')
      // Redis may rewrite or flush its AOF on SIGTERM; give it a bound, then kill it.
      const timer = setTimeout(() => child.exitCode === null && process.kill(pid, 'SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    running.delete(child)
    rmSync(dataDir, { recursive: true, force: true })
  }
  try {
    await awaitListening(port, child, logPath)
  } catch (error) {
    await stop()
    throw error
  }
  return { port, pid, dataDir, stop }
}
