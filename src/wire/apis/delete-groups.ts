/**
 * DeleteGroups (key 42) v0–1 (one layout): drops groups that have no active members, with their
 * committed offsets. Each group gets its own error code: NON_EMPTY_GROUP while members are in
 * it, GROUP_ID_NOT_FOUND when nothing is known about it.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaErrorCodeOf, NONE } from '../error-codes.js'
import { Writer } from '../writer.js'

export const deleteGroupsHandler: ApiHandler = {
  apiKey: API_KEYS.DeleteGroups,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  async handle(request, { server }) {
    const groupIds = request.array((r) => r.string(), 2)
    request.expectEnd('DeleteGroups request')
    const results: Array<{ groupId: string; errorCode: number }> = []
    for (const groupId of groupIds) {
      try {
        await server.broker.groups.admin.deleteGroups([groupId])
        results.push({ groupId, errorCode: NONE })
      } catch (error) {
        results.push({ groupId, errorCode: kafkaErrorCodeOf(error) })
      }
    }
    return new Writer().int32(0).array(results, (writer, result) => writer.string(result.groupId).int16(result.errorCode))
  },
}
