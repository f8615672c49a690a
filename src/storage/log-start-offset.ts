/**
 * The `log-start-offset` file: the partition's log start offset once retention or DeleteRecords
 * moved it. Recovery takes the larger of it and the first segment's base offset, so a start that
 * lies inside a segment (DeleteRecords) survives a restart, and a missing or garbled file only
 * falls back to the first segment (whole-segment deletes need no file to stay consistent).
 *
 * Written durably (tmp → fsync → rename → directory fsync), once per change of the start.
 *
 *   LogStartOffset           offset  size
 *     magic           "BRLS"     0     4
 *     logStartOffset  int64      4     8
 *     crc             uint32    12     4   CRC-32C of bytes 0..11
 */
import { join } from 'node:path'
import { crc32c } from '../protocol/crc32c.js'
import { fsyncDirectory, writeFully, type FsLike } from './fs.js'

export const LOG_START_OFFSET_FILE = 'log-start-offset'

const MAGIC = 0x42524c53 // "BRLS"
const CRC_AT = 12
const FILE_BYTES = CRC_AT + 4

export function encodeLogStartOffset(logStartOffset: number): Buffer {
  const bytes = Buffer.alloc(FILE_BYTES)
  bytes.writeUInt32BE(MAGIC, 0)
  bytes.writeBigInt64BE(BigInt(logStartOffset), 4)
  bytes.writeUInt32BE(crc32c(bytes.subarray(0, CRC_AT)), CRC_AT)
  return bytes
}

/** The offset in `bytes`, or null when the size, magic, checksum or value is wrong. */
export function decodeLogStartOffset(bytes: Buffer): number | null {
  if (bytes.length !== FILE_BYTES || bytes.readUInt32BE(0) !== MAGIC) return null
  if (crc32c(bytes.subarray(0, CRC_AT)) !== bytes.readUInt32BE(CRC_AT)) return null
  const value = Number(bytes.readBigInt64BE(4))
  return Number.isSafeInteger(value) && value >= 0 ? value : null
}

/** The persisted log start offset of partition directory `dir`; null when there is none usable. */
export function readLogStartOffset(fs: FsLike, dir: string): number | null {
  const path = join(dir, LOG_START_OFFSET_FILE)
  try {
    return fs.existsSync(path) ? decodeLogStartOffset(fs.readFileSync(path)) : null
  } catch {
    return null
  }
}

/** Replaces the file durably; throws the file-system error (the old file then still holds). */
export function writeLogStartOffset(fs: FsLike, dir: string, logStartOffset: number): void {
  const path = join(dir, LOG_START_OFFSET_FILE)
  const tmp = `${path}.tmp`
  const fd = fs.openSync(tmp, 'w', 0o600)
  try {
    writeFully(fs, fd, encodeLogStartOffset(logStartOffset), 0)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, path)
  fsyncDirectory(fs, dir)
}
