import test from 'ava'
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isBrokerError } from '../../src/errors.js'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { listBatches } from '../helpers/make-batch.js'
import { spawnFixture } from '../helpers/child.js'
import { testConfig } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

const T0 = 1_700_000_000_000
const HOUR = 3_600_000

test('SIGKILL mid-delete (after the 2nd segment rename): consistent log start, intact records, no leftovers, retention finishes', async (t) => {
  t.timeout(15_000)
  const dir = join(tempDir(t), 'topic-0')
  // 14 batches = 7 segments, segment k with largest timestamp T0 + (2k+1) h. Keeping 4 h as of
  // T0 + 13.5 h expires segments 0..4 (largest timestamps before T0 + 9.5 h); the kill comes
  // after the second of them was renamed away.
  const retentionMs = 4 * HOUR
  const nowMs = T0 + 13.5 * HOUR
  const child = spawnFixture(t, 'retention-crash-child.ts', [dir, '14', String(retentionMs), String(nowMs)], {
    env: { BROKER_CRASH_AT: 'retention-mid-delete:2' },
  })
  const { signal } = await child.exited
  t.is(signal, 'SIGKILL', `the child died at the crash point (output: ${child.lines.slice(-2).join(' | ')})`)
  t.false(child.lines.some((line) => line.startsWith('DONE')), 'retention did not finish')
  t.true(child.lines.includes('RETAIN'))

  const batches = child.lines
    .filter((line) => line.startsWith('BATCH '))
    .map((line) => {
      const [, base, last, hash] = line.split(' ')
      return { baseOffset: Number(base), lastOffset: Number(last), hash: hash! }
    })
  const segmentBases = child.lines.filter((line) => line.startsWith('SEGMENT ')).map((line) => Number(line.split(' ')[1]))
  t.is(batches.length, 14)
  t.deepEqual(segmentBases, [0, 6, 12, 18, 24, 30, 36])
  // The crash state: two segments renamed away, nothing unlinked, no log start persisted.
  t.is(readdirSync(dir).filter((name) => name.endsWith('.log.deleted')).length, 2)
  t.false(readdirSync(dir).includes('log-start-offset'))

  const log = PartitionLog.open(dir, testConfig({ segmentBytes: 1024, indexIntervalBytes: 128 }))
  t.teardown(() => log.close())
  t.deepEqual(readdirSync(dir).filter((name) => name.includes('.deleted')), [], 'no .deleted leftovers after open')
  t.true(segmentBases.includes(log.logStartOffset), `log start ${log.logStartOffset} is a segment boundary`)
  t.is(log.logStartOffset, 12)
  t.is(log.logEndOffset, 42)

  // Every offset from the log start to the log end reads back the batch written there, intact.
  const byOffset = new Map(batches.flatMap((batch) => Array.from({ length: batch.lastOffset - batch.baseOffset + 1 }, (_, i) => [batch.baseOffset + i, batch] as const)))
  let checked = 0
  for (let offset = log.logStartOffset; offset < log.logEndOffset; offset++) {
    const bytes = log.read(offset, 1)
    const [first] = listBatches(bytes)
    const expected = byOffset.get(offset)!
    t.is(first!.baseOffset, expected.baseOffset)
    t.is(createHash('sha256').update(bytes.subarray(0, first!.sizeBytes)).digest('hex'), expected.hash)
    checked++
  }
  t.is(checked, 30)
  const below = t.throws(() => log.read(11, 1))
  t.true(isBrokerError(below) && below.code === 'OFFSET_OUT_OF_RANGE')

  // A second run completes what the first began.
  const result = log.applyRetention({ retentionMs, retentionBytes: -1, nowMs })
  t.deepEqual(
    result.deletedSegments.map((segment) => segment.baseOffset),
    [12, 18, 24],
  )
  t.is(log.logStartOffset, 30)
  t.deepEqual(readdirSync(dir).filter((name) => name.includes('.deleted')), [])
  t.true(log.read(30, 1).length > 0)
})
