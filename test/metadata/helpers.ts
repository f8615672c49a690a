/** Shared by the metadata tests: a private temp data directory per test, always removed. */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { ExecutionContext } from 'ava'
import type { TopicRecord } from '../../src/metadata/metadata-store.js'

/** Makes a temp dir that is removed when the test ends, pass or fail. */
export function tempDir(t: ExecutionContext): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-metadata-'))
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** What must survive a reopen: everything in the records. */
export function contentOf(topics: TopicRecord[]): TopicRecord[] {
  return topics.map((topic) => ({ ...topic, configs: { ...topic.configs } }))
}

/** The part of the state a test can predict without knowing random ids and clocks. */
export function shapeOf(topics: TopicRecord[]): Array<{ name: string; partitions: number; configs: Record<string, string> }> {
  return topics.map(({ name, partitions, configs }) => ({ name, partitions, configs: { ...configs } }))
}
