/**
 * Heartbeat (key 12) v1–3: renews the member's session. REBALANCE_IN_PROGRESS tells it to
 * rejoin; ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID that it was fenced.
 * v3 adds group_instance_id; v2 = v1.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import { Writer } from '../writer.js'
import { errorCodeOf } from './group-outcome.js'

export const heartbeatHandler: ApiHandler = {
  apiKey: API_KEYS.Heartbeat,
  name: 'Heartbeat',
  minVersion: 1,
  maxVersion: 3,
  async handle(request, { server, apiVersion: version }) {
    const groupId = request.string()
    const generationId = request.int32()
    const memberId = request.string()
    const groupInstanceId = version >= 3 ? request.nullableString() : null
    request.expectEnd('Heartbeat request')
    const errorCode = await errorCodeOf(() => server.broker.groups.coordinator.heartbeat({ groupId, generationId, memberId, groupInstanceId }))
    return new Writer().int32(0).int16(errorCode)
  },
}
