import * as nodeFs from 'node:fs'
import * as path from 'node:path'
import test from 'ava'
import { MetadataStore } from '../../src/metadata/metadata-store.js'
import { QUARANTINE_DIR_NAME, knownPartitionDirNames, quarantineOrphans } from '../../src/metadata/orphans.js'
import { faultyFs, realFs } from '../../src/storage/fs.js'
import { tempDir } from './helpers.js'

const NOW_MS = 1_700_000_000_000

function partitionDir(dataDir: string, name: string, content = `data of ${name}`): void {
  nodeFs.mkdirSync(path.join(dataDir, name))
  nodeFs.writeFileSync(path.join(dataDir, name, '00000000000000000000.log'), content)
}

test('knownPartitionDirNames lists every partition of every topic', (t) => {
  t.deepEqual([...knownPartitionDirNames([{ name: 'a', partitions: 2 }, { name: 'b-1', partitions: 1 }])], ['a-0', 'a-1', 'b-1-0'])
})

test('unknown partition directories are quarantined with their data, everything else stays', (t) => {
  const dataDir = tempDir(t)
  const store = MetadataStore.open(dataDir)
  store.createTopic({ name: 'a', partitions: 2 })
  partitionDir(dataDir, 'a-0')
  partitionDir(dataDir, 'a-1')
  partitionDir(dataDir, 'a-2') // beyond the partition count
  partitionDir(dataDir, 'gone-0') // a deleted topic whose directories were not yet removed
  partitionDir(dataDir, 'gone-1')
  nodeFs.writeFileSync(path.join(dataDir, 'stray-0'), 'a file, not a partition directory')
  nodeFs.mkdirSync(path.join(dataDir, 'not-a-partition'))
  nodeFs.mkdirSync(path.join(dataDir, '..-0')) // not a legal topic name
  nodeFs.symlinkSync(path.join(dataDir, 'nowhere'), path.join(dataDir, 'dangling-0'))

  const quarantined = quarantineOrphans(dataDir, knownPartitionDirNames(store.listTopics()), realFs, NOW_MS)
  t.deepEqual(quarantined, ['a-2', 'gone-0', 'gone-1'])

  t.deepEqual(
    nodeFs.readdirSync(dataDir).sort(),
    ['..-0', 'a-0', 'a-1', 'dangling-0', 'metadata.0', 'not-a-partition', QUARANTINE_DIR_NAME, 'stray-0'].sort(),
  )
  const quarantineDir = path.join(dataDir, QUARANTINE_DIR_NAME)
  t.deepEqual(nodeFs.readdirSync(quarantineDir).sort(), [`a-2.${NOW_MS}`, `gone-0.${NOW_MS}`, `gone-1.${NOW_MS}`])
  t.is(nodeFs.statSync(quarantineDir).mode & 0o777, 0o700)
  // Never deleted: the data is still there, byte for byte.
  t.is(nodeFs.readFileSync(path.join(quarantineDir, `gone-1.${NOW_MS}`, '00000000000000000000.log'), 'utf8'), 'data of gone-1')

  // Idempotent, and the metadata store still opens.
  t.deepEqual(quarantineOrphans(dataDir, knownPartitionDirNames(store.listTopics()), realFs, NOW_MS), [])
  t.deepEqual(MetadataStore.open(dataDir).listTopics().map((topic) => topic.name), ['a'])
})

test('the same name quarantined twice in the same millisecond keeps both copies', (t) => {
  const dataDir = tempDir(t)
  partitionDir(dataDir, 'x-0', 'first')
  t.deepEqual(quarantineOrphans(dataDir, new Set(), realFs, NOW_MS), ['x-0'])
  partitionDir(dataDir, 'x-0', 'second')
  t.deepEqual(quarantineOrphans(dataDir, new Set(), realFs, NOW_MS), ['x-0'])
  const quarantineDir = path.join(dataDir, QUARANTINE_DIR_NAME)
  t.deepEqual(nodeFs.readdirSync(quarantineDir).sort(), [`x-0.${NOW_MS}`, `x-0.${NOW_MS}.1`])
  t.is(nodeFs.readFileSync(path.join(quarantineDir, `x-0.${NOW_MS}.1`, '00000000000000000000.log'), 'utf8'), 'second')
})

test('a topic whose metadata was lost to a fallback has its directories quarantined, not deleted', (t) => {
  const dataDir = tempDir(t)
  const store = MetadataStore.open(dataDir)
  store.createTopic({ name: 'kept', partitions: 1 })
  store.createTopic({ name: 'lost', partitions: 1 })
  partitionDir(dataDir, 'kept-0')
  partitionDir(dataDir, 'lost-0')
  // Damage the newest generation (the one that knows `lost`).
  nodeFs.truncateSync(path.join(dataDir, 'metadata.1'), 20)
  const reopened = MetadataStore.open(dataDir)
  t.deepEqual(reopened.listTopics().map((topic) => topic.name), ['kept'])
  t.deepEqual(quarantineOrphans(dataDir, knownPartitionDirNames(reopened.listTopics()), realFs, NOW_MS), ['lost-0'])
  t.true(nodeFs.existsSync(path.join(dataDir, QUARANTINE_DIR_NAME, `lost-0.${NOW_MS}`, '00000000000000000000.log')))
})

test('a failing rename is a STORAGE_ERROR and loses nothing', (t) => {
  const dataDir = tempDir(t)
  partitionDir(dataDir, 'y-0')
  const error = t.throws(() => quarantineOrphans(dataDir, new Set(), faultyFs([{ kind: 'rename', nth: 1, errno: 'EIO' }]), NOW_MS))
  t.is((error as { code?: string }).code, 'STORAGE_ERROR')
  t.is(nodeFs.readFileSync(path.join(dataDir, 'y-0', '00000000000000000000.log'), 'utf8'), 'data of y-0')
  t.deepEqual(quarantineOrphans(dataDir, new Set(), realFs, NOW_MS), ['y-0'])
})
