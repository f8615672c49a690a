/**
 * What the group handlers share: turning whatever the coordinator or the offset store throws into
 * the error code of a response (the request was valid, so the connection stays open), and not
 * letting a parked JoinGroup or SyncGroup outlive its connection.
 */
import { BrokerError } from '../../errors.js'
import { kafkaErrorCodeOf, NONE } from '../error-codes.js'

/** NONE if `step` succeeds, else the Kafka code of what it threw (UNKNOWN_SERVER_ERROR for a bug). */
export async function errorCodeOf(step: () => unknown): Promise<number> {
  try {
    await step()
    return NONE
  } catch (error) {
    return kafkaErrorCodeOf(error)
  }
}

/**
 * JoinGroup and SyncGroup park in the coordinator until the group moves on, which can take a
 * whole rebalance timeout. When the connection ends (the client left, or the broker is draining
 * its listeners before it closes) the handler stops waiting and answers COORDINATOR_NOT_AVAILABLE,
 * as Kafka's coordinator does when it moves away: the member stays in the group until it rejoins
 * or its session expires, exactly as if its response had been lost.
 */
export function untilClosed<T>(parked: Promise<T>, signal: AbortSignal): Promise<T> {
  const gone = () => new BrokerError('COORDINATOR_NOT_AVAILABLE', 'the connection closed while the request was parked in the group coordinator')
  if (signal.aborted) {
    parked.catch(() => undefined)
    return Promise.reject(gone())
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(gone())
    signal.addEventListener('abort', onAbort, { once: true })
    parked.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
