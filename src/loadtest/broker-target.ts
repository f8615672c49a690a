/**
 * The broker a load test drives: one given by --bootstrap, one embedded in this process (in a
 * temp dir unless --data-dir, listening on a free loopback port), or `brook start` in a child
 * process (--broker-process), which --chaos may SIGKILL and restart on the same port and data.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface BrokerTarget {
  bootstrap: string
  mode: 'external' | 'embedded' | 'process'
  /** Only for mode 'process': SIGKILL the broker and start it again on the same port and data. */
  kill?(): Promise<void>
  close(): Promise<void>
}

export interface TargetOptions {
  bootstrap?: string
  dataDir?: string
  brokerProcess?: boolean
  partitions: number
}

export async function openTarget(options: TargetOptions): Promise<BrokerTarget> {
  if (options.bootstrap !== undefined) return { bootstrap: options.bootstrap, mode: 'external', close: async () => {} }
  const ownDir = options.dataDir === undefined
  const dataDir = options.dataDir ?? await mkdtemp(join(tmpdir(), 'brook-loadtest-'))
  const cleanup = async (): Promise<void> => {
    if (ownDir) await rm(dataDir, { recursive: true, force: true })
  }
  if (options.brokerProcess !== true) {
    const { Broker } = await import('../broker.js')
    const broker = await Broker.open({ dataDir })
    const address = await broker.listen({ host: '127.0.0.1', port: 0 })
    return {
      bootstrap: `127.0.0.1:${address.port}`,
      mode: 'embedded',
      close: async () => {
        await broker.close()
        await cleanup()
      },
    }
  }
  const port = await freePort()
  let child = await startChild(port, dataDir, options.partitions)
  return {
    bootstrap: `127.0.0.1:${port}`,
    mode: 'process',
    kill: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGKILL')
      await exited
      child = await startChild(port, dataDir, options.partitions)
    },
    close: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        await exited
      }
      await cleanup()
    },
  }
}

async function startChild(port: number, dataDir: string, partitions: number): Promise<ChildProcess> {
  const fromSource = import.meta.url.endsWith('.ts')
  const main = fileURLToPath(new URL(`../cli/main${fromSource ? '.ts' : '.js'}`, import.meta.url))
  const args = [...(fromSource ? ['--import', 'tsx'] : []), main, 'start', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir, '--partitions', String(partitions)]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] })
  const deadline = Date.now() + 30_000
  while (!await accepts(port)) {
    if (child.exitCode !== null) throw new Error(`the broker process exited with code ${child.exitCode}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error('the broker process did not start listening within 30 s')
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return child
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.once('connect', () => { socket.destroy(); resolve(true) })
    socket.once('error', () => resolve(false))
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}
