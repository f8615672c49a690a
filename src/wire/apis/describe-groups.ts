/**
 * DescribeGroups (key 15) v0–4: each group's state, protocol and members (metadata and
 * assignments only while Stable, as Kafka). A group the coordinator does not hold is Empty if it
 * has committed offsets (Kafka reloads such a group from its offsets log) and Dead otherwise,
 * without an error, as Kafka answers. v1+ answers with throttle_time_ms, v3+ may ask for the
 * authorized operations, v4 adds each member's group_instance_id.
 */
import type { GroupDescription } from '../../coordinator/group-types.js'
import { isBrokerError } from '../../errors.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaErrorCodeOf, NONE } from '../error-codes.js'
import type { WireServer } from '../wire-server.js'
import { Writer } from '../writer.js'

/** Kafka's "authorized operations not requested" marker. */
const OPERATIONS_OMITTED = -2147483648
/**
 * brook has no ACLs, so a group allows every operation Kafka defines for groups: READ (3),
 * DELETE (6) and DESCRIBE (8), one bit per operation code, as Kafka answers without an authorizer.
 */
const GROUP_OPERATIONS = (1 << 3) | (1 << 6) | (1 << 8)

/** A state of '' is Kafka's "no state" of an error entry. */
type Described = Omit<GroupDescription, 'state'> & { state: string; errorCode: number }

export const describeGroupsHandler: ApiHandler = {
  apiKey: API_KEYS.DescribeGroups,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 4,
  async handle(request, { server, apiVersion: version }) {
    const groupIds = request.array((r) => r.string(), 2)
    const includeOperations = version >= 3 ? request.boolean() : false
    request.expectEnd('DescribeGroups request')
    const groups = await Promise.all(groupIds.map((groupId) => describe(server, groupId)))

    const body = new Writer()
    if (version >= 1) body.int32(0)
    return body.array(groups, (writer, group) => {
      writer.int16(group.errorCode).string(group.groupId).string(group.state).string(group.protocolType).string(group.protocol)
      writer.array(group.members, (w, member) => {
        w.string(member.memberId)
        if (version >= 4) w.nullableString(member.groupInstanceId)
        w.string(member.clientId).string(member.clientHost).bytes(member.metadata).bytes(member.assignment)
      })
      if (version >= 3) writer.int32(includeOperations && group.errorCode === NONE ? GROUP_OPERATIONS : OPERATIONS_OMITTED)
    })
  },
}

async function describe(server: WireServer, groupId: string): Promise<Described> {
  try {
    return { errorCode: NONE, ...server.broker.groups.coordinator.describeGroup(groupId) }
  } catch (error) {
    const unknownGroup = isBrokerError(error) && (error.code === 'GROUP_ID_NOT_FOUND' || error.code === 'INVALID_GROUP_ID')
    if (!unknownGroup) return failed(groupId, kafkaErrorCodeOf(error))
  }
  try {
    const hasOffsets = (await server.broker.groups.offsetStore()).list(groupId).length > 0
    return { errorCode: NONE, groupId, state: hasOffsets ? 'Empty' : 'Dead', protocolType: hasOffsets ? 'consumer' : '', protocol: '', members: [] }
  } catch (error) {
    return failed(groupId, kafkaErrorCodeOf(error))
  }
}

/** Kafka's error entry: no state, protocol or members. */
function failed(groupId: string, errorCode: number): Described {
  return { errorCode, groupId, state: '', protocolType: '', protocol: '', members: [] }
}
