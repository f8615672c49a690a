import test from 'ava'
import { spawnFixture } from '../helpers/child.js'
import { tempDir } from '../helpers/temp-dir.js'

test('a 1,000-partition topic runs on the bounded worker threads, evenly spread, under 300 MB RSS', async (t) => {
  const child = spawnFixture(t, 'scale-child.ts', [tempDir(t), '1000', '2'])
  await child.waitFor((lines) => lines.some((line) => line.startsWith('{')), 60_000)
  const result = JSON.parse(child.lines.find((line) => line.startsWith('{'))!)
  t.log(result)
  t.is(result.workerThreads, 2)
  t.deepEqual(result.partitionsPerWorker, [500, 500])
  // Main + 2 workers + libuv pool and V8 helpers: far from one thread per partition.
  t.true(result.osThreads < 40, `${result.osThreads} OS threads`)
  t.true(result.rssBytes < 300 * 1024 * 1024, `RSS ${result.rssBytes}`)
  t.deepEqual(result.recordsPerPartition, ['1'])
})
