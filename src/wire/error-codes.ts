/**
 * Kafka error numbers for responses. The one table is ERROR_CODES in src/errors.ts (each brook
 * code with its Kafka number); anything that is not a BrokerError is Kafka's UNKNOWN_SERVER_ERROR.
 */
import { ERROR_CODES, isBrokerError, type BrokerErrorCode } from '../errors.js'

export const NONE = 0

export function kafkaErrorCodeOf(error: unknown): number {
  return isBrokerError(error) ? error.kafkaErrorCode : ERROR_CODES.UNKNOWN.kafka
}

export function kafkaCode(code: BrokerErrorCode): number {
  return ERROR_CODES[code].kafka
}
