/** The one-line text of an error as the CLI prints it after `brook: `, unpacking kafkajs's aggregate errors. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error)
  const inner = (error as Error & { errors?: unknown }).errors
  if (!Array.isArray(inner) || inner.length === 0) return error.message
  const parts = inner.map((item: unknown) => {
    const topic = (item as { topic?: unknown } | null)?.topic
    return typeof topic === 'string' ? `topic ${topic}: ${errorText(item)}` : errorText(item)
  })
  return `${error.message}: ${parts.join('; ')}`
}
