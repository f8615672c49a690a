import test from 'ava'
import { Broker } from '../../src/index.js'
import { readAll } from '../helpers/broker.js'
import { spawnFixture } from '../helpers/child.js'
import { tempDir } from '../helpers/temp-dir.js'

test('records acknowledged with acks=all survive SIGKILL of the embedding process, rounds after rounds', async (t) => {
  const dataDir = tempDir(t)
  const acked = new Map<string, string>()
  const rounds = 4
  for (let round = 0; round < rounds; round++) {
    const child = spawnFixture(t, 'produce-child.ts', [dataDir, 'crash', '3'])
    const target = 300 + round * 137
    await child.waitFor((lines) => lines.filter((line) => line.startsWith('ACK')).length >= target)
    child.process.kill('SIGKILL')
    const { signal } = await child.exited
    t.is(signal, 'SIGKILL')
    for (const line of child.lines) {
      if (!line.startsWith('ACK')) continue
      const [, partition, offset, value] = line.split(' ')
      const slot = `${partition}/${offset}`
      // Offsets are never reused: an acked slot keeps the value first acknowledged at it.
      t.true(!acked.has(slot) || acked.get(slot) === value, `offset ${slot} acked twice with different values`)
      acked.set(slot, value)
    }
  }
  const broker = await Broker.open({ dataDir, workers: 2 })
  t.teardown(() => broker.close())
  let verified = 0
  for (let partition = 0; partition < 3; partition++) {
    const records = await readAll(broker, 'crash', partition)
    records.forEach((record, index) => t.is(record.offset, String(index)))
    for (const record of records) {
      const expected = acked.get(`${partition}/${record.offset}`)
      if (expected !== undefined) {
        t.is(record.value!.toString(), expected)
        verified++
      }
    }
  }
  t.is(verified, acked.size, 'every acknowledged record is present at its acknowledged offset')
  t.log(`${rounds} SIGKILLs, ${verified} acknowledged records verified present and intact`)
})
