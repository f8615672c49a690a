/**
 * A request the broker cannot parse. Kafka closes the connection on a parse failure
 * (InvalidRequestException); the connection does the same when a handler throws this.
 */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ProtocolError'
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError
}
