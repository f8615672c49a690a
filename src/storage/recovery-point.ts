/**
 * The two small checksummed files that tell recovery where it may start, both holding one
 * segment checkpoint (the state of a segment at a batch boundary):
 *
 *   - `recovery-point`: written after a successful fdatasync (at most once per
 *     LIMITS.recoveryPointIntervalMs, and after every roll): everything before `position` in
 *     segment `baseOffset` is durable and was CRC-checked at append. Recovery after a crash scans
 *     from there instead of from the segment start.
 *   - `clean-shutdown`: written by close() after the log and its indexes were fsynced; removed
 *     at open. With it, the indexes are trusted (once validated) and nothing is scanned.
 *
 * Neither is fsynced when written (tmp + rename only): a lost or garbled file just means a longer
 * scan, and the checksum tells a garbled one apart.
 *
 *   Checkpoint                      offset  size
 *     magic                 "BRCP"     0     4
 *     kind                  int32      4     4   1 recovery point, 2 clean shutdown
 *     baseOffset            int64      8     8   the segment it describes
 *     position              int64     16     8   a batch boundary in that segment's .log
 *     nextOffset            int64     24     8   offset of the batch at `position`
 *     offsetIndexEntries    int64     32     8   index entries that describe bytes before `position`
 *     timeIndexEntries      int64     40     8
 *     maxTimestamp          int64     48     8   largest batch maxTimestamp before `position`, -1 none
 *     offsetOfMaxTimestamp  int64     56     8   last offset of the batch carrying it, -1 none
 *     bytesSinceIndexEntry  int64     64     8   log bytes since the last offset-index entry
 *     rollStartMs           int64     72     8   when the segment's age (segmentMs) started, -1 none
 *     crc                   uint32    80     4   CRC-32C of bytes 0..79
 */
import { crc32c } from '../protocol/crc32c.js'
import { writeFully, type FsLike } from './fs.js'

export const RECOVERY_POINT_FILE = 'recovery-point'
export const CLEAN_SHUTDOWN_FILE = 'clean-shutdown'

export interface SegmentCheckpoint {
  baseOffset: number
  position: number
  nextOffset: number
  offsetIndexEntries: number
  timeIndexEntries: number
  maxTimestamp: number
  offsetOfMaxTimestamp: number
  bytesSinceIndexEntry: number
  /** When the segment's age for `segmentMs` started (the log's clock), -1 while it is empty. */
  rollStartMs: number
}

export type CheckpointKind = 'recovery-point' | 'clean-shutdown'

const MAGIC = 0x42524350 // "BRCP"
const KIND_CODES: Record<CheckpointKind, number> = { 'recovery-point': 1, 'clean-shutdown': 2 }
const FIELDS = [
  'baseOffset',
  'position',
  'nextOffset',
  'offsetIndexEntries',
  'timeIndexEntries',
  'maxTimestamp',
  'offsetOfMaxTimestamp',
  'bytesSinceIndexEntry',
  'rollStartMs',
] as const
const CRC_AT = 8 + FIELDS.length * 8
export const CHECKPOINT_BYTES = CRC_AT + 4

export function encodeCheckpoint(kind: CheckpointKind, checkpoint: SegmentCheckpoint): Buffer {
  const bytes = Buffer.alloc(CHECKPOINT_BYTES)
  bytes.writeUInt32BE(MAGIC, 0)
  bytes.writeInt32BE(KIND_CODES[kind], 4)
  FIELDS.forEach((field, i) => bytes.writeBigInt64BE(BigInt(checkpoint[field]), 8 + i * 8))
  bytes.writeUInt32BE(crc32c(bytes.subarray(0, CRC_AT)), CRC_AT)
  return bytes
}

/** The checkpoint in `bytes`, or null when the size, magic, kind or checksum is wrong. */
export function decodeCheckpoint(kind: CheckpointKind, bytes: Buffer): SegmentCheckpoint | null {
  if (bytes.length !== CHECKPOINT_BYTES) return null
  if (bytes.readUInt32BE(0) !== MAGIC || bytes.readInt32BE(4) !== KIND_CODES[kind]) return null
  if (crc32c(bytes.subarray(0, CRC_AT)) !== bytes.readUInt32BE(CRC_AT)) return null
  const values = FIELDS.map((_, i) => Number(bytes.readBigInt64BE(8 + i * 8)))
  const checkpoint = Object.fromEntries(FIELDS.map((field, i) => [field, values[i]])) as unknown as SegmentCheckpoint
  const sane =
    checkpoint.baseOffset >= 0 &&
    checkpoint.position >= 0 &&
    checkpoint.nextOffset >= checkpoint.baseOffset &&
    checkpoint.offsetIndexEntries >= 0 &&
    checkpoint.timeIndexEntries >= 0 &&
    checkpoint.bytesSinceIndexEntry >= 0
  return sane ? checkpoint : null
}

/** Reads a checkpoint file; a missing, unreadable or garbled file is null (recovery then scans more). */
export function readCheckpoint(fs: FsLike, path: string, kind: CheckpointKind): SegmentCheckpoint | null {
  try {
    if (!fs.existsSync(path)) return null
    return decodeCheckpoint(kind, fs.readFileSync(path))
  } catch {
    return null
  }
}

/** Replaces a checkpoint file: write `<path>.tmp`, then rename. Throws the file-system error. */
export function writeCheckpoint(fs: FsLike, path: string, kind: CheckpointKind, checkpoint: SegmentCheckpoint): void {
  const tmp = `${path}.tmp`
  const fd = fs.openSync(tmp, 'w', 0o600)
  try {
    writeFully(fs, fd, encodeCheckpoint(kind, checkpoint), 0)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, path)
}
