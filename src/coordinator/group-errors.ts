/** The typed errors the coordinator answers with, each carrying the ids a client or a log needs. */
import { BrokerError, type BrokerErrorCode } from '../errors.js'

export function groupError(code: BrokerErrorCode, groupId: string | null, message: string, memberId?: string): BrokerError {
  return new BrokerError(code, message, { groupId, ...(memberId === undefined ? {} : { memberId }) })
}

export function illegalGeneration(groupId: string, generationId: number, currentGenerationId: number): BrokerError {
  return new BrokerError('ILLEGAL_GENERATION', `generation ${generationId} is not group ${groupId}'s current generation ${currentGenerationId}`, {
    groupId,
    generationId,
    currentGenerationId,
  })
}

export function inconsistentProtocol(groupId: string): BrokerError {
  return groupError('INCONSISTENT_GROUP_PROTOCOL', groupId, `the protocol type or protocols do not match group ${groupId}'s members`)
}

export function fencedInstance(groupId: string, memberId: string, groupInstanceId: string, currentMemberId: string): BrokerError {
  return new BrokerError('FENCED_INSTANCE_ID', `static member ${groupInstanceId} is now member ${currentMemberId}; ${memberId} is fenced`, {
    groupId,
    memberId,
    groupInstanceId,
  })
}
