/**
 * Test-only named crash points (reliability.md C0.1): with `BROKER_CRASH_AT=<name>:<nth>` in the
 * environment, the nth time the code passes `crashPoint(name)` the process SIGKILLs itself, so a
 * crash test can stop the broker at an exact step of a multi-step change. Without the variable
 * (production) every call is a no-op. The variable is read once, when this module loads.
 */

/** The points production code marks; a test names one of these in BROKER_CRASH_AT. */
export type CrashPointName =
  | 'after-write-before-fsync'
  | 'after-fsync-before-ack'
  | 'segment-roll-after-create-before-dirsync'
  | 'index-append'
  | 'offsets-commit-after-tmp-before-rename'
  | 'metadata-rename-before-dirsync'
  | 'recovery-mid-scan'
  | 'retention-mid-delete'

interface Armed {
  name: string
  nth: number
  seen: number
}

function parse(value: string | undefined): Armed | null {
  if (value === undefined || value === '') return null
  const match = /^([a-z-]+):(\d+)$/.exec(value.trim())
  if (match === null) return null
  const nth = Number(match[2])
  return nth >= 1 ? { name: match[1]!, nth, seen: 0 } : null
}

const armed = parse(process.env['BROKER_CRASH_AT'])

/** SIGKILLs this process when `name` is the armed point and this is its nth pass. */
export function crashPoint(name: CrashPointName): void {
  if (armed === null || armed.name !== name) return
  armed.seen += 1
  if (armed.seen === armed.nth) {
    process.kill(process.pid, 'SIGKILL')
    // A signal to oneself is delivered before kill() returns; this line is never reached.
    throw new Error(`crash point ${name}:${armed.nth} did not kill the process`)
  }
}
