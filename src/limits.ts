/**
 * Every limit and default of brook in one place, with why it has the value it has.
 * Topic-level defaults mirror Kafka's so configs carry over unchanged.
 */
export const LIMITS = {
  /** Kafka's `message.max.bytes` default: 1 MiB plus a batch header's slack. Largest record batch. */
  maxMessageBytes: 1_048_588,
  /** Kafka's default `retention.ms`: 7 days. */
  retentionMs: 604_800_000,
  /** -1 = no size limit, as in Kafka. */
  retentionBytes: -1,
  /** Kafka's `log.retention.check.interval.ms`: how often the broker applies retention, 5 minutes. */
  retentionCheckIntervalMs: 300_000,
  /** Kafka's default `segment.bytes`: 1 GiB. */
  segmentBytes: 1_073_741_824,
  /** Kafka's default `segment.ms`: 7 days. */
  segmentMs: 604_800_000,
  /** Kafka's `index.interval.bytes`: one sparse index entry per 4 KiB of log. */
  indexIntervalBytes: 4096,
  /** Smallest segment we accept; tiny segments only make sense in tests, 1 KiB keeps roll logic exercised. */
  minSegmentBytes: 1024,
  /** Kafka's topic-name rule: `[a-zA-Z0-9._-]`, 1..249 characters. */
  maxTopicNameLength: 249,
  /** Upper bound on partitions per topic; keeps a typo from opening 10^6 files. */
  maxPartitionsPerTopic: 10_000,
  /** Producer batching: flush a partition's pending batch once it holds this many bytes. */
  batchBytes: 1_048_576,
  /** Producer batching: 0 = batch what arrives in the same tick. */
  lingerMs: 0,
  /** A fetch never returns more than this in one response (Kafka's `fetch.max.bytes`). */
  fetchMaxBytes: 57_671_680,
  /** Default bytes per fetch from the embedded API. */
  fetchDefaultMaxBytes: 1_048_576,
  /** Longest a fetch may wait for data (long poll). */
  fetchMaxWaitMs: 30_000,
  /**
   * The Kafka listener (reliability.md Part B). Kafka's defaults are "no limit"; a local broker
   * gets safe ones. Largest request frame: 8 MiB (Kafka: 100 MiB), enough for a max-size batch.
   */
  maxFrameBytes: 8 * 1024 * 1024,
  /** Largest frame before a connection's first valid request (Kafka's sasl.server.max.receive.size). */
  maxFirstFrameBytes: 512 * 1024,
  /** A frame must be complete this long after its first byte arrived (slowloris). */
  frameCompleteTimeoutMs: 30_000,
  /** A new connection must send its first request within this. */
  firstRequestTimeoutMs: 10_000,
  /** Kafka's connections.max.idle.ms: 10 min. */
  connectionIdleTimeoutMs: 600_000,
  /** Open connections at most (below a default `ulimit -n` of 1,024 plus the log files). */
  maxConnections: 1_024,
  /** Requests read ahead per connection while one is processed (Kafka processes one at a time). */
  maxQueuedRequestsPerConnection: 8,
  /** Response bytes waiting for a client that does not read; beyond it the connection stops reading requests. */
  maxOutboundBytesPerConnection: 64 * 1024 * 1024,
  /** A worker crashing this many times within `workerCrashWindowMs` is not restarted again. */
  workerMaxCrashes: 3,
  workerCrashWindowMs: 60_000,
  /** How often a partition records its recovery point (fsynced end), bounding the tail recovery scans. */
  recoveryPointIntervalMs: 1_000,
  /**
   * Sealed segments per partition kept ready to read (a descriptor plus indexes in memory) besides
   * the active one: with 1,000 partitions this bounds open files to about 3,000 and keeps
   * sequential catch-up reads from reopening a file per fetch.
   */
  openSealedSegmentsPerPartition: 2,
  /**
   * Consumer groups. Kafka's `group.min.session.timeout.ms` is 6 s; brook's is 1 s because its
   * members are often in the same process, and fault tests run with 2 s sessions.
   */
  groupMinSessionTimeoutMs: 1_000,
  /** Kafka's `group.max.session.timeout.ms`: 30 min. */
  groupMaxSessionTimeoutMs: 1_800_000,
  /**
   * Kafka's `group.initial.rebalance.delay.ms` is 3 s, to let a fleet of consumers start into one
   * generation; an embedded broker's consumers start together or one at a time, so 0 (a
   * single-consumer group is ready at once).
   */
  groupInitialRebalanceDelayMs: 0,
  /**
   * Kafka's `group.max.size` is unbounded; 1,000 members (plus as many member ids handed out and
   * not yet used) bounds what one misbehaving client can make a group hold.
   */
  groupMaxSize: 1_000,
  /**
   * Kafka's NewMemberJoinTimeoutMs: a member that joined for the first time and was never answered
   * (its client went away mid-rebalance) is dropped after 5 min instead of being kept forever.
   */
  groupNewMemberJoinTimeoutMs: 300_000,
  /** Consumer defaults, kafkajs's: a member is dropped after 30 s without a heartbeat. */
  consumerSessionTimeoutMs: 30_000,
  /** How long the group waits for members to rejoin during a rebalance (kafkajs's 60 s). */
  consumerRebalanceTimeoutMs: 60_000,
  /** Heartbeats every 3 s: well inside the session timeout, as Kafka advises (a third or less). */
  consumerHeartbeatIntervalMs: 3_000,
  /** Auto-commit also runs on this timer, besides after each processed chunk. */
  consumerAutoCommitIntervalMs: 5_000,
  /** Long-poll wait of a consumer's fetch (kafkajs's maxWaitTimeInMs). */
  consumerMaxWaitMs: 5_000,
  /**
   * A compressed batch may inflate to at most this many bytes (reliability.md): 16x
   * `maxMessageBytes`, room for batches that compress well, yet a bound per batch (KafkaJS #1795).
   */
  maxDecompressedBatchBytes: 16 * 1024 * 1024,
  /** ...and to at most this many times its compressed size: real batches compress a few times, bombs thousands. */
  maxDecompressionRatio: 64,
} as const
