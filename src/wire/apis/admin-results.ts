/**
 * What CreateTopics, DeleteTopics and CreatePartitions share: each topic of a request is handled
 * on its own and gets its own error code and message, so one bad topic never fails the others
 * (Kafka's per-topic ApiError); a name given twice is refused as Kafka's controller refuses it.
 */
import { isBrokerError, type BrokerErrorCode } from '../../errors.js'
import { kafkaCode, kafkaErrorCodeOf, NONE } from '../error-codes.js'
import type { Writer } from '../writer.js'

export interface Outcome {
  readonly errorCode: number
  readonly errorMessage: string | null
}

export interface TopicOutcome extends Outcome {
  readonly name: string
}

/**
 * What a thrown error tells the client. Like Kafka's ApiError, an unexpected error (a bug) is
 * UNKNOWN_SERVER_ERROR without its message, which could leak internals.
 */
export function outcomeOf(error: unknown): Outcome {
  return { errorCode: kafkaErrorCodeOf(error), errorMessage: isBrokerError(error) ? error.message : null }
}

/** Runs one topic's operation; what it throws becomes that topic's error. */
export async function settle(name: string, operation: () => unknown): Promise<TopicOutcome> {
  try {
    await operation()
    return { name, errorCode: NONE, errorMessage: null }
  } catch (error) {
    return { name, ...outcomeOf(error) }
  }
}

/**
 * Runs `operation` for each distinct name in request order, one after another (each may change
 * the metadata the next one checks). Every name given more than once gets one INVALID_REQUEST
 * result instead, as in Kafka's ControllerApis.
 */
export async function settleEach<T extends { name: string }>(items: readonly T[], operation: (item: T) => unknown): Promise<TopicOutcome[]> {
  const counts = new Map<string, number>()
  for (const { name } of items) counts.set(name, (counts.get(name) ?? 0) + 1)
  const outcomes: TopicOutcome[] = []
  const answered = new Set<string>()
  for (const item of items) {
    if (answered.has(item.name)) continue
    answered.add(item.name)
    outcomes.push(counts.get(item.name)! > 1 ? refused(item.name, 'INVALID_REQUEST', 'Duplicate topic name.') : await settle(item.name, () => operation(item)))
  }
  return outcomes
}

function refused(name: string, code: BrokerErrorCode, message: string): TopicOutcome {
  return { name, errorCode: kafkaCode(code), errorMessage: message }
}

/** Writes the per-topic results array: name, error code and, from versions that have it, the message. */
export function writeOutcomes(body: Writer, outcomes: readonly TopicOutcome[], withMessage: boolean): Writer {
  return body.array(outcomes, (writer, outcome) => {
    writer.string(echoable(outcome.name)).int16(outcome.errorCode)
    if (withMessage) writer.nullableString(outcome.errorMessage)
  })
}

/** UTF-16 units that always fit an int16-length string, at 3 UTF-8 bytes each at most. */
const MAX_ECHO_UNITS = Math.floor(0x7fff / 3)

/**
 * A name as it can be sent back. The request's bytes were decoded as UTF-8, and each invalid
 * byte became U+FFFD (3 bytes), so a 32,767-byte name of garbage can re-encode to more than a
 * string can hold. Such a name is never a valid topic name; it is cut, not allowed to throw.
 */
export function echoable(name: string): string {
  return Buffer.byteLength(name) > 0x7fff ? name.slice(0, MAX_ECHO_UNITS) : name
}
