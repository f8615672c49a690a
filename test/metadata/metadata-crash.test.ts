/**
 * SIGKILL during metadata writes (reliability.md F9): a child process creates and deletes
 * topics in a loop, printing each one after the call returns; the parent kills it after
 * KILL_AFTER acks and reopens the store. Every acked create must be there, every acked
 * delete gone, the store must open without falling back, and at most the one in-flight
 * mutation may differ.
 */
import { spawn } from 'node:child_process'
import * as path from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import test from 'ava'
import { MetadataStore } from '../../src/metadata/metadata-store.js'
import { tempDir } from './helpers.js'

const ROUNDS = 10
const KILL_AFTER = 20
const ROUND_TIMEOUT_MS = 10_000
const projectRoot = fileURLToPath(new URL('../..', import.meta.url))
const childScript = fileURLToPath(new URL('../fixtures/metadata-crash-child.ts', import.meta.url))

/** Runs one child, kills it once KILL_AFTER topics were acked, returns every line it printed. */
async function runAndKill(dataDir: string, round: number): Promise<{ lines: string[]; signal: NodeJS.Signals | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir, String(round)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stderr = ''
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk))
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  )
  const lines: string[] = []
  let created = 0
  const timer = setTimeout(() => child.kill('SIGKILL'), ROUND_TIMEOUT_MS)
  try {
    // Reading continues after the kill: lines already in the pipe are acks too.
    for await (const line of createInterface({ input: child.stdout })) {
      lines.push(line)
      if (line.startsWith('created ')) created += 1
      if (created === KILL_AFTER) child.kill('SIGKILL')
    }
    const { code, signal } = await exited
    if (created < KILL_AFTER) throw new Error(`round ${round}: child ended after ${created} acks (code ${code}, signal ${signal}): ${stderr}`)
    return { lines, signal }
  } finally {
    clearTimeout(timer)
  }
}

/** The mutation the child was making when it died: the one after its last printed line (see the child's loop). */
function inFlightAfter(lines: string[], round: number): { op: 'create' | 'delete'; name: string } {
  const last = lines[lines.length - 1]!
  const created = [...lines].reverse().find((line) => line.startsWith('created '))
  const i = created === undefined ? -1 : Number(created.split('-t')[1])
  if (last.startsWith('created ') && i % 4 === 3) return { op: 'delete', name: `r${round}-t${i - 2}` }
  return { op: 'create', name: `r${round}-t${i + 1}` }
}

test('every acked create and delete survives SIGKILL, and the store always reopens cleanly', async (t) => {
  t.timeout(60_000)
  const dataDir = path.join(tempDir(t), 'data')
  const started = Date.now()
  /** The topics that must exist: every acked create minus every acked delete. */
  let live = new Set<string>()
  let acks = 0
  let inFlightLanded = 0
  /** Rounds whose kill landed inside a write (a temp file was left): shows the kills hit mutations, not only idle time. */
  let killsMidWrite = 0

  for (let round = 0; round < ROUNDS; round += 1) {
    const { lines, signal } = await runAndKill(dataDir, round)
    t.is(signal, 'SIGKILL', `round ${round}`)
    t.regex(lines[0] ?? '', /^open \d+$/)
    for (const line of lines.slice(1)) {
      const [event, name] = line.split(' ') as ['created' | 'deleted', string]
      if (event === 'created') live.add(name)
      else live.delete(name)
      acks += 1
    }
    // Either the in-flight mutation did not reach the disk, or it did; nothing else may differ.
    const inFlight = inFlightAfter(lines, round)
    const withInFlight = new Set(live)
    if (inFlight.op === 'create') withInFlight.add(inFlight.name)
    else withInFlight.delete(inFlight.name)

    const store = MetadataStore.open(dataDir)
    for (const note of store.recoveryNotes()) t.notRegex(note, /fell back|damaged/, `round ${round}: ${note}`)
    if (store.recoveryNotes().some((note) => note.includes('.tmp'))) killsMidWrite += 1
    const present = store.listTopics().map((topic) => topic.name).sort()
    const sorted = (set: Set<string>) => [...set].sort()
    const landed = JSON.stringify(present) === JSON.stringify(sorted(withInFlight))
    if (!landed) t.deepEqual(present, sorted(live), `round ${round}: state after SIGKILL is not the acked state (in flight: ${inFlight.op} ${inFlight.name})`)
    if (landed) inFlightLanded += 1
    live = new Set(present)
    for (const topic of store.listTopics()) t.true(topic.partitions >= 1 && topic.partitions <= 3)
  }

  const elapsedMs = Date.now() - started
  t.true(acks >= ROUNDS * KILL_AFTER)
  t.log(`faults survived: ${ROUNDS} SIGKILLs during metadata writes (${acks} acked mutations, ${inFlightLanded} in-flight ones landed, ${killsMidWrite} kills inside a write) | acked mutations lost: 0; ${live.size} live topics; ${elapsedMs} ms`)
})
