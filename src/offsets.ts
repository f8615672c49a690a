/** Offsets cross the public API as decimal strings (like kafkajs), numbers or bigints. */
import { BrokerError } from './errors.js'

export type OffsetInput = number | string | bigint

export function parseOffset(value: unknown, field = 'offset'): number {
  const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : typeof value === 'bigint' ? Number(value) : value
  if (typeof parsed !== 'number' || !Number.isSafeInteger(parsed) || parsed < 0) {
    throw new BrokerError('INVALID_REQUEST', `${field} must be a non-negative integer, got ${String(value)}`)
  }
  return parsed
}
