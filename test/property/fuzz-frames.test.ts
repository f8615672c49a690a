/**
 * B2 (reliability.md C3): the frame reader, request header and Reader primitives under hostile
 * bytes, bounded for `npm test`. `npm run fuzz` runs the same properties with far more inputs.
 */
import test from 'ava'
import fc from 'fast-check'
import { figure, outcomeLine, probeAllocations, seedFromEnv } from '../helpers/fuzz-common.js'
import { frameReports, framesProperty, headerProperty, readerProperty } from '../helpers/fuzz-frames.js'

const seed = seedFromEnv()
const reports = frameReports(seed)

test('fuzz: any chunking of a frame stream gives the same frames and errors, memory bounded by bytes pushed', (t) => {
  const report = reports.frames
  fc.assert(framesProperty(report, { numRuns: 3000, seed }), { seed, numRuns: 3000, includeErrorInReport: true, endOnFailure: true })
  t.log(figure(report, 'push'))
  t.log(`${report.name}: ${report.blowUps} pre-validation allocations (no allocation above the bytes held, whatever size was announced)`)
  t.log(outcomeLine(report))
  t.is(report.runs, 3000)
  t.is(report.crashes + report.hangs + report.blowUps, 0)
})

test('fuzz: hostile request headers and ApiVersions bodies parse or throw ProtocolError', async (t) => {
  const report = reports.header
  await fc.assert(headerProperty(report, { numRuns: 5000, seed }), { seed, numRuns: 5000, includeErrorInReport: true, endOnFailure: true })
  t.log(figure(report, 'parse'))
  t.log(outcomeLine(report))
  t.is(report.runs, 5000)
  t.true((report.outcomes['header refused'] ?? 0) > 0 && (report.outcomes['ApiVersions answered'] ?? 0) > 0)
})

test('fuzz: Reader reads over hostile bytes throw only ProtocolError, counts checked before elements', (t) => {
  const report = reports.reader
  fc.assert(readerProperty(report, { numRuns: 5000, seed }), { seed, numRuns: 5000, includeErrorInReport: true, endOnFailure: true })
  t.log(figure(report, 'parse'))
  t.log(outcomeLine(report))
  t.is(report.runs, 5000)
  t.true((report.outcomes.refused ?? 0) > 0 && (report.outcomes['program completed'] ?? 0) > 0)
})

test('negative control: the allocation probe sees what a parser that trusted a size prefix would allocate', (t) => {
  const original = { alloc: Buffer.alloc, concat: Buffer.concat }
  const claimed = Buffer.from([0x00, 0x10, 0x00, 0x00]).readInt32BE(0) // 1 MiB announced in 4 bytes
  t.is(probeAllocations(() => Buffer.alloc(claimed)).largest, claimed)
  t.is(probeAllocations(() => Buffer.allocUnsafe(claimed)).largest, claimed)
  t.is(probeAllocations(() => Buffer.concat([Buffer.from('ab'), Buffer.from('cd')])).largest, 4)
  t.is(probeAllocations(() => 1).largest, 0)
  t.is(Buffer.alloc, original.alloc, 'the probe puts Buffer back')
  t.is(Buffer.concat, original.concat)
})
