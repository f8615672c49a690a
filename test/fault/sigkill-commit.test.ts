import test from 'ava'
import { Broker } from '../../src/index.js'
import { spawnFixture } from '../helpers/child.js'
import { tempDir } from '../helpers/temp-dir.js'

test('an acknowledged offset commit survives SIGKILL of the embedding process and never goes backwards', async (t) => {
  const dataDir = tempDir(t)
  let lastAcked = -1
  for (let round = 0; round < 3; round++) {
    const child = spawnFixture(t, 'commit-child.ts', [dataDir])
    await child.waitFor((lines) => lines.some((line) => line.startsWith('START')))
    const start = Number(child.lines.find((line) => line.startsWith('START'))!.split(' ')[1])
    t.true(start >= lastAcked, `round ${round} resumed at ${start}, below the last acknowledged commit ${lastAcked}`)
    const target = 50 + round * 37
    await child.waitFor((lines) => lines.filter((line) => line.startsWith('COMMITTED')).length >= target)
    child.process.kill('SIGKILL')
    await child.exited
    const committed = child.lines.filter((line) => line.startsWith('COMMITTED')).map((line) => Number(line.split(' ')[1]))
    lastAcked = committed[committed.length - 1]
  }
  const broker = await Broker.open({ dataDir, workers: 1 })
  t.teardown(() => broker.close())
  const [{ offset }] = (await broker.admin().fetchOffsets({ groupId: 'crashing', topics: ['work'] }))[0].partitions
  t.true(Number(offset) >= lastAcked, `committed ${offset} after the last SIGKILL; last acknowledged ${lastAcked}`)
  t.log(`3 SIGKILLs during commits; last acknowledged commit ${lastAcked}, found ${offset}`)
})
