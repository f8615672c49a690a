/**
 * The long poll under every fetch: waits until any of some partitions has a record at or after
 * an offset, the time is up, a signal aborts, or the broker closes. Partition actors publish new
 * offsets through the partition table, which wakes the waiters registered on a state.
 */
import type { PartitionState } from './partition-table.js'

export interface WaitTarget {
  state: PartitionState
  offset: number
}

export function waitForRecordsIn(targets: WaitTarget[], maxWaitMs: number, isClosed: () => boolean, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, maxWaitMs)
    signal?.addEventListener('abort', done, { once: true })
    let finished = false
    function done() {
      if (finished) return
      finished = true
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      for (const { state } of targets) state.waiters.delete(check)
      resolve()
    }
    function check() {
      if (isClosed() || signal?.aborted || targets.some(({ state, offset }) => state.offsets.highWatermark > offset)) done()
      else for (const { state } of targets) state.waiters.add(check)
    }
    check()
  })
}
