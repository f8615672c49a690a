/**
 * Stopping a long-running command: the first SIGINT or SIGTERM (or a call to stop(), e.g. when
 * --max-messages is reached) asks it to finish cleanly; a second signal exits at once.
 */
import { once } from 'node:events'

export interface Stopper {
  /** Aborted once a stop was asked for (ends waits early). */
  readonly signal: AbortSignal
  /** Resolves once a stop was asked for. */
  readonly stopped: Promise<void>
  readonly isStopped: boolean
  stop(): void
  /** Removes the signal handlers (the process then dies on the next signal, as by default). */
  dispose(): void
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const

export function stopOnSignals(): Stopper {
  const controller = new AbortController()
  const stopped = once(controller.signal, 'abort').then(() => undefined)
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143)
    controller.abort()
  }
  for (const signal of SIGNALS) process.on(signal, onSignal)
  return {
    signal: controller.signal,
    stopped,
    get isStopped() {
      return controller.signal.aborted
    },
    stop: () => controller.abort(),
    dispose: () => {
      for (const signal of SIGNALS) process.off(signal, onSignal)
    },
  }
}
