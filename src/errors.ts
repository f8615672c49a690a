/**
 * The one error class of brook. Errors cross worker threads as plain data (structured clone
 * drops the class), so they are checked with the `isBrokerError` brand, never `instanceof`,
 * and rebuilt on the receiving side with `brokerErrorFromData`.
 */

/** The closed list of error codes, each with its Kafka error number and whether a retry can help. */
export const ERROR_CODES = {
  UNKNOWN: { kafka: -1, retriable: false },
  OFFSET_OUT_OF_RANGE: { kafka: 1, retriable: false },
  CORRUPT_MESSAGE: { kafka: 2, retriable: false },
  UNKNOWN_TOPIC_OR_PARTITION: { kafka: 3, retriable: true },
  REQUEST_TIMED_OUT: { kafka: 7, retriable: true },
  MESSAGE_TOO_LARGE: { kafka: 10, retriable: false },
  INVALID_TOPIC_NAME: { kafka: 17, retriable: false },
  RECORD_LIST_TOO_LARGE: { kafka: 18, retriable: false },
  TOPIC_ALREADY_EXISTS: { kafka: 36, retriable: false },
  INVALID_PARTITIONS: { kafka: 37, retriable: false },
  INVALID_REQUEST: { kafka: 42, retriable: false },
  INVALID_CONFIG: { kafka: 40, retriable: false },
  INVALID_RECORD: { kafka: 87, retriable: false },
  UNSUPPORTED_COMPRESSION_TYPE: { kafka: 76, retriable: false },
  STORAGE_ERROR: { kafka: 56, retriable: true },
  PARTITION_OFFLINE: { kafka: 56, retriable: true },
  WORKER_CRASHED: { kafka: 56, retriable: true },
  BROKER_CLOSED: { kafka: 6, retriable: true },
  // Consumer groups (Kafka's group coordinator errors).
  COORDINATOR_NOT_AVAILABLE: { kafka: 15, retriable: true },
  ILLEGAL_GENERATION: { kafka: 22, retriable: false },
  INCONSISTENT_GROUP_PROTOCOL: { kafka: 23, retriable: false },
  INVALID_GROUP_ID: { kafka: 24, retriable: false },
  UNKNOWN_MEMBER_ID: { kafka: 25, retriable: false },
  INVALID_SESSION_TIMEOUT: { kafka: 26, retriable: false },
  REBALANCE_IN_PROGRESS: { kafka: 27, retriable: false },
  INVALID_COMMIT_OFFSET_SIZE: { kafka: 28, retriable: false },
  NON_EMPTY_GROUP: { kafka: 68, retriable: false },
  GROUP_ID_NOT_FOUND: { kafka: 69, retriable: false },
  MEMBER_ID_REQUIRED: { kafka: 79, retriable: false },
  GROUP_MAX_SIZE_REACHED: { kafka: 81, retriable: false },
  FENCED_INSTANCE_ID: { kafka: 82, retriable: false },
  // The Kafka protocol listener and its producers.
  UNSUPPORTED_VERSION: { kafka: 35, retriable: false },
  UNSUPPORTED_FOR_MESSAGE_FORMAT: { kafka: 43, retriable: false },
  INVALID_REQUIRED_ACKS: { kafka: 21, retriable: false },
  NOT_COORDINATOR: { kafka: 16, retriable: true },
  INVALID_REPLICATION_FACTOR: { kafka: 38, retriable: false },
  INVALID_REPLICA_ASSIGNMENT: { kafka: 39, retriable: false },
  OUT_OF_ORDER_SEQUENCE_NUMBER: { kafka: 45, retriable: false },
  INVALID_PRODUCER_EPOCH: { kafka: 47, retriable: false },
  UNKNOWN_PRODUCER_ID: { kafka: 59, retriable: false },
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: { kafka: 53, retriable: false },
  /** Kafka's answer when it refuses an operation on one topic (DeleteTopics on `__consumer_offsets`). */
  TOPIC_AUTHORIZATION_FAILED: { kafka: 29, retriable: false },
} as const

export type BrokerErrorCode = keyof typeof ERROR_CODES

const BRAND = Symbol.for('brook.BrokerError')

/** The plain-data form of an error, safe to post between threads. */
export interface BrokerErrorData {
  readonly brand: 'brook.BrokerError'
  readonly code: BrokerErrorCode
  readonly message: string
  readonly details?: Record<string, unknown>
}

export class BrokerError extends Error {
  readonly code: BrokerErrorCode
  readonly retriable: boolean
  readonly kafkaErrorCode: number
  /** Structured context (topic, partition, damaged offset range, ...). */
  readonly details: Record<string, unknown>

  constructor(code: BrokerErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(message)
    this.name = 'BrokerError'
    this.code = code
    this.retriable = ERROR_CODES[code].retriable
    this.kafkaErrorCode = ERROR_CODES[code].kafka
    this.details = details
    Object.defineProperty(this, BRAND, { value: true })
  }

  toData(): BrokerErrorData {
    return { brand: 'brook.BrokerError', code: this.code, message: this.message, details: this.details }
  }
}

export function isBrokerError(value: unknown): value is BrokerError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true
}

export function isBrokerErrorData(value: unknown): value is BrokerErrorData {
  return typeof value === 'object' && value !== null && (value as BrokerErrorData).brand === 'brook.BrokerError'
}

export function brokerErrorFromData(data: BrokerErrorData): BrokerError {
  const code = data.code in ERROR_CODES ? data.code : 'UNKNOWN'
  return new BrokerError(code, data.message, data.details ?? {})
}

/** Any thrown value as data for another thread; unexpected errors become UNKNOWN. */
export function toErrorData(error: unknown): BrokerErrorData {
  if (isBrokerError(error)) return error.toData()
  if (isBrokerErrorData(error)) return error
  const message = error instanceof Error ? error.message : String(error)
  return { brand: 'brook.BrokerError', code: 'UNKNOWN', message }
}

/** Maps a Node file-system error to STORAGE_ERROR, keeping its errno code. */
export function storageError(operation: string, error: unknown, details: Record<string, unknown> = {}): BrokerError {
  if (isBrokerError(error)) return error
  const errno = (error as NodeJS.ErrnoException)?.code ?? 'EUNKNOWN'
  const message = error instanceof Error ? error.message : String(error)
  return new BrokerError('STORAGE_ERROR', `${operation} failed: ${message}`, { ...details, errno })
}
