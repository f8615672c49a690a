/** The `rebalance` suite: being written. */
import type { SuiteContext, SuiteResult } from '../suite.js'

export async function rebalanceSuite(_context: SuiteContext): Promise<SuiteResult> {
  throw new Error('the rebalance suite is not built yet')
}
