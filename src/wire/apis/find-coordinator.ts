/**
 * FindCoordinator (key 10) v0–2. A single node coordinates every group, so a group key gets this
 * broker's advertised address. brook has no transaction coordinator: a transactional key gets
 * COORDINATOR_NOT_AVAILABLE (and a node of -1, '' and -1, Kafka's "no node").
 * v1 adds key_type to the request and throttle_time_ms and error_message to the response; v2 = v1.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaCode, NONE } from '../error-codes.js'
import { Writer } from '../writer.js'

const GROUP_KEY = 0
const TRANSACTION_KEY = 1

interface Answer {
  errorCode: number
  errorMessage: string | null
  nodeId: number
  host: string
  port: number
}

export const findCoordinatorHandler: ApiHandler = {
  apiKey: API_KEYS.FindCoordinator,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, { server, apiVersion: version }) {
    request.string() // key: the group id (or transactional id); every group is coordinated here
    const keyType = version >= 1 ? request.int8() : GROUP_KEY
    request.expectEnd('FindCoordinator request')
    let answer: Answer
    if (keyType === GROUP_KEY) answer = { errorCode: NONE, errorMessage: null, nodeId: server.nodeId, ...server.advertised }
    else if (keyType === TRANSACTION_KEY) answer = noNode(kafkaCode('COORDINATOR_NOT_AVAILABLE'), 'brook has no transaction coordinator')
    else answer = noNode(kafkaCode('INVALID_REQUEST'), `unknown coordinator key type ${keyType}`) // Kafka answers this, it does not disconnect

    const body = new Writer()
    if (version >= 1) body.int32(0)
    body.int16(answer.errorCode)
    if (version >= 1) body.nullableString(answer.errorMessage)
    return body.int32(answer.nodeId).string(answer.host).int32(answer.port)
  },
}

function noNode(errorCode: number, errorMessage: string): Answer {
  return { errorCode, errorMessage, nodeId: -1, host: '', port: -1 }
}
