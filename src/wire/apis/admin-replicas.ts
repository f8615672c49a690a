/**
 * Manual replica assignments (CreateTopics, CreatePartitions) on a cluster of one node: Kafka's
 * checks (ReplicationControlManager.validateManualPartitionAssignment) with this node as the
 * only registered broker, so the one assignment that passes is "on this node, once".
 */
import { BrokerError } from '../../errors.js'

export function checkReplicasOnThisNode(brokerIds: readonly number[], nodeId: number): void {
  if (brokerIds.length === 0) throw invalidAssignment('The manual partition assignment includes an empty replica list.')
  const stranger = [...brokerIds].sort((a, b) => a - b).find((id) => id !== nodeId)
  if (stranger !== undefined) throw invalidAssignment(`The manual partition assignment includes broker ${stranger}, but no such broker is registered.`)
  if (brokerIds.length > 1) throw invalidAssignment(`The manual partition assignment includes the broker ${nodeId} more than once.`)
}

export function invalidAssignment(message: string): BrokerError {
  return new BrokerError('INVALID_REPLICA_ASSIGNMENT', message)
}
