/** `npm run bench -- --report`: being written. */
export async function writeReport(resultsDir: URL): Promise<URL> {
  throw new Error(`the report is not built yet (${resultsDir.pathname})`)
}
