/**
 * The byte layout of one metadata generation file, and its checks. A file is either fully
 * valid (exact length, checksum, JSON, schema, matching generation) or rejected with the
 * reason; nothing is half-accepted.
 *
 * Grammar (the header is one ASCII line so `head -1 metadata.0` shows what a file holds):
 *
 *   metadata-file = header LF body
 *   header        = "BROOKMETA" SP version SP generation SP body-length SP body-crc
 *   version       = "1"
 *   generation    = 1*16DIGIT      ; decimal, >= 1; grows by one per committed mutation
 *   body-length   = 1*10DIGIT      ; decimal byte count of body; the file ends exactly there
 *   body-crc      = 8HEXDIG        ; CRC-32C (Castagnoli) of body, lowercase hex
 *   body          = UTF-8 JSON { "generation": <generation>, "topics": [ TopicRecord, ... ] }
 *
 * The generation is repeated inside the checksummed body, so a flipped digit in the header's
 * generation is caught as a mismatch instead of promoting the file to the wrong rank; a flipped
 * length is caught by the exact-length rule, a flipped crc by the checksum.
 */
import { crc32c } from '../protocol/crc32c.js'
import { topicRecordProblem, type TopicRecord } from './topic-record.js'

const MAGIC = 'BROOKMETA'
const VERSION = '1'
const HEADER = /^BROOKMETA (\d+) (\d{1,16}) (\d{1,10}) ([0-9a-f]{8})$/
/** A header is far shorter than this; bounds the search for the line feed in a garbage file. */
const MAX_HEADER_BYTES = 128

export interface MetadataSnapshot {
  generation: number
  /** Sorted by name. */
  topics: TopicRecord[]
}

export type DecodeResult =
  | { ok: true; snapshot: MetadataSnapshot }
  /** `headerGeneration` is set when the header could be read, to tell an old damaged file from a newer one. */
  | { ok: false; reason: string; headerGeneration?: number }

export function encodeMetadataFile(snapshot: MetadataSnapshot): Buffer {
  const topics = [...snapshot.topics].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const body = Buffer.from(JSON.stringify({ generation: snapshot.generation, topics }), 'utf8')
  const crc = crc32c(body).toString(16).padStart(8, '0')
  const header = Buffer.from(`${MAGIC} ${VERSION} ${snapshot.generation} ${body.length} ${crc}\n`, 'ascii')
  return Buffer.concat([header, body])
}

export function decodeMetadataFile(bytes: Buffer): DecodeResult {
  const lineEnd = bytes.subarray(0, MAX_HEADER_BYTES).indexOf(0x0a)
  if (lineEnd < 0) return { ok: false, reason: bytes.length === 0 ? 'empty file' : 'no header line' }
  const match = HEADER.exec(bytes.subarray(0, lineEnd).toString('latin1'))
  if (match === null) return { ok: false, reason: 'malformed header' }
  const [, version, generationText, lengthText, crcText] = match
  const generation = Number(generationText)
  if (version !== VERSION) return { ok: false, reason: `unsupported format version ${version}`, headerGeneration: generation }
  const bodyLength = Number(lengthText)
  const body = bytes.subarray(lineEnd + 1)
  if (body.length !== bodyLength) {
    return { ok: false, reason: `body is ${body.length} bytes, header says ${bodyLength} (truncated or extended)`, headerGeneration: generation }
  }
  const actualCrc = crc32c(body).toString(16).padStart(8, '0')
  if (actualCrc !== crcText) return { ok: false, reason: `checksum mismatch (header ${crcText}, body ${actualCrc})`, headerGeneration: generation }
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch (error) {
    return { ok: false, reason: `body is not JSON: ${(error as Error).message}`, headerGeneration: generation }
  }
  const problem = snapshotProblem(parsed, generation)
  if (problem !== undefined) return { ok: false, reason: problem, headerGeneration: generation }
  return { ok: true, snapshot: parsed as MetadataSnapshot }
}

function snapshotProblem(parsed: unknown, generation: number): string | undefined {
  if (typeof parsed !== 'object' || parsed === null) return 'body is not an object'
  const body = parsed as { generation?: unknown; topics?: unknown }
  if (!Number.isSafeInteger(generation) || generation < 1) return `invalid generation ${generation}`
  if (body.generation !== generation) return `body generation ${String(body.generation)} differs from header generation ${generation}`
  if (!Array.isArray(body.topics)) return 'body has no topics array'
  const names = new Set<string>()
  for (const topic of body.topics as unknown[]) {
    const problem = topicRecordProblem(topic)
    if (problem !== undefined) return problem
    const name = (topic as TopicRecord).name
    if (names.has(name)) return `topic ${name} appears twice`
    names.add(name)
  }
  return undefined
}
