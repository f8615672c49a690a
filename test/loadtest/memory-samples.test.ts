import test from 'ava'
import { MemorySamples } from '../../src/loadtest/memory-samples.js'

test('RSS samples stay under 600 however long the run, thinned evenly, with the peak kept', (t) => {
  const memory = new MemorySamples()
  for (let second = 0; second < 3_600; second++) memory.sample(second * 1000)
  const { samples, startMiB, peakMiB, endMiB } = memory.summary()
  t.true(samples.length < 600 && samples.length >= 300, `${samples.length} samples`)
  t.is(samples[0]![0], 0)
  t.true(samples.every(([, rss]) => rss > 0 && rss <= peakMiB))
  t.true(startMiB > 0 && endMiB > 0)
  const gaps = new Set(samples.slice(1).map(([at], i) => at - samples[i]![0]))
  t.is(gaps.size, 1, 'evenly spaced')
})
