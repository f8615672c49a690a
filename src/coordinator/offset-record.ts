/**
 * The records of the `__consumer_offsets` log, in Kafka's own layout so the internal topic reads
 * the same as Kafka's (keys and values are big-endian, strings int16-length UTF-8):
 *
 *   OffsetCommitKey (version 1)          OffsetCommitValue (version 3)
 *     version    int16 = 1                 version          int16 = 3
 *     group      string                    offset           int64
 *     topic      string                    leaderEpoch      int32 (-1: unknown)
 *     partition  int32                     metadata         string
 *                                          commitTimestamp  int64
 *
 * A null value (tombstone) deletes the key's committed offset.
 */
import { BrokerError } from '../errors.js'

export interface OffsetKey {
  groupId: string
  topic: string
  partition: number
}

export interface CommittedOffset {
  offset: number
  leaderEpoch: number
  metadata: string
  commitTimestamp: number
}

const KEY_VERSION = 1
const VALUE_VERSION = 3

export function encodeOffsetKey({ groupId, topic, partition }: OffsetKey): Buffer {
  const group = Buffer.from(groupId, 'utf8')
  const topicBytes = Buffer.from(topic, 'utf8')
  const bytes = Buffer.alloc(2 + 2 + group.length + 2 + topicBytes.length + 4)
  let position = bytes.writeInt16BE(KEY_VERSION, 0)
  position = bytes.writeInt16BE(group.length, position)
  position += group.copy(bytes, position)
  position = bytes.writeInt16BE(topicBytes.length, position)
  position += topicBytes.copy(bytes, position)
  bytes.writeInt32BE(partition, position)
  return bytes
}

export function encodeOffsetValue(value: CommittedOffset): Buffer {
  const metadata = Buffer.from(value.metadata, 'utf8')
  const bytes = Buffer.alloc(2 + 8 + 4 + 2 + metadata.length + 8)
  let position = bytes.writeInt16BE(VALUE_VERSION, 0)
  position = bytes.writeBigInt64BE(BigInt(value.offset), position)
  position = bytes.writeInt32BE(value.leaderEpoch, position)
  position = bytes.writeInt16BE(metadata.length, position)
  position += metadata.copy(bytes, position)
  bytes.writeBigInt64BE(BigInt(value.commitTimestamp), position)
  return bytes
}

/** Reads a key; returns null for key versions that are not offset commits (Kafka's group metadata records). */
export function decodeOffsetKey(bytes: Buffer): OffsetKey | null {
  const reader = new Reader(bytes)
  const version = reader.int16()
  if (version !== 0 && version !== 1) return null
  return { groupId: reader.string(), topic: reader.string(), partition: reader.int32() }
}

export function decodeOffsetValue(bytes: Buffer): CommittedOffset {
  const reader = new Reader(bytes)
  const version = reader.int16()
  if (version < 0 || version > 4) throw new BrokerError('CORRUPT_MESSAGE', `offset commit value version ${version} is unknown`)
  const offset = reader.int64()
  const leaderEpoch = version >= 3 ? reader.int32() : -1
  const metadata = reader.string()
  const commitTimestamp = reader.int64()
  return { offset, leaderEpoch, metadata, commitTimestamp }
}

/** A bounds-checked reader: a short or garbled record is CORRUPT_MESSAGE, never an out-of-range read. */
class Reader {
  private position = 0
  constructor(private readonly bytes: Buffer) {}

  private need(count: number): number {
    const at = this.position
    if (count < 0 || at + count > this.bytes.length) throw new BrokerError('CORRUPT_MESSAGE', 'offset commit record is truncated')
    this.position += count
    return at
  }

  int16(): number {
    return this.bytes.readInt16BE(this.need(2))
  }

  int32(): number {
    return this.bytes.readInt32BE(this.need(4))
  }

  int64(): number {
    return Number(this.bytes.readBigInt64BE(this.need(8)))
  }

  string(): string {
    const length = this.int16()
    const at = this.need(length)
    return this.bytes.toString('utf8', at, at + length)
  }
}
