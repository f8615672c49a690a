/**
 * Runs kcat (librdkafka's command-line client, Debian package `kcat`) against a test broker.
 * Where kcat is missing the kcat tests are skipped with a note, except in CI (.ci/run sets
 * BROOK_REQUIRE_KCAT=1 after installing it), where a missing kcat fails them.
 */
import { spawn, spawnSync } from 'node:child_process'

export const kcatInstalled = spawnSync('kcat', ['-V'], { stdio: 'ignore' }).status === 0
export const kcatRequired = process.env.BROOK_REQUIRE_KCAT === '1'

export interface KcatResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs kcat with `args`, feeding `input` to its stdin; resolves when it exits. */
export function kcat(args: string[], input?: string): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}
