import test from 'ava'
import { Verifier, type Observation } from '../../src/loadtest/verifier.js'

const G = 'g'

/** 3 partitions × 10 records from producer 0, acked; returns the observations a clean read makes. */
function setup(): { verifier: Verifier; reads: Observation[] } {
  const verifier = new Verifier(3, [G])
  const reads: Observation[] = []
  for (let p = 0; p < 3; p++) {
    verifier.acked({ partition: p, baseOffset: 0, producerId: 0, firstSequence: 0, count: 10 })
    for (let o = 0; o < 10; o++) reads.push({ group: G, session: 's0', segment: 1, partition: p, offset: o, producerId: 0, sequence: o })
  }
  return { verifier, reads }
}

test('positive control: a complete in-order read verifies clean', (t) => {
  const { verifier, reads } = setup()
  for (const r of reads) verifier.observed(r)
  const result = verifier.result()
  t.true(result.ok)
  t.is(result.acked, 30)
  t.is(result.lost, 0)
  t.is(result.reordered, 0)
  t.is(result.duplicates, 0)
  t.is(result.groups[0]!.seenDistinct, 30)
})

test('negative control: records deleted behind its back are reported lost', (t) => {
  const { verifier, reads } = setup()
  // Two records vanish between the producer's ack and the consumer's read.
  const deleted = reads.filter((r) => !(r.partition === 1 && (r.offset === 3 || r.offset === 7)))
  for (const r of deleted) verifier.observed(r)
  const result = verifier.result()
  t.false(result.ok)
  t.is(result.lost, 2)
  t.deepEqual(result.groups[0]!.lostSamples, [{ partition: 1, offset: 3 }, { partition: 1, offset: 7 }])
})

test('negative control: a partition read out of order is reported as reordering', (t) => {
  const { verifier, reads } = setup()
  const p2 = reads.filter((r) => r.partition === 2)
  const swapped = [...reads.filter((r) => r.partition !== 2), ...p2.slice(0, 4), p2[5]!, p2[4]!, ...p2.slice(6)]
  for (const r of swapped) verifier.observed(r)
  const result = verifier.result()
  t.false(result.ok)
  t.is(result.lost, 0)
  t.is(result.reordered, 1)
  t.like(result.groups[0]!.reorderSamples[0], { partition: 2, offset: 4, after: 5 })
})

test('negative control: every group must see every record', (t) => {
  const verifier = new Verifier(1, ['a', 'b'])
  verifier.acked({ partition: 0, baseOffset: 0, producerId: 0, firstSequence: 0, count: 5 })
  for (let o = 0; o < 5; o++) verifier.observed({ group: 'a', session: 's', segment: 1, partition: 0, offset: o, producerId: 0, sequence: o })
  const result = verifier.result()
  t.false(result.ok)
  t.is(result.groups.find((g) => g.group === 'a')!.lost, 0)
  t.is(result.groups.find((g) => g.group === 'b')!.lost, 5)
})

test('a rewind after a rebalance is duplicates, not reordering; a rewind inside a segment is reordering', (t) => {
  const { verifier, reads } = setup()
  for (const r of reads) verifier.observed(r)
  // Same session, new segment (re-joined): partition 0 re-read from offset 5.
  for (let o = 5; o < 10; o++) verifier.observed({ group: G, session: 's0', segment: 2, partition: 0, offset: o, producerId: 0, sequence: o })
  // A new session (restarted member) re-reads partition 1 from offset 8.
  for (let o = 8; o < 10; o++) verifier.observed({ group: G, session: 's1', segment: 1, partition: 1, offset: o, producerId: 0, sequence: o })
  let result = verifier.result()
  t.true(result.ok)
  t.is(result.duplicates, 7)
  t.is(result.reordered, 0)
  // But a rewind within segment 2 of s0 is reordering.
  verifier.observed({ group: G, session: 's0', segment: 2, partition: 0, offset: 6, producerId: 0, sequence: 6 })
  result = verifier.result()
  t.false(result.ok)
  t.is(result.reordered, 1)
})

test('records seen but never acknowledged: fabricated ones fail, in-doubt sends and retried writes do not', (t) => {
  const verifier = new Verifier(1, [G])
  verifier.acked({ partition: 0, baseOffset: 0, producerId: 0, firstSequence: 0, count: 2 })
  verifier.inDoubt({ partition: 0, producerId: 0, firstSequence: 2, count: 1 })
  const see = (offset: number, sequence: number, producerId = 0): void =>
    verifier.observed({ group: G, session: 's', segment: 1, partition: 0, offset, producerId, sequence })
  see(0, 0); see(1, 1)
  see(2, 2) // written by a send that failed: allowed, counted apart
  see(3, 1) // a retried batch written twice: the copy at offset 3 repeats acked sequence 1
  let result = verifier.result()
  t.true(result.ok)
  t.is(result.groups[0]!.unackedWrites, 1)
  t.is(result.groups[0]!.duplicateWrites, 1)
  see(4, 99, 7) // nobody sent this
  result = verifier.result()
  t.false(result.ok)
  t.is(result.seenNeverAcked, 1)
})

test('an acknowledged offset delivered with another record is a mismatch', (t) => {
  const verifier = new Verifier(1, [G])
  verifier.acked({ partition: 0, baseOffset: 0, producerId: 0, firstSequence: 0, count: 1 })
  verifier.observed({ group: G, session: 's', segment: 1, partition: 0, offset: 0, producerId: 1, sequence: 0 })
  const result = verifier.result()
  t.false(result.ok)
  t.is(result.mismatched, 1)
})

test('producer-side order: acked offsets must grow with the producer sequence', (t) => {
  const verifier = new Verifier(1, [G])
  verifier.acked({ partition: 0, baseOffset: 10, producerId: 0, firstSequence: 0, count: 5 })
  verifier.acked({ partition: 0, baseOffset: 0, producerId: 0, firstSequence: 5, count: 5 })
  for (let o = 0; o < 15; o++) if (o < 5 || o >= 10) verifier.observed({ group: G, session: 's', segment: 1, partition: 0, offset: o, producerId: 0, sequence: o < 5 ? o + 5 : o - 10 })
  const result = verifier.result()
  t.is(result.lost, 0)
  t.is(result.producerOrderViolations, 1)
  t.false(result.ok)
})

test('a delivery that arrives before its ack is checked when the ack comes (right record and wrong one)', (t) => {
  const verifier = new Verifier(1, [G])
  const see = (offset: number, sequence: number): void =>
    verifier.observed({ group: G, session: 's', segment: 1, partition: 0, offset, producerId: 0, sequence })
  see(0, 0); see(1, 1); see(2, 7)
  t.is(verifier.lag(G), 0)
  verifier.acked({ partition: 0, baseOffset: 0, producerId: 0, firstSequence: 0, count: 3 })
  t.true(verifier.caughtUp())
  const result = verifier.result()
  t.is(result.lost, 0)
  t.is(result.seenNeverAcked, 0)
  t.is(result.mismatched, 1)
})

test('a gap left open keeps the records after it; closing it late verifies clean', (t) => {
  const verifier = new Verifier(1, [G])
  const n = 100_000
  verifier.acked({ partition: 0, baseOffset: 0, producerId: 0, firstSequence: 0, count: n })
  const see = (offset: number): void => verifier.observed({ group: G, session: 's', segment: 1, partition: 0, offset, producerId: 0, sequence: offset })
  // Offset 10 is skipped: everything after it is held in the bitset, and it is lost until seen.
  for (let o = 0; o < n; o++) if (o !== 10) see(o)
  let result = verifier.result()
  t.is(result.lost, 1)
  t.deepEqual(result.groups[0]!.lostSamples, [{ partition: 0, offset: 10 }])
  t.false(verifier.caughtUp())
  // Seen late, in a new segment (a rewind after a rebalance is not reordering).
  verifier.observed({ group: G, session: 's', segment: 2, partition: 0, offset: 10, producerId: 0, sequence: 10 })
  result = verifier.result()
  t.true(result.ok)
  t.is(result.groups[0]!.seenDistinct, n)
  t.true(verifier.caughtUp())
})

test('batched observations: acks interleaved from two producers, columns as the workers send them', (t) => {
  const verifier = new Verifier(2, [G])
  // Producer 0 and 1 interleave ranges on partition 1; acks arrive out of offset order.
  verifier.acked({ partition: 1, baseOffset: 3, producerId: 1, firstSequence: 0, count: 3 })
  verifier.acked({ partition: 1, baseOffset: 0, producerId: 0, firstSequence: 0, count: 3 })
  verifier.acked({ partition: 1, baseOffset: 6, producerId: 0, firstSequence: 3, count: 2 })
  verifier.observedBatch({
    group: G, session: 's', segment: 1, partition: 1, count: 8,
    offset: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
    producerId: Int32Array.from([0, 0, 0, 1, 1, 1, 0, 0]),
    sequence: Uint32Array.from([0, 1, 2, 0, 1, 2, 3, 4]),
  })
  const result = verifier.result()
  t.true(result.ok, JSON.stringify(result))
  t.is(result.acked, 8)
  t.is(result.groups[0]!.seenDistinct, 8)
  t.is(result.producerOrderViolations, 0)
})
