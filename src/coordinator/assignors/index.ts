/** The assignors brook ships, looked up by the protocol name a JoinGroup carries. */
import { cooperativeStickyAssignor } from './cooperative-sticky-assignor.js'
import { rangeAssignor } from './range-assignor.js'
import { kafkajsRoundRobinAssignor, roundRobinAssignor } from './round-robin-assignor.js'
import type { Assignor } from './types.js'

export { cooperativeStickyAssignor, kafkajsRoundRobinAssignor, rangeAssignor, roundRobinAssignor }
export type { Assignor, AssignorMember, TopicPartitions } from './types.js'

const BY_NAME: ReadonlyMap<string, Assignor> = new Map(
  [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor].map((assignor) => [assignor.name, assignor]),
)

/** The assignor for a JoinGroup protocol name (Kafka's Java names, case-sensitive), if brook has it. */
export function assignorByName(name: string): Assignor | undefined {
  return BY_NAME.get(name)
}
