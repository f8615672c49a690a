import test from 'ava'
import { existsSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { random } from '../helpers/make-batch.js'
import { checkEveryOffset, copyDir, fill, segmentFiles, testConfig, type StoredBatch } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

const config = testConfig({ segmentBytes: 4096, indexIntervalBytes: 150 })

type Damage = (path: string, logPath: string) => void

const entry = (relativeOffset: number, position: number): Buffer => {
  const bytes = Buffer.alloc(8)
  bytes.writeInt32BE(relativeOffset, 0)
  bytes.writeInt32BE(position, 4)
  return bytes
}

const SEED = 4242
const next = random(SEED)
const offsetIndexDamages: Record<string, Damage> = {
  'truncated to 0': (path) => truncateSync(path, 0),
  'odd length': (path) => truncateSync(path, statSync(path).size - 3),
  'cut short (whole entries)': (path) => truncateSync(path, 8),
  'zero-filled': (path) => writeFileSync(path, Buffer.alloc(statSync(path).size)),
  'random bytes': (path) => writeFileSync(path, Buffer.from(Array.from({ length: statSync(path).size }, () => Math.floor(next() * 256)))),
  'random bytes appended': (path) => writeFileSync(path, Buffer.concat([readFileSync(path), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9])])),
  deleted: (path) => unlinkSync(path),
  'entry beyond the log end': (path, logPath) => writeFileSync(path, Buffer.concat([readFileSync(path), entry(100_000, statSync(logPath).size + 10)])),
  'non-monotonic offsets': (path) => {
    const bytes = readFileSync(path)
    const a = Buffer.from(bytes.subarray(0, 8))
    bytes.copy(bytes, 0, 8, 16)
    a.copy(bytes, 8)
    writeFileSync(path, bytes)
  },
  'last offset not above the base offset': (path) => writeFileSync(path, Buffer.concat([entry(0, 0)])),
  'entry pointing inside a batch': (path) => {
    const bytes = readFileSync(path)
    bytes.writeInt32BE(bytes.readInt32BE(bytes.length - 4) + 5, bytes.length - 4)
    writeFileSync(path, bytes)
  },
}
const timeIndexDamages: Record<string, Damage> = {
  'time index truncated to 0': (path) => truncateSync(path, 0),
  'time index odd length': (path) => truncateSync(path, statSync(path).size - 5),
  'time index zero-filled': (path) => writeFileSync(path, Buffer.alloc(statSync(path).size)),
  'time index deleted': (path) => unlinkSync(path),
  'time index last entry dropped': (path) => truncateSync(path, statSync(path).size - 12),
}

async function pristine(dir: string): Promise<StoredBatch[]> {
  const log = PartitionLog.open(dir, config)
  const stored = fill(log, 120, { timestamp: (i) => 1_000_000 + i * 100 })
  await log.close()
  return stored
}

test('damaged indexes (middle and active segment) are rebuilt and every lookup is right', async (t) => {
  t.log(`seed ${SEED}`)
  const source = tempDir(t)
  const stored = await pristine(source)
  const logs = segmentFiles(source)
  t.true(logs.length >= 4)
  const targets = { middle: logs[1]!, active: logs[logs.length - 1]! }
  let survived = 0
  let lookups = 0
  let total = 0
  for (const [where, logName] of Object.entries(targets)) {
    for (const [kind, damages] of [
      ['.index', offsetIndexDamages],
      ['.timeindex', timeIndexDamages],
    ] as const) {
      for (const [name, damage] of Object.entries(damages)) {
        total += 1
        const dir = tempDir(t)
        copyDir(source, dir)
        const indexName = logName.replace('.log', kind)
        t.true(statSync(join(dir, indexName)).size >= 16, `${where} ${indexName} has entries to damage`)
        damage(join(dir, indexName), join(dir, logName))
        const log = PartitionLog.open(dir, config)
        const label = `${where} segment, ${name}`
        let ok = t.true(log.recovery.rebuiltIndexes.includes(indexName), `${label}: reported rebuilt (${log.recovery.rebuiltIndexes.join(', ')})`)
        ok = checkEveryOffset(t, log, stored) && ok
        lookups += stored[stored.length - 1]!.lastOffset + 1
        for (const batch of stored.filter((_, i) => i % 7 === 0)) {
          ok = t.is(log.offsetForTimestamp(Number(batch.bytes.readBigInt64BE(35)) - 50), batch.baseOffset, `${label}: timestamp lookup`) && ok
        }
        await log.close()
        // The rebuilt files are sound: the next open trusts them.
        const again = PartitionLog.open(dir, config)
        ok = t.deepEqual(again.recovery.rebuiltIndexes, [], `${label}: rebuilt files pass validation`) && ok
        ok = t.true(existsSync(join(dir, indexName))) && ok
        await again.close()
        if (ok) survived += 1
      }
    }
  }
  t.log(`index damages survived: ${survived}/${total}, ${lookups} offset lookups verified`)
  t.is(survived, total)
})
