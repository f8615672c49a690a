/**
 * JoinGroup (key 11) v2–5, answered by the same coordinator embedded consumers use. The request
 * parks until the group's join phase ends. v4+ (KIP-394): a new dynamic member first gets
 * MEMBER_ID_REQUIRED with its id in member_id and joins again with it. v5 (KIP-345) adds
 * group_instance_id to the request and to each member of the leader's list. v3 and v4 responses
 * are v2's.
 */
import type { JoinGroupResponse } from '../../coordinator/group-types.js'
import { isBrokerError } from '../../errors.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaErrorCodeOf, NONE } from '../error-codes.js'
import { Writer } from '../writer.js'
import { untilClosed } from './group-outcome.js'

export const joinGroupHandler: ApiHandler = {
  apiKey: API_KEYS.JoinGroup,
  name: 'JoinGroup',
  minVersion: 2,
  maxVersion: 5,
  async handle(request, { server, apiVersion: version, clientId, clientHost, signal }) {
    const groupId = request.string()
    const sessionTimeoutMs = request.int32()
    const rebalanceTimeoutMs = request.int32()
    const memberId = request.string()
    const groupInstanceId = version >= 5 ? request.nullableString() : null
    const protocolType = request.string()
    const protocols = request.array((r) => ({ name: r.string(), metadata: r.bytes() }), 6)
    request.expectEnd('JoinGroup request')

    let errorCode = NONE
    let joined: JoinGroupResponse
    try {
      const join = server.broker.groups.coordinator.joinGroup({
        groupId,
        memberId,
        groupInstanceId,
        clientId: clientId ?? '',
        clientHost,
        sessionTimeoutMs,
        rebalanceTimeoutMs,
        protocolType,
        protocols,
        requireKnownMemberId: version >= 4,
      })
      joined = await untilClosed(join, signal)
    } catch (error) {
      errorCode = kafkaErrorCodeOf(error)
      // MEMBER_ID_REQUIRED carries the id to join with; other errors echo the id sent (Kafka's joinError).
      const assigned = isBrokerError(error) && error.code === 'MEMBER_ID_REQUIRED' ? error.details.memberId : undefined
      joined = { generationId: -1, protocolName: '', leaderId: '', memberId: typeof assigned === 'string' ? assigned : memberId, members: [] }
    }

    const body = new Writer().int32(0).int16(errorCode).int32(joined.generationId).string(joined.protocolName).string(joined.leaderId).string(joined.memberId)
    return body.array(joined.members, (writer, member) => {
      writer.string(member.memberId)
      if (version >= 5) writer.nullableString(member.groupInstanceId)
      writer.bytes(member.metadata)
    })
  },
}
