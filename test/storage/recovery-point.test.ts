import test from 'ava'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { CHECKPOINT_BYTES, decodeCheckpoint, encodeCheckpoint, type SegmentCheckpoint } from '../../src/storage/recovery-point.js'
import { checkEveryOffset, fill, testConfig } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

const checkpoint: SegmentCheckpoint = {
  baseOffset: 1234,
  position: 56_789,
  nextOffset: 2000,
  offsetIndexEntries: 12,
  timeIndexEntries: 3,
  maxTimestamp: 1_700_000_000_123,
  offsetOfMaxTimestamp: 1999,
  bytesSinceIndexEntry: 77,
  rollStartMs: -1,
}

test('checkpoint files round-trip and reject any damaged byte', (t) => {
  const bytes = encodeCheckpoint('recovery-point', checkpoint)
  t.is(bytes.length, CHECKPOINT_BYTES)
  t.deepEqual(decodeCheckpoint('recovery-point', bytes), checkpoint)
  t.is(decodeCheckpoint('clean-shutdown', bytes), null, 'the kind is part of the record')
  for (let at = 0; at < bytes.length; at++) {
    const damaged = Buffer.from(bytes)
    damaged[at] = damaged[at]! ^ 0x10
    t.is(decodeCheckpoint('recovery-point', damaged), null, `byte ${at}`)
  }
  t.is(decodeCheckpoint('recovery-point', bytes.subarray(0, 40)), null)
})

test('the recovery point bounds the scan; a garbled one means a full scan of the active segment', async (t) => {
  const dir = tempDir(t)
  let now = 0
  const config = testConfig({ indexIntervalBytes: 100 })
  const log = PartitionLog.open(dir, config, { now: () => now })
  const stored = fill(log, 50)
  await log.sync()
  const covered = log.stats().sizeBytes
  const point = decodeCheckpoint('recovery-point', readFileSync(join(dir, 'recovery-point')))
  t.like(point, { baseOffset: 0, position: covered, nextOffset: log.logEndOffset })
  // Within the interval no new point is written; past it, one is.
  const more = fill(log, 10, { seed: 2 })
  now += 500
  await log.sync()
  t.like(decodeCheckpoint('recovery-point', readFileSync(join(dir, 'recovery-point'))), { position: covered })
  const crashed = tempDir(t)
  cpSync(dir, crashed, { recursive: true })
  now += 1000
  fill(log, 1, { seed: 3 })
  await log.sync()
  t.like(decodeCheckpoint('recovery-point', readFileSync(join(dir, 'recovery-point'))), { position: log.stats().sizeBytes })
  await log.close()

  let reopened = PartitionLog.open(crashed, config, { now: () => now })
  t.is(reopened.recovery.scannedBytes, reopened.stats().sizeBytes - covered, 'scan starts at the recovery point')
  checkEveryOffset(t, reopened, [...stored, ...more])
  await reopened.close()

  const garbled = tempDir(t)
  cpSync(crashed, garbled, { recursive: true })
  writeFileSync(join(garbled, 'clean-shutdown'), Buffer.alloc(0)) // a garbled marker is no marker
  writeFileSync(join(garbled, 'recovery-point'), Buffer.from('not a checkpoint'))
  reopened = PartitionLog.open(garbled, config, { now: () => now })
  t.false(reopened.recovery.cleanShutdown)
  t.is(reopened.recovery.scannedBytes, reopened.stats().sizeBytes, 'full scan')
  checkEveryOffset(t, reopened, [...stored, ...more])
  await reopened.close()
})
