/**
 * Fault injection through the FsLike seam at every step of every mutation: the mutation
 * throws STORAGE_ERROR, the in-memory state is unchanged, the store keeps working, and a
 * reopen shows the state before or after the mutation, never a broken one.
 */
import * as nodeFs from 'node:fs'
import * as path from 'node:path'
import test from 'ava'
import { isBrokerError } from '../../src/errors.js'
import { MetadataStore } from '../../src/metadata/metadata-store.js'
import { faultyFs, type FaultKind, type FaultRule } from '../../src/storage/fs.js'
import { contentOf, shapeOf, tempDir } from './helpers.js'

const mutations: Record<string, (store: MetadataStore) => unknown> = {
  createTopic: (store) => store.createTopic({ name: 'fresh', partitions: 3, configs: [{ name: 'segment.ms', value: '60000' }] }),
  deleteTopic: (store) => store.deleteTopic('a'),
  setPartitionCount: (store) => store.setPartitionCount('b', 7),
  alterConfigs: (store) => store.alterConfigs('b', [{ name: 'retention.ms', value: '1000' }]),
  incrementalAlterConfigs: (store) => store.incrementalAlterConfigs('a', [{ name: 'cleanup.policy', op: 'set', value: 'compact' }]),
}

/** Two generations on disk, so both files are in play: `a` (1 partition) and `b` (2 partitions). */
function setUp(dataDir: string): void {
  const store = MetadataStore.open(dataDir)
  store.createTopic({ name: 'a', partitions: 1 })
  store.createTopic({ name: 'b', partitions: 2, configs: [{ name: 'segment.ms', value: '5000' }] })
}

/** The file-system calls one mutation makes, by kind (learned from a fault-free run). */
function callsOf(root: string, mutate: (store: MetadataStore) => unknown): Record<FaultKind, number> {
  const dataDir = path.join(root, 'count')
  setUp(dataDir)
  const fs = faultyFs([])
  const store = MetadataStore.open(dataDir, { fs })
  const before = { ...fs.calls }
  mutate(store)
  const delta = { ...fs.calls }
  for (const kind of Object.keys(delta) as FaultKind[]) delta[kind] -= before[kind]
  return delta
}

const errnosFor: Record<FaultKind, Array<Omit<FaultRule, 'kind' | 'nth'>>> = {
  write: [{ errno: 'ENOSPC' }, { errno: 'ENOSPC', shortWriteBytes: 10 }, { errno: 'EIO' }],
  fsync: [{ errno: 'EIO' }],
  rename: [{ errno: 'EIO' }, { errno: 'EXDEV' }],
  open: [{ errno: 'EMFILE' }, { errno: 'EACCES' }],
  fdatasync: [{ errno: 'EIO' }],
}

for (const [label, mutate] of Object.entries(mutations)) {
  test(`${label}: a fault at every write, fsync, rename and open step fails safe`, (t) => {
    const root = tempDir(t)
    const calls = callsOf(root, mutate)
    t.true(calls.write >= 1 && calls.fsync >= 2 && calls.rename === 1 && calls.open >= 2, JSON.stringify(calls))

    // The state after the mutation, as a shape (new topics get random ids).
    const referenceDir = path.join(root, 'reference')
    setUp(referenceDir)
    const reference = MetadataStore.open(referenceDir)
    const beforeShape = shapeOf(reference.listTopics())
    mutate(reference)
    const afterShape = shapeOf(reference.listTopics())
    t.notDeepEqual(afterShape, beforeShape)

    let cases = 0
    let sawAfter = 0
    for (const kind of Object.keys(calls) as FaultKind[]) {
      for (let nth = 1; nth <= calls[kind]; nth += 1) {
        for (const fault of errnosFor[kind]) {
          const what = `${kind} #${nth} ${fault.errno}${fault.shortWriteBytes ? ' (short write)' : ''}`
          const dataDir = path.join(root, `case-${cases++}`)
          setUp(dataDir)
          const fs = faultyFs([])
          const store = MetadataStore.open(dataDir, { fs })
          const before = contentOf(store.listTopics())
          const generation = store.generation
          fs.rules.push({ kind, nth: fs.calls[kind] + nth, ...fault })

          const error = t.throws(() => mutate(store), undefined, what)
          t.true(isBrokerError(error), what)
          t.is((error as { code?: string }).code, 'STORAGE_ERROR', what)
          t.is((error as { details?: { errno?: string } }).details?.errno, fault.errno, what)
          // In memory: exactly as before.
          t.is(store.generation, generation, what)
          t.deepEqual(contentOf(store.listTopics()), before, what)
          // No half-written temp file stays behind.
          t.deepEqual(nodeFs.readdirSync(dataDir).filter((name) => name.endsWith('.tmp')), [], what)

          // On disk: before or after, never broken, and no fallback was needed.
          const reopened = MetadataStore.open(dataDir)
          t.deepEqual(reopened.recoveryNotes(), [], what)
          const shape = shapeOf(reopened.listTopics())
          const isBefore = JSON.stringify(shape) === JSON.stringify(beforeShape)
          const isAfter = JSON.stringify(shape) === JSON.stringify(afterShape)
          t.true(isBefore || isAfter, `${what}: reopened state is neither before nor after: ${JSON.stringify(shape)}`)
          // The directory fsync (its open, then its fsync) is the last step of each kind; only a fault there lands after the rename.
          const afterRename = (kind === 'fsync' && nth === calls.fsync) || (kind === 'open' && nth === calls.open)
          t.is(isAfter, afterRename, `${what}: expected the ${afterRename ? 'new' : 'old'} state on disk`)
          if (isAfter) sawAfter += 1
          for (const topic of reopened.listTopics()) {
            const old = before.find((record) => record.name === topic.name)
            if (old !== undefined) t.is(topic.topicId, old.topicId, what)
          }

          // The store keeps working: the next mutation (no fault) is durable and builds on the in-memory state.
          store.createTopic({ name: 'later', partitions: 1 })
          const final = MetadataStore.open(dataDir)
          t.deepEqual(final.recoveryNotes(), [], what)
          t.deepEqual(contentOf(final.listTopics()), contentOf(store.listTopics()), what)
          t.deepEqual(shapeOf(final.listTopics()).filter((topic) => topic.name !== 'later'), beforeShape, what)
          nodeFs.rmSync(dataDir, { recursive: true, force: true })
        }
      }
    }
    t.log(`${cases} injected faults (${JSON.stringify(calls)}); ${sawAfter} left the new state on disk (the directory fsync failed after the rename)`)
  })
}

test('a disk that stays full fails every mutation, reads keep working, and writes resume when space returns', (t) => {
  const dataDir = tempDir(t)
  setUp(dataDir)
  const fs = faultyFs([])
  const store = MetadataStore.open(dataDir, { fs })
  const before = contentOf(store.listTopics())
  fs.rules.push({ kind: 'write', nth: fs.calls.write + 1, errno: 'ENOSPC', sticky: true })
  for (let i = 0; i < 5; i += 1) {
    t.is((t.throws(() => store.createTopic({ name: `full-${i}`, partitions: 1 })) as { code?: string }).code, 'STORAGE_ERROR')
  }
  t.deepEqual(contentOf(store.listTopics()), before)
  t.is(store.getTopic('a')?.partitions, 1)
  fs.rules.length = 0
  store.createTopic({ name: 'after-space', partitions: 1 })
  t.deepEqual(MetadataStore.open(dataDir).listTopics().map((topic) => topic.name), ['a', 'after-space', 'b'])
})

test('an open that cannot create the data directory or read the files is a STORAGE_ERROR', (t) => {
  const root = tempDir(t)
  const blocker = path.join(root, 'file')
  nodeFs.writeFileSync(blocker, '')
  const error = t.throws(() => MetadataStore.open(path.join(blocker, 'data')))
  t.is((error as { code?: string }).code, 'STORAGE_ERROR')
  // A data directory path that is a file is refused at open, not at the first mutation.
  t.is((t.throws(() => MetadataStore.open(blocker)) as { code?: string }).code, 'STORAGE_ERROR')
})
