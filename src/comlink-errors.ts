/**
 * comlink sends a thrown Error across threads as message and stack only, which would drop a
 * BrokerError's code and details. Both sides of every comlink channel import this module, which
 * replaces comlink's "throw" handler with one that sends errors as BrokerError data and rebuilds
 * them on arrival.
 */
import { transferHandlers, type TransferHandler } from 'comlink'
import { brokerErrorFromData, isBrokerErrorData, toErrorData } from './errors.js'

const original = transferHandlers.get('throw') as TransferHandler<{ value: unknown }, unknown>

transferHandlers.set('throw', {
  canHandle: original.canHandle,
  serialize({ value }: { value: unknown }) {
    return [{ isError: false, value: toErrorData(value) }, []]
  },
  deserialize(serialized: unknown) {
    const { value } = serialized as { value: unknown }
    if (isBrokerErrorData(value)) throw brokerErrorFromData(value)
    return original.deserialize(serialized)
  },
} as TransferHandler<unknown, unknown>)
