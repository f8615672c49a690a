/**
 * InitProducerId (key 22) v0–1: a producer id for an idempotent producer. brook has no
 * transactions, so a transactional id is refused.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaCode, NONE } from '../error-codes.js'
import { Writer } from '../writer.js'

export const initProducerIdHandler: ApiHandler = {
  apiKey: API_KEYS.InitProducerId,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  async handle(request, { server }) {
    const transactionalId = request.nullableString()
    request.int32() // transaction_timeout_ms
    request.expectEnd('InitProducerId request')
    const body = new Writer().int32(0)
    if (transactionalId !== null) return body.int16(kafkaCode('TRANSACTIONAL_ID_AUTHORIZATION_FAILED')).int64(-1).int16(-1)
    const { producerId, producerEpoch } = server.producerStates.allocate()
    return body.int16(NONE).int64(producerId).int16(producerEpoch)
  },
}
