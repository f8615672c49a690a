import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import anyTest, { type TestFn } from 'ava'
import { partitionForKey } from '../../src/index.js'
import { listeningBroker } from '../helpers/wire.js'

// Debian's python3-kafka lives in the system interpreter's dist-packages.
const PYTHON = '/usr/bin/python3'
const installed = spawnSync(PYTHON, ['-c', 'import kafka'], { stdio: 'ignore' }).status === 0
const required = process.env.BROOK_REQUIRE_KAFKA_PYTHON === '1'
const test = (installed || required ? anyTest : anyTest.skip) as TestFn
if (!installed && !required) console.log('kafka-python is not installed (apt-get install python3-kafka): its test is skipped')

function run(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, [fileURLToPath(new URL(`../fixtures/${script}`, import.meta.url)), ...args])
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('close', (code) => resolve({ code, stdout, stderr }))
  })
}

test('kafka-python creates a topic, produces gzip batches, consumes them in a group and commits', async (t) => {
  const { broker, bootstrap } = await listeningBroker(t)
  const { code, stdout, stderr } = await run('kafka-python-roundtrip.py', [bootstrap])
  t.is(code, 0, stderr)
  const result = JSON.parse(stdout) as { topics: string[]; seen: Array<[number, number, string, string]>; committed: Array<[number, number]> }
  t.true(result.topics.includes('py-topic'))
  t.is(result.seen.length, 300)
  for (const [partition, , key] of result.seen) t.is(partition, partitionForKey(Buffer.from(key), 3))
  for (let key = 0; key < 7; key++) {
    const values = result.seen.filter(([, , k]) => k === `key-${key}`).map(([, , , value]) => Number(value.split('-')[1]))
    t.deepEqual(values, [...values].sort((a, b) => a - b))
  }
  const ends = await broker.admin().fetchTopicOffsets('py-topic')
  t.deepEqual(result.committed, ends.map((entry) => [entry.partition, Number(entry.high)]).sort())
})
