/** How `brook produce` cuts stdin into batches: at the batch size, whenever input pauses, and at the end. */
import { PassThrough, Readable } from 'node:stream'
import test from 'ava'
import { lineBatches } from '../../src/cli/line-batches.js'

async function collect(input: Readable, maxLines: number): Promise<string[][]> {
  const batches: string[][] = []
  for await (const batch of lineBatches(input, maxLines)) batches.push(batch.map(String))
  return batches
}

test('lines split across chunks, CRLF endings, empty lines and a last line without newline', async (t) => {
  const input = Readable.from([Buffer.from('al'), Buffer.from('pha\r\nbe'), Buffer.from('ta\n\ngam'), Buffer.from('ma')], { objectMode: false })
  t.deepEqual((await collect(input, 1000)).flat(), ['alpha', 'beta', '', 'gamma'])
})

test('a batch never holds more than maxLines, and one is cut whenever nothing more is buffered', async (t) => {
  const input = new PassThrough()
  const batches = lineBatches(input, 3)
  input.write('1\n2\n3\n4\n5\n')
  t.deepEqual((await batches.next()).value?.map(String), ['1', '2', '3'])
  t.deepEqual((await batches.next()).value?.map(String), ['4', '5'])
  input.write('6\n')
  t.deepEqual((await batches.next()).value?.map(String), ['6'])
  input.end('7')
  t.deepEqual((await batches.next()).value?.map(String), ['7'])
  t.true((await batches.next()).done)
})
