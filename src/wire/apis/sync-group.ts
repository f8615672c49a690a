/**
 * SyncGroup (key 14) v1–3: the leader hands in every member's assignment and each member gets
 * its own; a member parks until the leader's assignment arrives. The assignments are opaque
 * bytes (ConsumerProtocol for consumers), passed through untouched. v3 adds group_instance_id;
 * v2 = v1. On error the assignment is empty, as in Kafka.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import { Writer } from '../writer.js'
import { errorCodeOf, untilClosed } from './group-outcome.js'

const EMPTY: Buffer = Buffer.alloc(0)

export const syncGroupHandler: ApiHandler = {
  apiKey: API_KEYS.SyncGroup,
  name: 'SyncGroup',
  minVersion: 1,
  maxVersion: 3,
  async handle(request, { server, apiVersion: version, signal }) {
    const groupId = request.string()
    const generationId = request.int32()
    const memberId = request.string()
    const groupInstanceId = version >= 3 ? request.nullableString() : null
    const assignments = request.array((r) => ({ memberId: r.string(), assignment: r.bytes() }), 6)
    request.expectEnd('SyncGroup request')

    let assignment = EMPTY
    const errorCode = await errorCodeOf(async () => {
      const sync = server.broker.groups.coordinator.syncGroup({ groupId, generationId, memberId, groupInstanceId, assignments })
      assignment = (await untilClosed(sync, signal)).assignment
    })
    return new Writer().int32(0).int16(errorCode).bytes(assignment)
  },
}
