/**
 * `npm run bench -- peers`: brook next to Redis Streams and NATS JetStream in the same run, on
 * the same machine, with the same record counts and 100-byte values. Each peer is our own server
 * process (Debian packages `redis-server`, `nats-server`) on 127.0.0.1, started per suite and
 * stopped by pid; a peer that is not installed is skipped with the command that installs it.
 * Every row prints brook's figure, the peer's, the ratio (how many times better brook is) and
 * the durability each side had when it acknowledged.
 */
import { summarize, formatRate } from '../stats.js'
import type { SuiteContext, SuiteResult } from '../suite.js'
import { brookConsumeGroup, brookConsumeReadBatches, brookE2eSide, brookProduce } from '../peers/brook.js'
import { runE2e, VALUE_BYTES } from '../peers/e2e.js'
import { installed } from '../peers/process.js'
import { REDIS_BINARY, REDIS_INSTALL, redisClient, redisConsume, redisE2eSide, redisProduce, startRedis } from '../peers/redis.js'
import { NATS_BINARY, NATS_INSTALL, natsConsume, natsE2eSide, natsProduce, natsSession, startNats } from '../peers/nats.js'

const E2E_RATE = 10_000

const DURABILITY = {
  brookAll: 'acks=-1: fsync (group commit) before the ack',
  brookLeader: 'acks=1: written to the file before the ack, no fsync',
  redisAlways: 'AOF appendfsync always: fsync before the reply',
  redisEverysec: 'AOF appendfsync everysec: written before the reply, fsync once a second',
  natsFile: 'file storage: written before the ack, fsync on a 2-minute timer',
}

interface PeerRow {
  name: string
  metric: 'produce' | 'consume' | 'e2e-p99'
  unit: 'records/s' | 'ms'
  peerName: string
  brook: number
  peer: number
  /** How many times better brook is: brook/peer for throughput, peer/brook for latency. */
  ratio: number
  brookDurability: string
  peerDurability: string
  records: number
  valueBytes: number
  brookRounds: number[]
  peerRounds: number[]
  /** The ratio the issue asks for, when it names one. */
  targetRatio?: number
  targetMet?: boolean
}

/** Median of `rounds` runs of `measure`, after one uncounted warm-up run. */
async function median(rounds: number, measure: () => Promise<number>): Promise<{ median: number; rounds: number[] }> {
  const values: number[] = []
  for (let round = -1; round < rounds; round++) {
    const value = await measure()
    if (round >= 0) values.push(value)
  }
  return { median: summarize(values).median, rounds: values }
}

/** A client package the suite imports lazily: present or not. */
async function hasModule(name: string): Promise<boolean> {
  try {
    await import(name)
    return true
  } catch {
    return false
  }
}

export async function peersSuite({ rounds, print, scale }: SuiteContext): Promise<SuiteResult> {
  const records = Math.max(1000, Math.round((200_000 * scale) / 1000) * 1000)
  const e2eMs = Math.max(1000, Math.round(10_000 * scale))
  const rows: PeerRow[] = []
  const show = (value: number, unit: string) => (unit === 'ms' ? `${value.toFixed(2)} ms` : `${formatRate(value)} records/s`)
  const addRow = (row: Omit<PeerRow, 'ratio' | 'targetMet' | 'valueBytes'>, targetRatio?: number) => {
    const ratio = row.unit === 'ms' ? row.peer / row.brook : row.brook / row.peer
    const full: PeerRow = { ...row, valueBytes: VALUE_BYTES, ratio, targetRatio, targetMet: targetRatio === undefined ? undefined : ratio >= targetRatio }
    rows.push(full)
    const target = targetRatio === undefined ? '' : `, target ≥ ${targetRatio}×: ${full.targetMet ? 'met' : 'NOT met'}`
    print(`${row.name}: brook ${show(row.brook, row.unit)} vs ${row.peerName} ${show(row.peer, row.unit)} → ${ratio.toFixed(2)}×${target}`)
    print(`    brook: ${row.brookDurability}; ${row.peerName}: ${row.peerDurability}`)
  }

  print(`${records.toLocaleString('en-US')} records of ${VALUE_BYTES} B per throughput figure; end-to-end at ${E2E_RATE.toLocaleString('en-US')} records/s for ${e2eMs} ms; median of ${rounds} round(s)`)
  // brook's figures once, shared by the rows of both peers.
  const brook = {
    produceAll: await median(rounds, () => brookProduce(-1, records)),
    produceLeader: await median(rounds, () => brookProduce(1, records)),
    readBatches: await median(rounds, () => brookConsumeReadBatches(records)),
    group: await median(rounds, () => brookConsumeGroup(records)),
    e2e: await median(rounds, async () => (await runE2e(await brookE2eSide(), E2E_RATE, e2eMs)).p99Ms),
  }
  print(`brook alone: produce acks=-1 ${show(brook.produceAll.median, '')}, acks=1 ${show(brook.produceLeader.median, '')}, readBatches ${show(brook.readBatches.median, '')}, group of 1 ${show(brook.group.median, '')}, e2e p99 ${show(brook.e2e.median, 'ms')}`)

  if (!installed(REDIS_BINARY) || !(await hasModule('ioredis'))) {
    print(`Redis Streams: skipped (needs the ${REDIS_BINARY} binary and the ioredis package): ${REDIS_INSTALL}`)
  } else {
    const server = await startRedis()
    print(`Redis Streams: redis-server pid ${server.pid} on 127.0.0.1:${server.port}, data in ${server.dataDir}`)
    const client = await redisClient(server)
    try {
      const peerName = 'Redis Streams'
      const base = { peerName, records }
      let stream = 0
      const always = await median(rounds, () => redisProduce(client, `s${stream++}`, 'always', records))
      const everysec = await median(rounds, () => redisProduce(client, `s${stream++}`, 'everysec', records))
      addRow({ ...base, name: 'produce vs Redis, equal durability', metric: 'produce', unit: 'records/s', brook: brook.produceAll.median, peer: always.median, brookDurability: DURABILITY.brookAll, peerDurability: DURABILITY.redisAlways, brookRounds: brook.produceAll.rounds, peerRounds: always.rounds }, 5)
      addRow({ ...base, name: 'produce vs Redis, brook stronger', metric: 'produce', unit: 'records/s', brook: brook.produceAll.median, peer: everysec.median, brookDurability: DURABILITY.brookAll, peerDurability: DURABILITY.redisEverysec, brookRounds: brook.produceAll.rounds, peerRounds: everysec.rounds }, 5)
      addRow({ ...base, name: 'produce vs Redis, Redis stronger', metric: 'produce', unit: 'records/s', brook: brook.produceLeader.median, peer: everysec.median, brookDurability: DURABILITY.brookLeader, peerDurability: DURABILITY.redisEverysec, brookRounds: brook.produceLeader.rounds, peerRounds: everysec.rounds })
      // The last stream written holds `records` entries: each consume round reads it through a new group.
      const filled = `s${stream - 1}`
      const consume = await median(rounds, () => redisConsume(client, filled, records))
      addRow({ ...base, name: 'consume vs Redis (brook readBatches; XREADGROUP + XACK)', metric: 'consume', unit: 'records/s', brook: brook.readBatches.median, peer: consume.median, brookDurability: 'no acknowledgement', peerDurability: 'XACK per batch of 1,000', brookRounds: brook.readBatches.rounds, peerRounds: consume.rounds }, 1)
      addRow({ ...base, name: 'consume vs Redis (brook group of 1, commits; XREADGROUP + XACK)', metric: 'consume', unit: 'records/s', brook: brook.group.median, peer: consume.median, brookDurability: 'offsets committed (fsynced)', peerDurability: 'XACK per batch of 1,000', brookRounds: brook.group.rounds, peerRounds: consume.rounds }, 1)
      const e2e = await median(rounds, async () => (await runE2e(await redisE2eSide(server, `e${stream++}`), E2E_RATE, e2eMs)).p99Ms)
      addRow({ ...base, records: Math.round((E2E_RATE * e2eMs) / 1000), name: `end-to-end p99 at ${E2E_RATE} records/s vs Redis`, metric: 'e2e-p99', unit: 'ms', brook: brook.e2e.median, peer: e2e.median, brookDurability: DURABILITY.brookAll, peerDurability: DURABILITY.redisAlways, brookRounds: brook.e2e.rounds, peerRounds: e2e.rounds }, 1)
    } finally {
      client.disconnect()
      await server.stop()
    }
  }

  if (!installed(NATS_BINARY) || !(await hasModule('nats'))) {
    print(`NATS JetStream: skipped (needs the ${NATS_BINARY} binary and the nats package): ${NATS_INSTALL}`)
  } else {
    const server = await startNats()
    print(`NATS JetStream: nats-server pid ${server.pid} on 127.0.0.1:${server.port}, data in ${server.dataDir}`)
    const session = await natsSession(server)
    try {
      const peerName = 'NATS JetStream'
      const base = { peerName, records }
      let stream = 0
      const produce = await median(rounds, () => natsProduce(session, `S${stream++}`, records))
      addRow({ ...base, name: 'produce vs NATS, equal durability', metric: 'produce', unit: 'records/s', brook: brook.produceLeader.median, peer: produce.median, brookDurability: DURABILITY.brookLeader, peerDurability: DURABILITY.natsFile, brookRounds: brook.produceLeader.rounds, peerRounds: produce.rounds }, 10)
      addRow({ ...base, name: 'produce vs NATS, brook stronger', metric: 'produce', unit: 'records/s', brook: brook.produceAll.median, peer: produce.median, brookDurability: DURABILITY.brookAll, peerDurability: DURABILITY.natsFile, brookRounds: brook.produceAll.rounds, peerRounds: produce.rounds }, 10)
      const filled = `S${stream - 1}`
      const consume = await median(rounds, () => natsConsume(session, filled, records))
      addRow({ ...base, name: 'consume vs NATS (brook readBatches; pull fetch 1,000 + ack)', metric: 'consume', unit: 'records/s', brook: brook.readBatches.median, peer: consume.median, brookDurability: 'no acknowledgement', peerDurability: 'explicit ack per message', brookRounds: brook.readBatches.rounds, peerRounds: consume.rounds }, 1)
      addRow({ ...base, name: 'consume vs NATS (brook group of 1, commits; pull fetch 1,000 + ack)', metric: 'consume', unit: 'records/s', brook: brook.group.median, peer: consume.median, brookDurability: 'offsets committed (fsynced)', peerDurability: 'explicit ack per message', brookRounds: brook.group.rounds, peerRounds: consume.rounds }, 1)
      const e2e = await median(rounds, async () => (await runE2e(await natsE2eSide(session, `E${stream++}`), E2E_RATE, e2eMs)).p99Ms)
      addRow({ ...base, records: Math.round((E2E_RATE * e2eMs) / 1000), name: `end-to-end p99 at ${E2E_RATE} records/s vs NATS`, metric: 'e2e-p99', unit: 'ms', brook: brook.e2e.median, peer: e2e.median, brookDurability: DURABILITY.brookAll, peerDurability: DURABILITY.natsFile, brookRounds: brook.e2e.rounds, peerRounds: e2e.rounds }, 1)
    } finally {
      await session.nc.close()
      await server.stop()
    }
  }
  return { name: 'peers', rows }
}
