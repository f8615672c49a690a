/** The `scale` suite: being written. */
import type { SuiteContext, SuiteResult } from '../suite.js'

export async function scaleSuite(_context: SuiteContext): Promise<SuiteResult> {
  throw new Error('the scale suite is not built yet')
}
