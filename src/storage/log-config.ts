/** The per-partition settings of the log engine (Kafka's topic-level names), and their validation. */
import { BrokerError } from '../errors.js'
import { LIMITS } from '../limits.js'
import { BATCH_HEADER_BYTES } from '../protocol/batch-header.js'

export interface LogConfig {
  /** Roll to a new segment before the active one would exceed this (Kafka `segment.bytes`). */
  segmentBytes: number
  /** Roll once the active segment's first batch is older than this (Kafka `segment.ms`). */
  segmentMs: number
  /** One offset-index entry per this many log bytes (Kafka `index.interval.bytes`). */
  indexIntervalBytes: number
  /** Largest record batch accepted (Kafka `max.message.bytes`). */
  maxMessageBytes: number
}

/** Positions in the offset index are int32, so a segment stays below 2 GiB. */
const MAX_SEGMENT_BYTES = 0x7fffffff

/** Throws INVALID_CONFIG unless every field is an integer in its range. */
export function validateLogConfig(config: LogConfig): void {
  const check = (name: keyof LogConfig, min: number, max: number): void => {
    const value = config[name]
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      throw new BrokerError('INVALID_CONFIG', `${name} must be an integer in [${min}, ${max}], got ${String(value)}`, { name, value })
    }
  }
  check('segmentBytes', LIMITS.minSegmentBytes, MAX_SEGMENT_BYTES)
  check('segmentMs', 1, Number.MAX_SAFE_INTEGER)
  check('indexIntervalBytes', 0, MAX_SEGMENT_BYTES)
  check('maxMessageBytes', BATCH_HEADER_BYTES, MAX_SEGMENT_BYTES)
}
