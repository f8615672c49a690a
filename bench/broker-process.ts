/**
 * A broker in its own process for the TCP benchmarks, so the client under test (kafkajs in the
 * benchmark's process, or kcat) and the broker do not share an event loop, as in real use.
 * Prints `{"port":N}` once listening; SIGTERM closes it cleanly.
 */
import { Broker } from '../src/index.js'

const dataDir = process.argv[2]
if (!dataDir) throw new Error('usage: broker-process <dataDir>')
const broker = await Broker.open({ dataDir })
const { port } = await broker.listen({ port: 0 })
console.log(JSON.stringify({ port }))
process.once('SIGTERM', () => {
  void broker.close().then(() => process.exit(0))
})
