/**
 * B1 (reliability.md C3): the RecordBatch v2 decoder under model-generated, mutated and random
 * input, bounded for `npm test`. `npm run fuzz` runs the same properties with far more inputs.
 * (test/property/record-batch.property.test.ts holds the builder/decoder round-trip properties
 * and the hand-written hostile cases; this file is the fuzzer.)
 */
import test from 'ava'
import fc from 'fast-check'
import { figure, outcomeLine, seedFromEnv } from '../helpers/fuzz-common.js'
import { batchProperty, batchReports, randomProperty } from '../helpers/fuzz-record-batch.js'

const seed = seedFromEnv()
const reports = batchReports(seed)
const MUTATED_RUNS = 4000
const RANDOM_RUNS = 6000

test('fuzz: valid batches round-trip; mutated ones decode to records or a BrokerError, fast and bounded', (t) => {
  const report = reports.mutated
  fc.assert(batchProperty(report, { numRuns: MUTATED_RUNS, seed }), { seed, numRuns: MUTATED_RUNS, includeErrorInReport: true, endOnFailure: true })
  t.log(figure(report))
  t.log(outcomeLine(report))
  t.is(report.runs, MUTATED_RUNS)
  t.is(report.crashes + report.hangs + report.blowUps, 0)
  // Vacuity guards: the mutations reach the record parser (some decode, some are refused there).
  t.true((report.outcomes.CORRUPT_MESSAGE ?? 0) > MUTATED_RUNS / 10)
  t.true((report.outcomes.records ?? 0) > MUTATED_RUNS / 10)
  t.true((report.outcomes.RECORD_LIST_TOO_LARGE ?? 0) > 0)
})

test('fuzz: random bytes decode to records or a BrokerError, fast and bounded', (t) => {
  const report = reports.random
  fc.assert(randomProperty(report, { numRuns: RANDOM_RUNS, seed }), { seed, numRuns: RANDOM_RUNS, includeErrorInReport: true, endOnFailure: true })
  t.log(figure(report))
  t.log(outcomeLine(report))
  t.is(report.runs, RANDOM_RUNS)
  t.is(report.crashes + report.hangs + report.blowUps, 0)
})
