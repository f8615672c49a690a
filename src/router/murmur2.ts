/**
 * Kafka's murmur2, bit for bit as the Java client's `Utils.murmur2`, and its key partitioner
 * (`BuiltInPartitioner.partitionForKey`): the same key lands on the same partition number as
 * with every Java-compatible client (kafkajs' default partitioner, librdkafka's murmur2_random),
 * so users can move to a Kafka cluster without re-keying.
 *
 *   input  bytes, read as little-endian 4-byte words; 1-3 trailing bytes handled at the end
 *   start  h = seed ^ length
 *   word   k *= m; k ^= k >>> r; k *= m; h *= m; h ^= k
 *   tail   h ^= byte[2] << 16 (3 left); h ^= byte[1] << 8 (>= 2 left); h ^= byte[0]; h *= m
 *   final  h ^= h >>> 13; h *= m; h ^= h >>> 15
 *
 * Java ints wrap at 32 bits: Math.imul is the 32-bit multiply, `| 0` keeps values int32.
 */
const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

/** Kafka's murmur2 of `data`, as Java's signed int. */
export function murmur2(data: Uint8Array): number {
  const length = data.length
  let h = (SEED ^ length) | 0
  const words = length >>> 2
  for (let i = 0; i < words; i++) {
    const i4 = i << 2
    let k = data[i4] | (data[i4 + 1] << 8) | (data[i4 + 2] << 16) | (data[i4 + 3] << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M) ^ k
  }
  const tail = words << 2
  // Java's tail is a switch that falls through: 3 left applies all three steps, 2 the last two.
  const rest = length & 3
  if (rest === 3) h ^= data[tail + 2] << 16
  if (rest >= 2) h ^= data[tail + 1] << 8
  if (rest >= 1) {
    h ^= data[tail]
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

/** Java's `Utils.toPositive`: clears the sign bit (not Math.abs, which differs for MIN_VALUE). */
export function toPositive(n: number): number {
  return n & 0x7fffffff
}

/** The partition Kafka's Java producer picks for a non-null key. */
export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions
}
