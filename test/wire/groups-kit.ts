/**
 * Byte-level helpers for the group API tests: real client frames from the fixtures (with the mock
 * broker's member id swapped for ours), request bodies built field by field, and responses read
 * back field by field with the bounded Reader (so a response must be consumed exactly).
 */
import { readFileSync } from 'node:fs'
import { Reader } from '../../src/wire/reader.js'
import { Writer } from '../../src/wire/writer.js'
import type { RawClient } from '../helpers/wire.js'
export { brokerPerFile } from '../helpers/wire.js'

const FIXTURES = new URL('../fixtures/kafka-wire/', import.meta.url)

export { API_KEYS as API } from '../../src/wire/api.js'

export const ERROR = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  COORDINATOR_NOT_AVAILABLE: 15,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  REBALANCE_IN_PROGRESS: 27,
  INVALID_REQUEST: 42,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
} as const

export const OPERATIONS_OMITTED = -2147483648

export function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES))
}

/**
 * A fixture frame as our member sends it: every length-prefixed occurrence of the mock broker's
 * member id becomes `memberId`, and the int32 before the first one (the generation, in SyncGroup,
 * Heartbeat and OffsetCommit) becomes `generation` when given. The size prefix is recomputed.
 */
export function asMember(frame: Buffer, mockMemberId: string, memberId: string, generation?: number): Buffer {
  const from = Buffer.concat([int16(Buffer.byteLength(mockMemberId)), Buffer.from(mockMemberId)])
  const to = Buffer.concat([int16(Buffer.byteLength(memberId)), Buffer.from(memberId)])
  const parts: Buffer[] = []
  let at = 4
  let first = true
  for (let found = frame.indexOf(from, at); found !== -1; found = frame.indexOf(from, at)) {
    const before = Buffer.from(frame.subarray(at, found))
    if (first && generation !== undefined) before.writeInt32BE(generation, before.length - 4)
    first = false
    parts.push(before, to)
    at = found + from.length
  }
  if (first) throw new Error(`member id ${mockMemberId} not in the frame`)
  parts.push(frame.subarray(at))
  const payload = Buffer.concat(parts)
  return Buffer.concat([int32(payload.length), payload])
}

/** Writes a whole frame as it is; resolves with the response frame as the fixtures store them (size prefix included). */
export async function exchange(client: RawClient, frame: Buffer): Promise<Buffer> {
  const response = client.nextFrame()
  client.write(frame)
  const body = await response
  return Buffer.concat([int32(body.length), body])
}

/** Sends one request built with `build` and reads its response with `read`, which must consume it exactly. */
export async function call<T>(client: RawClient, apiKey: number, version: number, build: (body: Writer) => unknown, read: (response: Reader) => T): Promise<T> {
  const body = new Writer()
  build(body)
  return readExactly(await client.request(apiKey, version, body.toBuffer()), read)
}

export function readExactly<T>(bytes: Buffer, read: (response: Reader) => T): T {
  const reader = new Reader(bytes)
  const value = read(reader)
  reader.expectEnd('response')
  return value
}

/** Kafka's ConsumerProtocol Subscription v0 and Assignment v0, as a Kafka client writes them. */
export function subscription(topics: string[]): Buffer {
  return new Writer().int16(0).array(topics, (w, topic) => w.string(topic)).int32(0).toBuffer()
}

export function assignment(topic: string, partitions: number[]): Buffer {
  return new Writer()
    .int16(0)
    .array([topic], (w, name) => w.string(name).array(partitions, (x, p) => x.int32(p)))
    .int32(0)
    .toBuffer()
}

function int16(value: number): Buffer {
  const buffer = Buffer.alloc(2)
  buffer.writeInt16BE(value, 0)
  return buffer
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value, 0)
  return buffer
}

/**
 * Waits driven by events, never by sleeping: event handlers update the test's state and call
 * `changed()`, and `until(check)` resolves once `check` holds.
 */
export class Conditions {
  private waits: Array<{ check: () => boolean; resolve: () => void }> = []

  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve()
    return new Promise((resolve) => this.waits.push({ check, resolve }))
  }

  changed(): void {
    this.waits = this.waits.filter((wait) => {
      if (!wait.check()) return true
      wait.resolve()
      return false
    })
  }
}
