/** The `peers` suite: being written. */
import type { SuiteContext, SuiteResult } from '../suite.js'

export async function peersSuite(_context: SuiteContext): Promise<SuiteResult> {
  throw new Error('the peers suite is not built yet')
}
