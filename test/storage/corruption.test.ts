import test, { type ExecutionContext } from 'ava'
import { closeSync, openSync, readFileSync, readSync, statSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { isBrokerError } from '../../src/errors.js'
import { PartitionLog } from '../../src/storage/partition-log.js'
import { listBatches, makeBatch, random } from '../helpers/make-batch.js'
import { batchHolding, copyDir, fill, segmentFiles, testConfig, type StoredBatch } from '../helpers/storage.js'
import { tempDir } from '../helpers/temp-dir.js'

const config = testConfig({ segmentBytes: 2048, indexIntervalBytes: 200 })

interface Located extends StoredBatch {
  segment: string
  position: number
}

/** A cleanly closed log of 6+ segments; its batches with the segment and position each sits at. */
async function pristine(dir: string): Promise<Located[]> {
  const log = PartitionLog.open(dir, config)
  fill(log, 100)
  await log.close()
  const located: Located[] = []
  for (const segment of segmentFiles(dir)) {
    const bytes = readFileSync(join(dir, segment))
    for (const batch of listBatches(bytes)) {
      located.push({ ...batch, segment, bytes: bytes.subarray(batch.position, batch.position + batch.sizeBytes) })
    }
  }
  return located
}

function flipBit(path: string, position: number, bit: number): void {
  const fd = openSync(path, 'r+')
  const byte = Buffer.alloc(1)
  readSync(fd, byte, 0, 1, position)
  byte[0] = byte[0]! ^ (1 << bit)
  writeSync(fd, byte, 0, 1, position)
  closeSync(fd)
}

function logSizes(dir: string): Record<string, number> {
  return Object.fromEntries(segmentFiles(dir).map((name) => [name, statSync(join(dir, name)).size]))
}

/** Reads offset by offset; returns the offsets that failed with CORRUPT_MESSAGE (and checks every success is exact). */
function readAll(t: ExecutionContext, log: PartitionLog, batches: Located[]): Map<number, Record<string, unknown>> {
  const failed = new Map<number, Record<string, unknown>>()
  for (const batch of batches) {
    for (let offset = batch.baseOffset; offset <= batch.lastOffset; offset++) {
      try {
        const bytes = log.read(offset, 1 << 20)
        const returned = listBatches(bytes)
        // Whatever comes back is exactly the stored batches from the one holding `offset`.
        const expected = Buffer.concat(batches.filter((b) => b.segment === batch.segment && b.baseOffset >= batch.baseOffset).slice(0, returned.length).map((b) => b.bytes))
        if (!bytes.equals(expected)) t.fail(`offset ${offset}: wrong bytes served`)
      } catch (error) {
        if (!isBrokerError(error) || error.code !== 'CORRUPT_MESSAGE') throw error
        failed.set(offset, error.details)
      }
    }
  }
  return failed
}

test('a flipped bit in a sealed middle segment: exact damaged range, never served, nothing truncated', async (t) => {
  const source = tempDir(t)
  const batches = await pristine(source)
  const segments = segmentFiles(source)
  t.true(segments.length >= 6, `${segments.length} segments`)
  const seed = Date.now() % 100_000
  t.log(`seed ${seed}`)
  const next = random(seed)
  const victims = batches.filter((batch) => batch.segment === segments[2])
  const iterations = 40
  let exact = 0
  for (let i = 0; i < iterations; i++) {
    const dir = tempDir(t)
    copyDir(source, dir)
    const victim = victims[Math.floor(next() * victims.length)]!
    // Any byte but partitionLeaderEpoch (12..15): outside the CRC and unused by the broker, so undetectable.
    let at: number
    do at = Math.floor(next() * victim.bytes.length)
    while (at >= 12 && at < 16)
    flipBit(join(dir, victim.segment), victim.position + at, Math.floor(next() * 8))
    const sizes = logSizes(dir)

    const log = PartitionLog.open(dir, config)
    t.true(log.recovery.cleanShutdown)
    const failed = readAll(t, log, batches)
    const range = {
      firstOffset: victim.baseOffset,
      lastOffset: victim.lastOffset,
      segment: victim.segment,
      startPosition: victim.position,
      endPosition: victim.position + victim.bytes.length,
    }
    const ok =
      failed.size === victim.lastOffset - victim.baseOffset + 1 &&
      [...failed.entries()].every(([offset, details]) => offset >= victim.baseOffset && offset <= victim.lastOffset && JSON.stringify({ ...details, reason: undefined }) === JSON.stringify({ ...range, reason: undefined })) &&
      log.damagedRanges().length === 1 &&
      log.damagedRanges()[0]!.firstOffset === range.firstOffset &&
      log.damagedRanges()[0]!.lastOffset === range.lastOffset
    if (ok) exact += 1
    else t.log(`iteration ${i}: byte ${at} of batch ${victim.baseOffset}..${victim.lastOffset}`, [...failed.keys()], log.damagedRanges())
    // A read from before the damage returns the good batches up to it.
    const before = batches.find((batch) => batch.segment === victim.segment)!
    if (before !== victim) {
      const bytes = log.read(before.baseOffset, 1 << 20)
      t.true(listBatches(bytes).every((batch) => batch.lastOffset < victim.baseOffset))
    }
    // Produce continues.
    t.is(log.append(makeBatch()).baseOffset, batches[batches.length - 1]!.lastOffset + 1)
    await log.close()
    delete sizes[segmentFiles(dir).at(-1)!]
    const after = logSizes(dir)
    delete after[segmentFiles(dir).at(-1)!]
    t.deepEqual(after, sizes, 'no segment was truncated or deleted')
  }
  t.log(`bit flips in sealed segments: ${exact}/${iterations} damaged ranges reported exactly, corrupt batches served: 0`)
  t.is(exact, iterations)
})

test('a garbled length field (lost framing) in a middle segment: resync, later batches readable', async (t) => {
  const source = tempDir(t)
  const batches = await pristine(source)
  const segments = segmentFiles(source)
  const inSegment = batches.filter((batch) => batch.segment === segments[2])
  t.true(inSegment.length >= 4)
  for (const garbage of [-1, 0, 7, 0x7fffffff, inSegment[1]!.bytes.length + 40, 0x00010000]) {
    const dir = tempDir(t)
    copyDir(source, dir)
    const victim = inSegment[1]!
    const fd = openSync(join(dir, victim.segment), 'r+')
    const field = Buffer.alloc(4)
    field.writeInt32BE(garbage)
    writeSync(fd, field, 0, 4, victim.position + 8)
    closeSync(fd)
    const log = PartitionLog.open(dir, config)
    // Later batches first (the walk meets the damage on its way), then the damaged one.
    for (const batch of inSegment.slice(2)) t.true(log.read(batch.baseOffset, 1).equals(batch.bytes), `length ${garbage}: batch ${batch.baseOffset}`)
    const error = t.throws(() => log.read(victim.baseOffset, 1 << 20))
    t.like(error, {
      code: 'CORRUPT_MESSAGE',
      details: { firstOffset: victim.baseOffset, lastOffset: victim.lastOffset, segment: victim.segment, startPosition: victim.position, endPosition: victim.position + victim.bytes.length },
    })
    t.like(t.throws(() => log.read(victim.lastOffset, 1)), { code: 'CORRUPT_MESSAGE' }, 'keeps failing inside the range')
    t.true(log.read(inSegment[0]!.baseOffset, 1 << 20).equals(inSegment[0]!.bytes))
    t.true(log.read(victim.lastOffset + 1, 1).equals(batchHolding(batches, victim.lastOffset + 1).bytes))
    await log.close()
  }
})

test('two bit errors in one 4 KiB chunk (NATS bitflip-file-chunks): every read is exact or CORRUPT_MESSAGE', async (t) => {
  const source = tempDir(t)
  const batches = await pristine(source)
  const segments = segmentFiles(source)
  const seed = (Date.now() % 100_000) + 1
  t.log(`seed ${seed}`)
  const next = random(seed)
  for (let i = 0; i < 10; i++) {
    const dir = tempDir(t)
    copyDir(source, dir)
    const segment = segments[1 + Math.floor(next() * 3)]!
    const inSegment = batches.filter((batch) => batch.segment === segment)
    const flips: number[] = []
    while (flips.length < 2) {
      const batch = inSegment[Math.floor(next() * inSegment.length)]!
      const at = Math.floor(next() * batch.bytes.length)
      if (at >= 12 && at < 16) continue
      flips.push(batch.position + at)
    }
    for (const position of flips) flipBit(join(dir, segment), position, Math.floor(next() * 8))
    const log = PartitionLog.open(dir, config)
    const failed = readAll(t, log, batches)
    // Exactly the batches holding a flipped byte fail; each failure names a range holding the offset.
    const hit = inSegment.filter((batch) => flips.some((position) => position >= batch.position && position < batch.position + batch.bytes.length))
    const expectedFailed = hit.reduce((sum, batch) => sum + batch.lastOffset - batch.baseOffset + 1, 0)
    t.is(failed.size, expectedFailed, `iteration ${i}`)
    for (const [offset, details] of failed) t.true((details['firstOffset'] as number) <= offset && offset <= (details['lastOffset'] as number))
    await log.close()
  }
})

test('a corrupt last batch after a clean close is reported, not truncated (it was acknowledged)', async (t) => {
  const source = tempDir(t)
  const batches = await pristine(source)
  const last = batches[batches.length - 1]!
  flipBit(join(source, last.segment), last.position + 40, 3)
  const size = statSync(join(source, last.segment)).size
  const log = PartitionLog.open(source, config)
  t.is(log.logEndOffset, last.lastOffset + 1)
  t.like(t.throws(() => log.read(last.baseOffset, 1 << 20)), { code: 'CORRUPT_MESSAGE', details: { firstOffset: last.baseOffset, lastOffset: last.lastOffset } })
  t.is(statSync(join(source, last.segment)).size, size)
  t.is(log.append(makeBatch()).baseOffset, last.lastOffset + 1)
  await log.close()
})
