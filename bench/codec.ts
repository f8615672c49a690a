/**
 * Micro benchmark of the RecordBatch v2 codec: encode and decode 1,000,000 records with 100-byte
 * values (8-byte keys, no headers) in batches of 1,000, and the same with one header per record.
 * Decoding walks ~1 MiB record sets (what one fetch returns) and creates every message object.
 * Reports the median of 5 runs after a warm-up. Run: npx tsx bench/codec.ts
 */
import { RecordBatchBuilder, decodeRecordSet, type RecordHeaders } from '../src/protocol/record-batch.js'
import { describeMachine, machineInfo } from './machine.js'

const RECORDS = 1_000_000
const BATCH_RECORDS = 1_000
const VALUE_BYTES = 100
const FETCH_BYTES = 1_048_576
const RUNS = 5

const value = Buffer.alloc(VALUE_BYTES, 0x61)
const keys = Array.from({ length: BATCH_RECORDS }, (_, i) => Buffer.from(`key-${String(i).padStart(4, '0')}`))
const oneHeader: RecordHeaders = [['trace-id', Buffer.from('0123456789abcdef')]]

function encodeAll(headers: RecordHeaders | null): Buffer[] {
  const batches: Buffer[] = []
  const timestampMs = 1_700_000_000_000
  for (let done = 0; done < RECORDS; done += BATCH_RECORDS) {
    const builder = new RecordBatchBuilder({ initialCapacityBytes: 131_072 })
    for (let i = 0; i < BATCH_RECORDS; i++) builder.append(keys[i], value, headers, timestampMs + i)
    batches.push(builder.finish())
  }
  return batches
}

/** Groups whole batches into ~1 MiB buffers, as fetch responses would carry them. */
function toFetches(batches: Buffer[]): Buffer[] {
  const fetches: Buffer[] = []
  let group: Buffer[] = []
  let bytes = 0
  for (const batch of batches) {
    if (bytes + batch.length > FETCH_BYTES && group.length > 0) {
      fetches.push(Buffer.concat(group))
      group = []
      bytes = 0
    }
    group.push(batch)
    bytes += batch.length
  }
  if (group.length > 0) fetches.push(Buffer.concat(group))
  return fetches
}

function decodeAll(fetches: Buffer[]): number {
  let records = 0
  let valueBytes = 0
  for (const fetch of fetches) {
    const decoded = decodeRecordSet(fetch)
    records += decoded.length
    for (let i = 0; i < decoded.length; i++) valueBytes += decoded[i].value?.length ?? 0
  }
  if (valueBytes !== records * VALUE_BYTES) throw new Error('decode mismatch')
  return records
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

function timeIt(run: () => unknown): number {
  const start = process.hrtime.bigint()
  run()
  return Number(process.hrtime.bigint() - start) / 1e9
}

function suite(label: string, headers: RecordHeaders | null): void {
  const batches = encodeAll(headers) // warm-up, and the input of the decode runs
  const fetches = toFetches(batches)
  decodeAll(fetches)
  const encodeSeconds: number[] = []
  const decodeSeconds: number[] = []
  for (let run = 0; run < RUNS; run++) {
    encodeSeconds.push(timeIt(() => encodeAll(headers)))
    decodeSeconds.push(timeIt(() => decodeAll(fetches)))
  }
  const totalBytes = batches.reduce((sum, batch) => sum + batch.length, 0)
  const encodeRate = RECORDS / median(encodeSeconds)
  const decodeRate = RECORDS / median(decodeSeconds)
  const format = (rate: number) => `${(rate / 1e6).toFixed(2)} M records/s (${((rate * totalBytes) / RECORDS / 1e6).toFixed(0)} MB/s)`
  console.log(`${label}`)
  console.log(`  encode  ${format(encodeRate)}`)
  console.log(`  decode  ${format(decodeRate)}`)
}

console.log(describeMachine(machineInfo(process.cwd())))
console.log(`${RECORDS} records, ${VALUE_BYTES}-byte values, ${BATCH_RECORDS} records per batch, median of ${RUNS} runs`)
suite('8-byte key, no headers', null)
suite('8-byte key, one 8+16-byte header', oneHeader)
