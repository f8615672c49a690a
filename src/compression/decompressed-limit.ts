/**
 * How far a compressed batch may inflate: at most 16 MiB and at most 64x its compressed size
 * (reliability.md, "Safe defaults for the limits"). The ratio cap stops a small batch from
 * claiming the whole 16 MiB: real record batches compress a few times, a bomb thousands of times.
 */
import { LIMITS } from '../limits.js'

export function decompressedLimitFor(compressedBytes: number): number {
  if (!Number.isFinite(compressedBytes) || compressedBytes <= 0) return 0
  return Math.min(LIMITS.maxDecompressedBatchBytes, Math.floor(compressedBytes) * LIMITS.maxDecompressionRatio)
}
