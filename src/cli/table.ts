/** Plain aligned columns, as Kafka's console tools print them: no borders, two spaces between columns. */
export type Cell = string | number | bigint

export function formatTable(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const cells = [header, ...rows.map((row) => row.map(String))]
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)))
  return cells.map((row) => row.map((cell, column) => (cell ?? '').padEnd(widths[column]!)).join('  ').trimEnd()).join('\n')
}
