/**
 * Damaged metadata files: the newest generation damaged → fall back to the previous one, with
 * a note; the older one damaged → ignored, with a note; no valid generation → STORAGE_ERROR.
 */
import * as nodeFs from 'node:fs'
import * as path from 'node:path'
import test from 'ava'
import { isBrokerError } from '../../src/errors.js'
import { MetadataStore } from '../../src/metadata/metadata-store.js'
import { contentOf, tempDir } from './helpers.js'

/** Generation 1 (`a`) in metadata.0, generation 2 (`a`, `b`) in metadata.1. */
function twoGenerations(dataDir: string) {
  const store = MetadataStore.open(dataDir)
  store.createTopic({ name: 'a', partitions: 1 })
  const generation1 = contentOf(store.listTopics())
  store.createTopic({ name: 'b', partitions: 2 })
  const generation2 = contentOf(store.listTopics())
  return { generation1, generation2 }
}

type Damage = (file: string) => void

const damages: Record<string, Damage> = {
  'truncated to half': (file) => nodeFs.truncateSync(file, Math.floor(nodeFs.statSync(file).size / 2)),
  'truncated to zero': (file) => nodeFs.truncateSync(file, 0),
  'truncated by one byte': (file) => nodeFs.truncateSync(file, nodeFs.statSync(file).size - 1),
  'a body byte flipped': (file) => flipByte(file, -10),
  'a header generation digit flipped': (file) => flipByte(file, 'BROOKMETA 1 '.length),
  'the magic flipped': (file) => flipByte(file, 0),
  'garbage appended': (file) => nodeFs.appendFileSync(file, 'garbage'),
  'replaced by garbage': (file) => nodeFs.writeFileSync(file, Buffer.from('\u0000\u0001not metadata at all\n{"generation": 99}')),
  'replaced by a directory': (file) => {
    nodeFs.rmSync(file)
    nodeFs.mkdirSync(file)
  },
}

function flipByte(file: string, at: number): void {
  const bytes = nodeFs.readFileSync(file)
  const offset = at < 0 ? bytes.length + at : at
  bytes[offset]! ^= 0x01
  nodeFs.writeFileSync(file, bytes)
}

for (const [label, damage] of Object.entries(damages)) {
  test(`latest generation ${label} → falls back to the previous generation with a note`, (t) => {
    const dataDir = tempDir(t)
    const { generation1 } = twoGenerations(dataDir)
    damage(path.join(dataDir, 'metadata.1'))

    const store = MetadataStore.open(dataDir)
    t.is(store.generation, 1)
    t.deepEqual(contentOf(store.listTopics()), generation1)
    const notes = store.recoveryNotes()
    t.is(notes.length, 1)
    t.regex(notes[0]!, /^fell back to generation 1 in metadata\.0 because metadata\.1 is damaged/)

    // The next mutation replaces the damaged file, never the good one.
    if (label === 'replaced by a directory') nodeFs.rmdirSync(path.join(dataDir, 'metadata.1'))
    store.createTopic({ name: 'c', partitions: 1 })
    const reopened = MetadataStore.open(dataDir)
    t.deepEqual(reopened.recoveryNotes(), [])
    t.is(reopened.generation, 2)
    t.deepEqual(reopened.listTopics().map((topic) => topic.name), ['a', 'c'])
  })
}

test('a damaged older generation is ignored with a note', (t) => {
  const dataDir = tempDir(t)
  const { generation2 } = twoGenerations(dataDir)
  flipByte(path.join(dataDir, 'metadata.0'), -3)
  const store = MetadataStore.open(dataDir)
  t.is(store.generation, 2)
  t.deepEqual(contentOf(store.listTopics()), generation2)
  t.deepEqual(store.recoveryNotes().length, 1)
  t.regex(store.recoveryNotes()[0]!, /^ignored damaged metadata\.0 \(older generation 1: checksum mismatch/)
})

for (const [label, damage] of Object.entries(damages)) {
  test(`both generations damaged (${label}) → STORAGE_ERROR, never an empty start`, (t) => {
    const dataDir = tempDir(t)
    twoGenerations(dataDir)
    damage(path.join(dataDir, 'metadata.0'))
    damage(path.join(dataDir, 'metadata.1'))
    const error = t.throws(() => MetadataStore.open(dataDir))
    t.true(isBrokerError(error))
    t.is((error as { code?: string }).code, 'STORAGE_ERROR')
    t.regex(error!.message, /no valid generation remains/)
  })
}

test('the only generation damaged → STORAGE_ERROR', (t) => {
  const dataDir = tempDir(t)
  MetadataStore.open(dataDir).createTopic({ name: 'a', partitions: 1 })
  t.deepEqual(nodeFs.readdirSync(dataDir), ['metadata.0'])
  flipByte(path.join(dataDir, 'metadata.0'), -2)
  t.is((t.throws(() => MetadataStore.open(dataDir)) as { code?: string }).code, 'STORAGE_ERROR')
})

test('a leftover temp file is removed with a note and never read', (t) => {
  const dataDir = tempDir(t)
  const { generation2 } = twoGenerations(dataDir)
  nodeFs.writeFileSync(path.join(dataDir, 'metadata.0.tmp'), 'half a write')
  const store = MetadataStore.open(dataDir)
  t.deepEqual(contentOf(store.listTopics()), generation2)
  t.deepEqual(store.recoveryNotes(), ['removed metadata.0.tmp, left by an interrupted metadata write'])
  t.false(nodeFs.existsSync(path.join(dataDir, 'metadata.0.tmp')))
})

test('a symlink planted at the temp name is removed, not written through', (t) => {
  const dataDir = tempDir(t)
  const outside = path.join(tempDir(t), 'outside')
  nodeFs.writeFileSync(outside, 'precious')
  const store = MetadataStore.open(dataDir)
  nodeFs.symlinkSync(outside, path.join(dataDir, 'metadata.0.tmp'))
  store.createTopic({ name: 'a', partitions: 1 })
  t.is(nodeFs.readFileSync(outside, 'utf8'), 'precious')
  t.deepEqual(MetadataStore.open(dataDir).listTopics().map((topic) => topic.name), ['a'])
})
