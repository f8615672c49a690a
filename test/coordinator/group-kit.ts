/** Shared set-up for the group coordinator tests: a fake clock, recorded events, request builders. */
import type { ExecutionContext } from 'ava'
import { isBrokerError, type BrokerErrorCode } from '../../src/errors.js'
import {
  GroupCoordinator,
  type CoordinatorOptions,
  type JoinGroupRequest,
  type JoinGroupResponse,
} from '../../src/coordinator/group-coordinator.js'
import { FakeClock } from '../helpers/fake-clock.js'

export const SESSION_MS = 10_000
export const REBALANCE_MS = 30_000
export const DELAY_MS = 100

export interface Kit {
  clock: FakeClock
  coordinator: GroupCoordinator
  events: Array<{ name: string; payload: any }>
}

export function kit(t: ExecutionContext, options: CoordinatorOptions = {}): Kit {
  const clock = new FakeClock()
  const coordinator = new GroupCoordinator({ clock, initialRebalanceDelayMs: DELAY_MS, ...options })
  const events: Kit['events'] = []
  for (const name of ['rebalance', 'member.expired', 'group.stable', 'group.deleted']) {
    coordinator.events.on(name, (payload) => events.push({ name, payload }))
  }
  t.teardown(() => coordinator.close())
  return { clock, coordinator, events }
}

export function meta(text: string): Buffer {
  return Buffer.from(text)
}

export function join(overrides: Partial<JoinGroupRequest> = {}): JoinGroupRequest {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    clientId: 'client',
    clientHost: '/127.0.0.1',
    sessionTimeoutMs: SESSION_MS,
    rebalanceTimeoutMs: REBALANCE_MS,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: meta('sub') }],
    ...overrides,
  }
}

type Settled<T> = { status: 'pending' } | { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown }

/** Whether a promise has settled by now (after pending reactions ran); never waits for time. */
export async function peek<T>(promise: Promise<T>): Promise<Settled<T>> {
  const pending = Symbol('pending')
  try {
    const value = await Promise.race([promise, Promise.resolve(pending)])
    return value === pending ? { status: 'pending' } : { status: 'fulfilled', value: value as T }
  } catch (reason) {
    return { status: 'rejected', reason }
  }
}

export async function isPending(promise: Promise<unknown>): Promise<boolean> {
  return (await peek(promise)).status === 'pending'
}

/** Asserts the call throws (or the promise rejects) with a BrokerError of this code; returns it. */
export async function rejectsWith(t: ExecutionContext, action: Promise<unknown> | (() => unknown), code: BrokerErrorCode) {
  let error: unknown
  try {
    await (typeof action === 'function' ? action() : action)
  } catch (caught) {
    error = caught
  }
  if (!isBrokerError(error)) {
    t.fail(`expected BrokerError ${code}, got ${String(error)}`)
    throw new Error('unreachable')
  }
  t.is(error.code, code, error.message)
  return error
}

export function throwsWith(t: ExecutionContext, action: () => unknown, code: BrokerErrorCode) {
  const error = t.throws(action)
  t.true(isBrokerError(error), String(error))
  t.is((error as { code?: string }).code, code, error?.message)
  return error as Error & { code: BrokerErrorCode; details: Record<string, unknown> }
}

/**
 * Forms a Stable group from new members that join together (within the initial rebalance
 * delay): one generation, the first joiner leads and gives member i the assignment `a<i>`.
 */
export async function formGroup(k: Kit, requests: JoinGroupRequest[]): Promise<JoinGroupResponse[]> {
  const joins = requests.map((request) => k.coordinator.joinGroup(request))
  k.clock.advance(DELAY_MS * 2)
  const joined = await Promise.all(joins)
  const leader = joined.find((j) => j.leaderId === j.memberId)!
  const assignments = joined.map((j, i) => ({ memberId: j.memberId, assignment: meta(`a${i}`) }))
  const syncs = joined.map((j, i) =>
    k.coordinator.syncGroup({
      groupId: requests[i].groupId,
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: requests[i].groupInstanceId,
      assignments: j === leader ? assignments : [],
    }),
  )
  await Promise.all(syncs)
  return joined
}
