/**
 * Kafka's `cooperative-sticky` assignor (KIP-429): a balanced assignment that keeps as many of the
 * partitions members already own as balance allows, computed in two steps.
 *
 * 1. Target. When every member subscribes to the same (known) topics, quotas: P partitions over
 *    n members means P % n members get ceil(P/n) and the rest floor(P/n); the extra slots go to
 *    the members owning the most, each member keeps its owned partitions up to its quota, and the
 *    free partitions are dealt round the members still under quota. That keeps the most owned
 *    partitions any balanced assignment can. Otherwise (mixed subscriptions) owned partitions are
 *    kept, free ones go to the least-loaded subscriber (the most constrained partitions first),
 *    then single moves run until no partition's owner has two or more partitions more than some
 *    other subscriber of its topic: Kafka's balance criterion, which implies counts differ by at
 *    most one among members with the same subscription.
 * 2. Cooperative step. A partition whose target owner is not its current owner is left out of
 *    this round: its owner sees it missing and gives it up, then rejoins, and the follow-up
 *    rebalance (where nobody owns it) hands it to its new owner. So a member is never handed a
 *    partition another member still reports owning, and members keep consuming whatever stays.
 *
 * Ownership claims (from Subscription v1+ `owned_partitions`). Kafka resolves two members claiming
 * one partition by the generation in their subscriptions; brook's assignor input has no
 * generation, so the first claimant in member-id order that is still subscribed to the topic is
 * the current owner and keeps it sticky; the other claimants simply do not get it and revoke it.
 * A claim from a member no longer subscribed to the topic keeps nothing, but still counts as
 * current ownership when nobody subscribed claims it, so the partition is withheld for one round
 * until that member has let go. Claims on unknown topics or partitions are ignored.
 */
import { AssignmentBuilder, checkAssignorInput, compareStrings } from './assignment-builder.js'
import type { Assignor, AssignorMember } from './types.js'

/** Every partition of every subscribed, known topic, numbered densely in (topic, partition) order. */
interface Universe {
  readonly topics: string[]
  /** Index of a topic's partition 0; topic t holds indices base[t] .. base[t + 1] - 1. */
  readonly base: number[]
  readonly topicOf: Int32Array
  /** Members (indices into the id-sorted list) subscribed to each topic, ascending. */
  readonly subscribers: number[][]
  /** Per member, the known topics it subscribes to. */
  readonly memberTopics: Set<number>[]
  readonly size: number
}

function buildUniverse(members: readonly AssignorMember[], partitionsPerTopic: ReadonlyMap<string, number>): Universe {
  const topics = [...new Set(members.flatMap((member) => member.topics))].filter((topic) => partitionsPerTopic.has(topic)).sort(compareStrings)
  const topicIndex = new Map(topics.map((topic, index) => [topic, index]))
  const base = [0]
  for (const topic of topics) base.push(base[base.length - 1] + partitionsPerTopic.get(topic)!)
  const size = base[topics.length]
  const topicOf = new Int32Array(size)
  for (let t = 0; t < topics.length; t++) topicOf.fill(t, base[t], base[t + 1])
  const subscribers: number[][] = topics.map(() => [])
  const memberTopics = members.map((member, m) => {
    const own = new Set<number>()
    for (const topic of member.topics) {
      const t = topicIndex.get(topic)
      if (t === undefined || own.has(t)) continue
      own.add(t)
      subscribers[t].push(m)
    }
    return own
  })
  return { topics, base, topicOf, subscribers, memberTopics, size }
}

interface Claims {
  /** Current owner kept sticky (a claimant still subscribed), or -1. */
  readonly sticky: Int32Array
  /** Whoever currently consumes the partition, for the cooperative step, or -1. */
  readonly current: Int32Array
}

function readClaims(members: readonly AssignorMember[], universe: Universe): Claims {
  const sticky = new Int32Array(universe.size).fill(-1)
  const anyClaimant = new Int32Array(universe.size).fill(-1)
  const topicIndex = new Map(universe.topics.map((topic, index) => [topic, index]))
  members.forEach((member, m) => {
    for (const { topic, partitions } of member.ownedPartitions) {
      const t = topicIndex.get(topic)
      if (t === undefined) continue
      const count = universe.base[t + 1] - universe.base[t]
      for (const partition of partitions) {
        if (!Number.isInteger(partition) || partition < 0 || partition >= count) continue
        const p = universe.base[t] + partition
        if (anyClaimant[p] < 0) anyClaimant[p] = m
        if (sticky[p] < 0 && universe.memberTopics[m].has(t)) sticky[p] = m
      }
    }
  })
  const current = sticky.map((owner, p) => (owner >= 0 ? owner : anyClaimant[p]))
  return { sticky, current }
}

/** Same subscription everywhere: quotas, then keep owned up to quota, then deal the rest. */
function quotaTarget(memberCount: number, universe: Universe, sticky: Int32Array): Int32Array {
  const owned: number[][] = Array.from({ length: memberCount }, () => [])
  sticky.forEach((owner, p) => {
    if (owner >= 0) owned[owner].push(p)
  })
  const quota = new Array<number>(memberCount).fill(Math.floor(universe.size / memberCount))
  const byOwnedDescending = [...quota.keys()].sort((a, b) => owned[b].length - owned[a].length || a - b)
  for (let i = 0; i < universe.size % memberCount; i++) quota[byOwnedDescending[i]]++
  const target = new Int32Array(universe.size).fill(-1)
  const count = new Array<number>(memberCount).fill(0)
  owned.forEach((partitions, m) => {
    for (const p of partitions.slice(0, quota[m])) target[p] = m
    count[m] = Math.min(partitions.length, quota[m])
  })
  // Dealt one at a time so a member's new partitions spread over topics; the quotas sum to the
  // partition count, so someone is under quota while a partition is free.
  let m = 0
  for (let p = 0; p < universe.size; p++) {
    if (target[p] >= 0) continue
    while (count[m] >= quota[m]) m = (m + 1) % memberCount
    target[p] = m
    count[m]++
    m = (m + 1) % memberCount
  }
  return target
}

function leastLoaded(candidates: readonly number[], count: readonly number[]): number {
  let best = candidates[0]
  for (const m of candidates) if (count[m] < count[best]) best = m
  return best
}

/** Mixed subscriptions: keep owned, place free partitions greedily, then move until balanced. */
function balancedTarget(memberCount: number, universe: Universe, sticky: Int32Array): Int32Array {
  const { topicOf, subscribers, base } = universe
  const target = Int32Array.from(sticky)
  const count = new Array<number>(memberCount).fill(0)
  for (const owner of target) if (owner >= 0) count[owner]++
  const free = [...target.keys()]
    .filter((p) => target[p] < 0)
    .sort((a, b) => subscribers[topicOf[a]].length - subscribers[topicOf[b]].length || a - b)
  for (const p of free) {
    const m = leastLoaded(subscribers[topicOf[p]], count)
    target[p] = m
    count[m]++
  }
  // Each move narrows a gap of two or more, so the sum of squared counts falls: this ends. The
  // widest gap goes first, which tends to need the fewest moves.
  for (;;) {
    let move = -1
    let moveTo = -1
    let moveGap = 1
    for (let t = 0; t < universe.topics.length; t++) {
      const receiver = leastLoaded(subscribers[t], count)
      for (let p = base[t]; p < base[t + 1]; p++) {
        const gap = count[target[p]] - count[receiver]
        if (gap > moveGap) {
          move = p
          moveTo = receiver
          moveGap = gap
        }
      }
    }
    if (move < 0) return target
    count[target[move]]--
    target[move] = moveTo
    count[moveTo]++
  }
}

function allSubscriptionsEqual(universe: Universe): boolean {
  const [first, ...rest] = universe.memberTopics
  return rest.every((topics) => topics.size === first.size && [...topics].every((t) => first.has(t)))
}

export const cooperativeStickyAssignor: Assignor = {
  name: 'cooperative-sticky',
  rebalanceProtocol: 'cooperative',
  assign(members, partitionsPerTopic) {
    checkAssignorInput(members, partitionsPerTopic)
    const builder = new AssignmentBuilder(members)
    if (members.length === 0) return builder.build()
    const sorted = [...members].sort((a, b) => compareStrings(a.memberId, b.memberId))
    const universe = buildUniverse(sorted, partitionsPerTopic)
    if (universe.size === 0) return builder.build()
    const { sticky, current } = readClaims(sorted, universe)
    const target = allSubscriptionsEqual(universe)
      ? quotaTarget(sorted.length, universe, sticky)
      : balancedTarget(sorted.length, universe, sticky)
    for (let p = 0; p < universe.size; p++) {
      // Changing hands: withheld this round, handed over in the follow-up rebalance.
      if (current[p] >= 0 && current[p] !== target[p]) continue
      const t = universe.topicOf[p]
      builder.add(sorted[target[p]].memberId, universe.topics[t], p - universe.base[t])
    }
    return builder.build()
  },
}
