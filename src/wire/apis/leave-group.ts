/**
 * LeaveGroup (key 13) v1–3. v1–2 name one member and answer with its error. v3 (KIP-345) names
 * several, each by member id and/or group instance id (member id '' = the static member with
 * that instance id, an administrative removal), and answers per member; the top-level error is
 * for the request as a whole (an invalid group id, a closed coordinator).
 */
import type { LeaveGroupMemberResult } from '../../coordinator/group-types.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaErrorCodeOf, NONE } from '../error-codes.js'
import { Writer } from '../writer.js'
import { errorCodeOf } from './group-outcome.js'

export const leaveGroupHandler: ApiHandler = {
  apiKey: API_KEYS.LeaveGroup,
  name: 'LeaveGroup',
  minVersion: 1,
  maxVersion: 3,
  async handle(request, { server, apiVersion: version }) {
    const groupId = request.string()
    const members =
      version >= 3
        ? request.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() }), 4)
        : [{ memberId: request.string(), groupInstanceId: null }]
    request.expectEnd('LeaveGroup request')

    let results: LeaveGroupMemberResult[] = []
    const errorCode = await errorCodeOf(() => {
      results = server.broker.groups.coordinator.leaveGroup({ groupId, members })
    })
    const body = new Writer().int32(0)
    if (version < 3) return body.int16(errorCode !== NONE ? errorCode : memberError(results[0]))
    return body.int16(errorCode).array(results, (writer, result) => {
      writer.string(result.memberId).nullableString(result.groupInstanceId).int16(memberError(result))
    })
  },
}

function memberError(result: LeaveGroupMemberResult | undefined): number {
  return result?.error ? kafkaErrorCodeOf(result.error) : NONE
}
