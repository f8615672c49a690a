/** The shape every benchmark suite shares. */
export interface SuiteContext {
  rounds: number
  /** Multiplies record counts: 1 for real figures, smaller for a quick look. */
  scale: number
  print: (line: string) => void
}

export interface SuiteResult {
  name: string
  rows: unknown[]
}

export type Suite = (context: SuiteContext) => Promise<SuiteResult>
