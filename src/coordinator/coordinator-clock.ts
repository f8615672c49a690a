import type { CoordinatorClock } from './group-types.js'

/** Node refuses longer timers (it fires them at once); Kafka's timeouts are int32 milliseconds anyway. */
export const MAX_TIMER_MS = 2_147_483_647

/**
 * The real clock: `performance.now()` is monotonic, so session and rebalance timeouts do not
 * move when the wall clock jumps (reliability.md C4). Timers keep the process alive, as the
 * members they watch do; `GroupCoordinator.close()` cancels them all.
 */
export const systemCoordinatorClock: CoordinatorClock = {
  now: () => performance.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_MS))
    return { cancel: () => clearTimeout(handle) }
  },
}
