/**
 * ListGroups (key 16) v0–2: every group the coordinator holds, plus groups known only by their
 * committed offsets (Empty, as Kafka lists them after reloading its offsets log) — the same
 * list as broker.admin().listGroups. v1+ answers with throttle_time_ms; v2 = v1.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaErrorCodeOf, NONE } from '../error-codes.js'
import { Writer } from '../writer.js'

export const listGroupsHandler: ApiHandler = {
  apiKey: API_KEYS.ListGroups,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, { server, apiVersion: version }) {
    request.expectEnd('ListGroups request')
    let errorCode = NONE
    let groups: Array<{ groupId: string; protocolType: string }> = []
    try {
      groups = (await server.broker.groups.admin.listGroups()).groups
    } catch (error) {
      errorCode = kafkaErrorCodeOf(error)
    }
    const body = new Writer()
    if (version >= 1) body.int32(0)
    return body.int16(errorCode).array(groups, (writer, group) => writer.string(group.groupId).string(group.protocolType))
  },
}
