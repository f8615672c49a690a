/** Which partitions the user paused: whole topics, or single partitions of a topic. */
export class PausedPartitions {
  private readonly byTopic = new Map<string, Set<number> | 'all'>()

  pause(topic: string, partitions?: number[]): void {
    const current = this.byTopic.get(topic)
    if (!partitions || current === 'all') this.byTopic.set(topic, 'all')
    else this.byTopic.set(topic, new Set([...(current ?? []), ...partitions]))
  }

  /** Resuming a whole topic, or any partition of a topic paused whole, resumes the whole topic. */
  resume(topic: string, partitions?: number[]): void {
    const current = this.byTopic.get(topic)
    if (!partitions || current === 'all') this.byTopic.delete(topic)
    else if (current) for (const partition of partitions) current.delete(partition)
  }

  has(topic: string, partition: number): boolean {
    const entry = this.byTopic.get(topic)
    return entry === 'all' || (entry?.has(partition) ?? false)
  }
}
