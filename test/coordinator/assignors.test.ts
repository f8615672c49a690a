import test from 'ava'
import fc from 'fast-check'
import { isBrokerError } from '../../src/errors.js'
import {
  assignorByName,
  cooperativeStickyAssignor,
  rangeAssignor,
  roundRobinAssignor,
  type Assignor,
  type AssignorMember,
  type TopicPartitions,
} from '../../src/coordinator/assignors/index.js'

const seed = Number(process.env.FC_SEED ?? Date.now() % 0x7fffffff)
const numRuns = 200

type Result = Map<string, TopicPartitions[]>
const member = (memberId: string, topics: string[], ownedPartitions: TopicPartitions[] = [], groupInstanceId?: string): AssignorMember =>
  ({ memberId, topics, ownedPartitions, groupInstanceId })
const counts = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries))
const plain = (result: Result): Record<string, TopicPartitions[]> => Object.fromEntries(result)
const size = (list: TopicPartitions[] | undefined): number => (list ?? []).reduce((sum, { partitions }) => sum + partitions.length, 0)
const keys = (list: TopicPartitions[] | undefined): string[] => (list ?? []).flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}/${p}`))
/** The result fed back as what each member owns, as a member's next Subscription would carry it. */
const owning = (members: AssignorMember[], result: Result): AssignorMember[] =>
  members.map((m) => ({ ...m, ownedPartitions: result.get(m.memberId) ?? [] }))

// --- known examples -----------------------------------------------------------------------------

test('range: Kafka\'s documented example', (t) => {
  const result = rangeAssignor.assign([member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])], counts({ t0: 3, t1: 3 }))
  t.deepEqual(plain(result), {
    C0: [{ topic: 't0', partitions: [0, 1] }, { topic: 't1', partitions: [0, 1] }],
    C1: [{ topic: 't0', partitions: [2] }, { topic: 't1', partitions: [2] }],
  })
})

test('range: the first n % m members get one extra; static members sort first, by instance id', (t) => {
  const result = rangeAssignor.assign(
    [member('a', ['t']), member('b', ['t'], [], 'zz-static'), member('c', ['t'], [], 'aa-static')],
    counts({ t: 7 }),
  )
  t.deepEqual(plain(result), {
    c: [{ topic: 't', partitions: [0, 1, 2] }],
    b: [{ topic: 't', partitions: [3, 4] }],
    a: [{ topic: 't', partitions: [5, 6] }],
  })
})

test('roundrobin: Kafka\'s documented examples (same and different subscriptions)', (t) => {
  const same = roundRobinAssignor.assign([member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])], counts({ t0: 3, t1: 3 }))
  t.deepEqual(plain(same), {
    C0: [{ topic: 't0', partitions: [0, 2] }, { topic: 't1', partitions: [1] }],
    C1: [{ topic: 't0', partitions: [1] }, { topic: 't1', partitions: [0, 2] }],
  })
  const different = roundRobinAssignor.assign(
    [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])],
    counts({ t0: 1, t1: 2, t2: 3 }),
  )
  t.deepEqual(plain(different), {
    C0: [{ topic: 't0', partitions: [0] }],
    C1: [{ topic: 't1', partitions: [0] }],
    C2: [{ topic: 't1', partitions: [1] }, { topic: 't2', partitions: [0, 1, 2] }],
  })
})

test('every member gets an entry; unknown topics and topics nobody subscribes to are ignored', (t) => {
  for (const assignor of [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor]) {
    const result = assignor.assign(
      [member('a', ['known', 'unknown']), member('b', ['unknown']), member('c', [])],
      counts({ known: 2, lonely: 4 }),
    )
    t.deepEqual(plain(result), { a: [{ topic: 'known', partitions: [0, 1] }], b: [], c: [] }, assignor.name)
    t.deepEqual(plain(assignor.assign([], counts({ t: 3 }))), {}, assignor.name)
  }
})

test('assignorByName knows the Java protocol names, and their rebalance protocols', (t) => {
  t.is(assignorByName('range'), rangeAssignor)
  t.is(assignorByName('roundrobin'), roundRobinAssignor)
  t.is(assignorByName('cooperative-sticky'), cooperativeStickyAssignor)
  t.is(assignorByName('RoundRobinAssigner'), undefined)
  t.deepEqual([rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor].map((a) => a.rebalanceProtocol), ['eager', 'eager', 'cooperative'])
})

test('duplicate member ids and invalid partition counts are INVALID_REQUEST', (t) => {
  for (const assignor of [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor]) {
    for (const run of [
      () => assignor.assign([member('a', ['t']), member('a', ['t'])], counts({ t: 1 })),
      () => assignor.assign([member('a', ['t'])], counts({ t: -1 })),
      () => assignor.assign([member('a', ['t'])], counts({ t: 1.5 })),
    ]) {
      const error = t.throws(run)
      t.true(isBrokerError(error) && error.code === 'INVALID_REQUEST', assignor.name)
    }
  }
})

test('cooperative-sticky: a joining member gets its share over two rounds, nothing moves twice', (t) => {
  const ppt = counts({ t: 6 })
  const before = [member('A', ['t'], [{ topic: 't', partitions: [0, 1, 2] }]), member('B', ['t'], [{ topic: 't', partitions: [3, 4, 5] }])]
  const round1 = cooperativeStickyAssignor.assign([...before, member('C', ['t'])], ppt)
  // A and B each give up one partition; C gets nothing until they have let go.
  t.deepEqual(plain(round1), { A: [{ topic: 't', partitions: [0, 1] }], B: [{ topic: 't', partitions: [3, 4] }], C: [] })
  const round2 = cooperativeStickyAssignor.assign(owning([...before, member('C', ['t'])], round1), ppt)
  t.deepEqual(plain(round2), { A: [{ topic: 't', partitions: [0, 1] }], B: [{ topic: 't', partitions: [3, 4] }], C: [{ topic: 't', partitions: [2, 5] }] })
})

test('cooperative-sticky: a leaving member\'s partitions go straight to the others', (t) => {
  const result = cooperativeStickyAssignor.assign(
    [member('A', ['t'], [{ topic: 't', partitions: [0, 1] }]), member('B', ['t'], [{ topic: 't', partitions: [2, 3] }])],
    counts({ t: 6 }),
  )
  t.deepEqual(plain(result), { A: [{ topic: 't', partitions: [0, 1, 4] }], B: [{ topic: 't', partitions: [2, 3, 5] }] })
})

test('cooperative-sticky: conflicting claims keep the first member id; a claim without subscription is withheld once', (t) => {
  const conflict = cooperativeStickyAssignor.assign(
    [member('B', ['t'], [{ topic: 't', partitions: [0] }]), member('A', ['t'], [{ topic: 't', partitions: [0] }])],
    counts({ t: 2 }),
  )
  t.deepEqual(plain(conflict), { B: [{ topic: 't', partitions: [1] }], A: [{ topic: 't', partitions: [0] }] })
  // A switched from u to t but still reports u/0: B may only take it once A has let go.
  const members = [member('A', ['t'], [{ topic: 'u', partitions: [0] }]), member('B', ['u'])]
  const ppt = counts({ t: 1, u: 1 })
  const round1 = cooperativeStickyAssignor.assign(members, ppt)
  t.deepEqual(plain(round1), { A: [{ topic: 't', partitions: [0] }], B: [] })
  t.deepEqual(plain(cooperativeStickyAssignor.assign(owning(members, round1), ppt)).B, [{ topic: 'u', partitions: [0] }])
})

// --- properties ---------------------------------------------------------------------------------

const TOPICS = ['a', 'b', 'c', 'gone'] // 'gone' is never in partitionsPerTopic

interface Scenario {
  members: AssignorMember[]
  partitionsPerTopic: Map<string, number>
}

const partitionsPerTopic = fc
  .tuple(fc.nat(9), fc.nat(9), fc.nat(9))
  .map(([a, b, c]) => new Map([['a', a], ['b', b], ['c', c]]))
const subscription = fc.subarray(TOPICS)
const memberIds = fc.uniqueArray(fc.stringMatching(/^[a-z]{1,3}$/), { minLength: 1, maxLength: 7 })

/** Arbitrary members: mixed subscriptions, some static, and arbitrary (even bogus) ownership claims. */
const scenario: fc.Arbitrary<Scenario> = fc
  .tuple(memberIds, partitionsPerTopic)
  .chain(([ids, ppt]) =>
    fc.tuple(
      fc.tuple(...ids.map((id, i) =>
        fc.record({
          memberId: fc.constant(id),
          groupInstanceId: fc.option(fc.constant(`static-${i}`), { nil: null }),
          topics: subscription,
          ownedPartitions: fc.array(fc.record({ topic: fc.constantFrom(...TOPICS), partitions: fc.array(fc.integer({ min: -1, max: 10 }), { maxLength: 4 }) }), { maxLength: 3 }),
        }),
      )),
      fc.constant(ppt),
    ),
  )
  .map(([members, ppt]) => ({ members, partitionsPerTopic: ppt }))

/** Members that all subscribe to the same topics and own nothing. */
const equalScenario: fc.Arbitrary<Scenario> = fc
  .tuple(memberIds, fc.subarray(TOPICS, { minLength: 1 }), partitionsPerTopic)
  .map(([ids, topics, ppt]) => ({ members: ids.map((id) => member(id, topics)), partitionsPerTopic: ppt }))

const withoutOwnership = (s: Scenario): Scenario => ({ ...s, members: s.members.map((m) => ({ ...m, ownedPartitions: [] })) })

/** Every partition some member subscribes to, as `topic/partition`. */
function subscribedPartitions({ members, partitionsPerTopic: ppt }: Scenario): string[] {
  const topics = new Set(members.flatMap((m) => m.topics))
  return [...ppt].filter(([topic]) => topics.has(topic)).flatMap(([topic, n]) => Array.from({ length: n }, (_, p) => `${topic}/${p}`))
}

/** Throws on any broken contract: entries, sortedness, at most once, only to subscribers. */
function checkValid({ members, partitionsPerTopic: ppt }: Scenario, result: Result): void {
  if (result.size !== members.length || !members.every((m) => result.has(m.memberId))) throw new Error('not one entry per member')
  const seen = new Set<string>()
  for (const m of members) {
    const list = result.get(m.memberId)!
    const topics = list.map((entry) => entry.topic)
    if (topics.join('\0') !== [...topics].sort().join('\0') || new Set(topics).size !== topics.length) throw new Error('topics not sorted/unique')
    for (const { topic, partitions } of list) {
      if (partitions.length === 0) throw new Error('empty topic entry')
      if (!m.topics.includes(topic)) throw new Error(`${m.memberId} got ${topic} without subscribing`)
      partitions.forEach((p, i) => {
        if (i > 0 && partitions[i - 1] >= p) throw new Error('partitions not ascending')
        if (!Number.isInteger(p) || p < 0 || p >= (ppt.get(topic) ?? 0)) throw new Error(`${topic}/${p} does not exist`)
        if (seen.has(`${topic}/${p}`)) throw new Error(`${topic}/${p} assigned twice`)
        seen.add(`${topic}/${p}`)
      })
    }
  }
}

function checkComplete(s: Scenario, result: Result): void {
  const assigned = [...result.values()].reduce((sum, list) => sum + size(list), 0)
  if (assigned !== subscribedPartitions(s).length) throw new Error(`${assigned} of ${subscribedPartitions(s).length} partitions assigned`)
}

/** Kafka's sticky balance: no owner has two or more partitions more than another subscriber of the topic. */
function checkStickyBalance({ members }: Scenario, result: Result): void {
  for (const owner of members) {
    for (const { topic } of result.get(owner.memberId)!) {
      for (const other of members) {
        if (other.topics.includes(topic) && size(result.get(owner.memberId)) - size(result.get(other.memberId)) > 1) {
          throw new Error(`${owner.memberId} has ${topic} and two more partitions than ${other.memberId}`)
        }
      }
    }
  }
}

const spread = (values: number[]): number => (values.length === 0 ? 0 : Math.max(...values) - Math.min(...values))
const sameTopics = (a: AssignorMember, b: AssignorMember): boolean =>
  [...new Set(a.topics)].sort().join('\0') === [...new Set(b.topics)].sort().join('\0')

function property(name: string, arbitrary: fc.Arbitrary<Scenario>, check: (s: Scenario) => void): void {
  test(`property: ${name}`, (t) => {
    t.log(`fast-check seed ${seed}`)
    fc.assert(fc.property(arbitrary, check), { seed, numRuns })
    t.pass()
  })
}

for (const assignor of [rangeAssignor, roundRobinAssignor, cooperativeStickyAssignor] as Assignor[]) {
  property(`${assignor.name}: each partition at most once, only to a subscriber, sorted, an entry per member`, scenario, (s) => {
    checkValid(s, assignor.assign(s.members, s.partitionsPerTopic))
  })
}

for (const assignor of [rangeAssignor, roundRobinAssignor]) {
  property(`${assignor.name}: every subscribed partition is assigned exactly once`, scenario, (s) => {
    const result = assignor.assign(s.members, s.partitionsPerTopic)
    checkValid(s, result)
    checkComplete(s, result)
  })
}

property('range: per topic, subscribers\' counts differ by at most one', scenario, (s) => {
  const result = rangeAssignor.assign(s.members, s.partitionsPerTopic)
  for (const topic of s.partitionsPerTopic.keys()) {
    const perMember = s.members.filter((m) => m.topics.includes(topic)).map((m) => size(result.get(m.memberId)!.filter((e) => e.topic === topic)))
    if (spread(perMember) > 1) throw new Error(`range unbalanced on ${topic}`)
  }
})

property('roundrobin: with identical subscriptions, counts differ by at most one', equalScenario, (s) => {
  const result = roundRobinAssignor.assign(s.members, s.partitionsPerTopic)
  if (spread(s.members.map((m) => size(result.get(m.memberId)))) > 1) throw new Error('roundrobin unbalanced')
})

property('cooperative-sticky: without owned partitions the result is complete and balanced', scenario.map(withoutOwnership), (s) => {
  const result = cooperativeStickyAssignor.assign(s.members, s.partitionsPerTopic)
  checkValid(s, result)
  checkComplete(s, result)
  checkStickyBalance(s, result)
  for (const a of s.members) {
    for (const b of s.members) {
      if (sameTopics(a, b) && size(result.get(a.memberId)) - size(result.get(b.memberId)) > 1) throw new Error('same subscription, unbalanced')
    }
  }
})

/** Cooperative safety: nobody is handed a partition another member still claims. */
function checkNoDirectMove(members: AssignorMember[], result: Result): void {
  for (const m of members) {
    const mine = new Set(keys(m.ownedPartitions))
    for (const key of keys(result.get(m.memberId))) {
      if (!mine.has(key) && members.some((other) => keys(other.ownedPartitions).includes(key))) throw new Error(`${key} moved directly to ${m.memberId}`)
    }
  }
}

property('cooperative-sticky: from any claims, rounds never move a partition directly and converge to a complete, balanced assignment', scenario, (s) => {
  let members = s.members
  for (let round = 1; ; round++) {
    const result = cooperativeStickyAssignor.assign(members, s.partitionsPerTopic)
    checkValid(s, result)
    checkNoDirectMove(members, result)
    // Stable: every member is assigned exactly what it owns, so no further rebalance is needed.
    if (members.every((m) => JSON.stringify(result.get(m.memberId)) === JSON.stringify(m.ownedPartitions))) {
      checkComplete(s, result)
      checkStickyBalance(s, result)
      return
    }
    if (round === 4) throw new Error('not stable after 4 rounds')
    members = owning(members, result)
  }
})

/** The most owned partitions any balanced assignment keeps: ceil quotas go to the biggest owners. */
function optimalRetention(owned: number[], partitionCount: number): number {
  const minQuota = Math.floor(partitionCount / owned.length)
  const extra = partitionCount % owned.length
  return [...owned].sort((a, b) => b - a).reduce((sum, o, i) => sum + Math.min(o, minQuota + (i < extra ? 1 : 0)), 0)
}

property('cooperative-sticky (same subscription): after a member leaves, the others keep everything', equalScenario, (s) => {
  const previous = owning(s.members, cooperativeStickyAssignor.assign(s.members, s.partitionsPerTopic))
  const remaining = { ...s, members: previous.slice(1) }
  if (remaining.members.length === 0) return
  const result = cooperativeStickyAssignor.assign(remaining.members, s.partitionsPerTopic)
  for (const m of remaining.members) {
    const kept = new Set(keys(result.get(m.memberId)))
    if (!keys(m.ownedPartitions).every((key) => kept.has(key))) throw new Error(`${m.memberId} lost a partition`)
  }
  checkComplete(remaining, result)
  checkStickyBalance(remaining, result)
})

property('cooperative-sticky (same subscription): after a member joins, round 1 revokes only what balance needs, round 2 hands it to the newcomer', equalScenario, (s) => {
  const previous = owning(s.members, cooperativeStickyAssignor.assign(s.members, s.partitionsPerTopic))
  const joined = { ...s, members: [...previous, member('newcomer', s.members[0].topics)] }
  const round1 = cooperativeStickyAssignor.assign(joined.members, s.partitionsPerTopic)
  checkValid(joined, round1)
  const total = subscribedPartitions(joined).length
  const retained = previous.reduce((sum, m) => sum + size(round1.get(m.memberId)), 0)
  if (retained !== optimalRetention(joined.members.map((m) => size(m.ownedPartitions)), total)) throw new Error('revoked more than balance needs')
  const revoked = new Set<string>()
  for (const m of previous) {
    const kept = new Set(keys(round1.get(m.memberId)))
    for (const key of keys(m.ownedPartitions)) if (!kept.has(key)) revoked.add(key)
    if (keys(round1.get(m.memberId)).some((key) => !keys(m.ownedPartitions).includes(key))) throw new Error('a member gained in round 1')
  }
  if (size(round1.get('newcomer')) !== 0) throw new Error('the newcomer got a partition someone else still owns')
  const round2 = cooperativeStickyAssignor.assign(owning(joined.members, round1), s.partitionsPerTopic)
  checkValid(joined, round2)
  checkComplete(joined, round2)
  checkStickyBalance(joined, round2)
  if ([...keys(round2.get('newcomer'))].sort().join() !== [...revoked].sort().join()) throw new Error('revoked partitions did not go to the newcomer')
  for (const m of previous) if (keys(round2.get(m.memberId)).join() !== keys(round1.get(m.memberId)).join()) throw new Error('round 2 moved a kept partition')
})
