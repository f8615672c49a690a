/**
 * The metadata store: what ZooKeeper held for Kafka (topics, their ids, partition counts and
 * config overrides), kept durably in the data directory.
 *
 * Layout. Two generation files live directly in the data directory: `metadata.0` and
 * `metadata.1` (plus `<file>.tmp` while one is being written). They cannot collide with a
 * partition directory, which is always `<topic>-<digits>` (topic names cannot contain `/`),
 * nor with `quarantine/` (see orphans.ts). Keeping them at the top level avoids a
 * `__meta/` directory that would itself need creating and fsyncing on first start.
 *
 * Durability (reliability.md P6, F9). Every mutation writes the whole state as a new
 * generation with the durable replace (atomic-replace.ts) into the slot that does NOT hold
 * the current generation, and returns only once that is durable. So the previous generation
 * is always intact in the other slot: if the newest file is damaged (torn sector, bit flip,
 * truncation), open() falls back to the previous one and says so in recoveryNotes(). If no
 * file is valid but one exists, open() throws STORAGE_ERROR: starting empty over damaged
 * metadata would orphan every partition.
 *
 * A failed write throws STORAGE_ERROR and leaves the in-memory state unchanged. On disk the
 * failed mutation is then either absent or (if only the directory fsync failed) present:
 * indeterminate, like a request that timed out; the next mutation overwrites the same slot.
 *
 * Non-goal (F9): a consistent stale copy of a whole file (restored from an old backup) cannot
 * be detected on one node.
 *
 * One MetadataStore per data directory per process; the broker's data-directory lock (not
 * this module) keeps two processes apart.
 */
import { randomUUID } from 'node:crypto'
import { dirname, join } from 'node:path'
import { BrokerError, storageError } from '../errors.js'
import { fsyncDirectory, realFs, type FsLike } from '../storage/fs.js'
import { replaceFileDurably, tmpNameOf } from './atomic-replace.js'
import { decodeMetadataFile, encodeMetadataFile } from './metadata-file.js'
import { parseTopicConfig, validateTopicConfigName, type TopicConfigEntry } from './topic-config.js'
import { topicCollisionKey, validateTopicName } from './topic-name.js'
import { freezeTopicRecord, validatePartitionCount, type TopicRecord } from './topic-record.js'

export type { TopicRecord } from './topic-record.js'

/** The two generation files; a new generation goes into the one not holding the current one. */
export const METADATA_FILE_NAMES = ['metadata.0', 'metadata.1'] as const

/** Data directory mode: private to the broker's user (reliability.md B5). */
const DATA_DIR_MODE = 0o700

export interface MetadataStoreOptions {
  fs?: FsLike
}

export interface MutationOptions {
  /** Validate and return the would-be record without changing anything (Kafka's `validate_only`). */
  validateOnly?: boolean
}

export interface NewTopic {
  name: string
  partitions: number
  configs?: TopicConfigEntry[]
}

/** One IncrementalAlterConfigs operation (Kafka's SET and DELETE; APPEND/SUBTRACT are not supported). */
export type ConfigAlteration = { name: string; op: 'set'; value: string } | { name: string; op: 'delete' }

type Slot = 0 | 1

export class MetadataStore {
  readonly dataDir: string
  readonly #fs: FsLike
  #topics: Map<string, TopicRecord>
  #generation: number
  /** The slot holding #generation on disk (1 while nothing was written, so the first write goes to slot 0). */
  #slot: Slot
  readonly #notes: readonly string[]

  private constructor(dataDir: string, fs: FsLike, topics: TopicRecord[], generation: number, slot: Slot, notes: string[]) {
    this.dataDir = dataDir
    this.#fs = fs
    this.#topics = new Map(topics.map((topic) => [topic.name, freezeTopicRecord(topic)]))
    this.#generation = generation
    this.#slot = slot
    this.#notes = Object.freeze([...notes])
  }

  /** Opens (creating the data directory if missing) and loads the newest valid generation. */
  static open(dataDir: string, options: MetadataStoreOptions = {}): MetadataStore {
    const fs = options.fs ?? realFs
    ensureDirectory(fs, dataDir)
    const notes: string[] = []
    removeLeftoverTempFiles(fs, dataDir, notes)

    const valid: Array<{ slot: Slot; generation: number; topics: TopicRecord[] }> = []
    const damaged: Array<{ file: string; reason: string; headerGeneration?: number }> = []
    METADATA_FILE_NAMES.forEach((file, slot) => {
      const path = join(dataDir, file)
      if (!fs.existsSync(path)) return
      let bytes: Buffer
      try {
        bytes = fs.readFileSync(path)
      } catch (error) {
        damaged.push({ file, reason: `cannot be read: ${(error as Error).message}` })
        return
      }
      const result = decodeMetadataFile(bytes)
      if (result.ok) valid.push({ slot: slot as Slot, generation: result.snapshot.generation, topics: result.snapshot.topics })
      else damaged.push({ file, reason: result.reason, headerGeneration: result.headerGeneration })
    })

    if (valid.length === 0) {
      if (damaged.length > 0) {
        throw new BrokerError(
          'STORAGE_ERROR',
          `metadata in ${dataDir} is damaged and no valid generation remains (${damaged.map((d) => `${d.file}: ${d.reason}`).join('; ')}); ` +
            'refusing to start empty over it, which would orphan every partition',
          { dataDir, damaged: damaged.map((d) => d.file) },
        )
      }
      return new MetadataStore(dataDir, fs, [], 0, 1, notes)
    }

    const best = valid.reduce((a, b) => (b.generation > a.generation ? b : a))
    const bestFile = METADATA_FILE_NAMES[best.slot]
    for (const bad of damaged) {
      if (bad.headerGeneration !== undefined && bad.headerGeneration < best.generation) {
        notes.push(`ignored damaged ${bad.file} (older generation ${bad.headerGeneration}: ${bad.reason}); generation ${best.generation} in ${bestFile} is valid`)
      } else {
        notes.push(
          `fell back to generation ${best.generation} in ${bestFile} because ${bad.file} is damaged (${bad.reason}); ` +
            'changes made after that generation are lost, and their partition directories will be quarantined',
        )
      }
    }
    return new MetadataStore(dataDir, fs, best.topics, best.generation, best.slot, notes)
  }

  /** The generation now durable on disk; 0 before the first mutation. */
  get generation(): number {
    return this.#generation
  }

  /** What open() had to do: fall back to a previous generation, ignore a damaged file, remove a temp file. */
  recoveryNotes(): string[] {
    return [...this.#notes]
  }

  /** All topics, sorted by name. */
  listTopics(): TopicRecord[] {
    return [...this.#topics.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  getTopic(name: string): TopicRecord | undefined {
    return typeof name === 'string' ? this.#topics.get(name) : undefined
  }

  createTopic(topic: NewTopic, options: MutationOptions = {}): TopicRecord {
    if (typeof topic !== 'object' || topic === null) throw new BrokerError('INVALID_REQUEST', 'createTopic needs { name, partitions, configs? }')
    const name = validateTopicName(topic.name)
    if (this.#topics.has(name)) throw new BrokerError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists.`, { topic: name })
    const collisionKey = topicCollisionKey(name)
    for (const existing of this.#topics.keys()) {
      if (topicCollisionKey(existing) === collisionKey) {
        throw new BrokerError('INVALID_TOPIC_NAME', `Topic '${name}' collides with existing topic: ${existing}`, { topic: name, existing })
      }
    }
    const partitions = validatePartitionCount(topic.partitions)
    const configs = parseTopicConfig(topic.configs)
    const record = freezeTopicRecord({ name, topicId: randomUUID(), partitions, configs, createdAtMs: Date.now() })
    if (options.validateOnly !== true) this.#commit((topics) => topics.set(name, record))
    return record
  }

  deleteTopic(name: string): TopicRecord {
    const record = this.#existing(name)
    this.#commit((topics) => topics.delete(record.name))
    return record
  }

  /** Kafka's CreatePartitions: the count only grows. */
  setPartitionCount(name: string, count: number, options: MutationOptions = {}): TopicRecord {
    const current = this.#existing(name)
    if (typeof count === 'number' && Number.isInteger(count)) {
      if (count < current.partitions) {
        throw new BrokerError(
          'INVALID_PARTITIONS',
          `Topic currently has ${current.partitions} partitions, which is higher than the requested ${count}.`,
          { topic: current.name },
        )
      }
      if (count === current.partitions) {
        throw new BrokerError('INVALID_PARTITIONS', `Topic already has ${current.partitions} partitions.`, { topic: current.name })
      }
    }
    const partitions = validatePartitionCount(count)
    return this.#replace(freezeTopicRecord({ ...current, partitions }), options)
  }

  /**
   * Kafka's (legacy) AlterConfigs: the given entries become the topic's complete set of
   * overrides; every key not listed returns to its default. For changing single keys use
   * incrementalAlterConfigs.
   */
  alterConfigs(name: string, entries: TopicConfigEntry[], options: MutationOptions = {}): TopicRecord {
    const current = this.#existing(name)
    const configs = parseTopicConfig(entries)
    return this.#replace(freezeTopicRecord({ ...current, configs }), options)
  }

  /** Kafka's IncrementalAlterConfigs: set or delete (back to default) single keys, keeping the others. */
  incrementalAlterConfigs(name: string, alterations: ConfigAlteration[], options: MutationOptions = {}): TopicRecord {
    const current = this.#existing(name)
    if (!Array.isArray(alterations)) throw new BrokerError('INVALID_CONFIG', 'Config alterations must be an array')
    const configs: Record<string, string> = { ...current.configs }
    const seen = new Set<string>()
    for (const alteration of alterations as unknown[]) {
      const { name: rawKey, op, value } = (typeof alteration === 'object' && alteration !== null ? alteration : {}) as Record<string, unknown>
      const key = validateTopicConfigName(rawKey)
      if (seen.has(key)) throw new BrokerError('INVALID_CONFIG', `Config ${key} is altered more than once`, { config: key })
      seen.add(key)
      if (op === 'set') Object.assign(configs, parseTopicConfig([{ name: key, value: value as string }]))
      else if (op === 'delete') delete configs[key]
      else throw new BrokerError('INVALID_CONFIG', `Unsupported config operation ${JSON.stringify(op)} for ${key} (supported: set, delete)`, { config: key })
    }
    return this.#replace(freezeTopicRecord({ ...current, configs }), options)
  }

  #existing(name: string): TopicRecord {
    const record = typeof name === 'string' ? this.#topics.get(name) : undefined
    if (record === undefined) {
      throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${typeof name === 'string' ? name.slice(0, 256) : String(name)}' does not exist.`, {
        topic: name,
      })
    }
    return record
  }

  #replace(record: TopicRecord, options: MutationOptions): TopicRecord {
    if (options.validateOnly !== true) this.#commit((topics) => topics.set(record.name, record))
    return record
  }

  /**
   * Applies `change` to a copy of the state, writes that copy as the next generation into the
   * other slot, and only then makes it the in-memory state.
   */
  #commit(change: (topics: Map<string, TopicRecord>) => void): void {
    const next = new Map(this.#topics)
    change(next)
    const generation = this.#generation + 1
    const slot: Slot = this.#slot === 0 ? 1 : 0
    const bytes = encodeMetadataFile({ generation, topics: [...next.values()] })
    replaceFileDurably(this.#fs, this.dataDir, METADATA_FILE_NAMES[slot], bytes)
    this.#topics = next
    this.#generation = generation
    this.#slot = slot
  }
}

/** Creates the data directory (mode 0700) and makes each new directory entry durable. */
function ensureDirectory(fs: FsLike, dir: string): void {
  try {
    const missing: string[] = []
    for (let path = dir; !fs.existsSync(path); path = dirname(path)) {
      missing.unshift(path)
      if (dirname(path) === path) break
    }
    if (missing.length > 0) {
      fs.mkdirSync(dir, { recursive: true, mode: DATA_DIR_MODE })
      for (const created of missing) fsyncDirectory(fs, dirname(created))
    }
    // Fails with ENOTDIR now rather than at the first mutation if the path is a file.
    fs.readdirSync(dir)
  } catch (error) {
    throw storageError(`create data directory ${dir}`, error, { path: dir })
  }
}

/** A temp file is a write that never reached its rename: never valid, safe to remove. */
function removeLeftoverTempFiles(fs: FsLike, dir: string, notes: string[]): void {
  for (const file of METADATA_FILE_NAMES) {
    const tmp = join(dir, tmpNameOf(file))
    if (!fs.existsSync(tmp)) continue
    try {
      fs.unlinkSync(tmp)
      notes.push(`removed ${tmpNameOf(file)}, left by an interrupted metadata write`)
    } catch (error) {
      throw storageError(`remove leftover ${tmp}`, error, { path: tmp })
    }
  }
}
