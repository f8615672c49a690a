/**
 * DescribeConfigs (key 32) v0–2. Per resource: TOPIC (2) lists the topic's configs, BROKER (4)
 * named by this node's id lists the broker's settings (the empty name means Kafka's cluster-wide
 * dynamic defaults, of which brook has none); anything else is INVALID_REQUEST for that
 * resource alone. configuration_keys null or empty means all. v0 says is_default per entry;
 * v1 replaces it with config_source and adds synonyms (sent when include_synonyms is set);
 * v2 keeps v1's layout.
 */
import { ConfigResourceTypes } from '../../admin.js'
import { BrokerError } from '../../errors.js'
import { validateTopicName } from '../../metadata/topic-name.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import { NONE } from '../error-codes.js'
import type { Reader } from '../reader.js'
import type { WireServer } from '../wire-server.js'
import { Writer } from '../writer.js'
import { brokerConfigEntries, CONFIG_SOURCE, topicConfigEntries, type DescribedConfigEntry } from './admin-configs.js'
import { echoable, outcomeOf, type Outcome } from './admin-results.js'

interface ConfigResource {
  type: number
  name: string
  keys: string[] | null
}

interface ResourceResult extends ConfigResource, Outcome {
  entries: DescribedConfigEntry[]
}

/** resource_type (1) + resource_name (2) + configuration_keys count (4). */
const RESOURCE_MIN_BYTES = 7

export const describeConfigsHandler: ApiHandler = {
  apiKey: API_KEYS.DescribeConfigs,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, { server, apiVersion: version }) {
    const resources = request.array(readResource, RESOURCE_MIN_BYTES)
    const includeSynonyms = version >= 1 ? request.boolean() : false
    request.expectEnd('DescribeConfigs request')
    const results = resources.map((resource) => describe(server, resource))

    const body = new Writer().int32(0)
    return body.array(results, (writer, result) => {
      writer.int16(result.errorCode).nullableString(result.errorMessage).int8(result.type).string(echoable(result.name))
      writer.array(result.entries, (w, entry) => {
        w.string(entry.name).nullableString(entry.value).boolean(entry.readOnly)
        if (version === 0) w.boolean(entry.source === CONFIG_SOURCE.DEFAULT_CONFIG)
        else w.int8(entry.source)
        w.boolean(false) // is_sensitive: brook's configs hold no secrets
        if (version >= 1) w.array(includeSynonyms ? entry.synonyms : [], (s, synonym) => s.string(synonym.name).nullableString(synonym.value).int8(synonym.source))
      })
    })
  },
}

function readResource(reader: Reader): ConfigResource {
  return { type: reader.int8(), name: reader.string(), keys: reader.nullableArray((r) => r.string(), 2) }
}

function describe(server: WireServer, resource: ConfigResource): ResourceResult {
  try {
    const wanted = resource.keys === null || resource.keys.length === 0 ? null : new Set(resource.keys)
    const entries = entriesOf(server, resource).filter((entry) => wanted === null || wanted.has(entry.name))
    return { ...resource, errorCode: NONE, errorMessage: null, entries }
  } catch (error) {
    return { ...resource, ...outcomeOf(error), entries: [] }
  }
}

function entriesOf(server: WireServer, { type, name }: ConfigResource): DescribedConfigEntry[] {
  switch (type) {
    case ConfigResourceTypes.TOPIC: {
      const record = server.broker.metadata.getTopic(validateTopicName(name))
      if (!record) throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', `The topic '${name}' does not exist.`, { topic: name })
      return topicConfigEntries(record)
    }
    case ConfigResourceTypes.BROKER:
      if (name === '') return []
      if (brokerIdOf(name) !== server.nodeId) {
        throw new BrokerError('INVALID_REQUEST', `Unexpected broker id, expected ${server.nodeId} or empty string, but received ${name.slice(0, 64)}`)
      }
      return brokerConfigEntries(server)
    default:
      throw new BrokerError('INVALID_REQUEST', `Unsupported resource type: ${type}`)
  }
}

/** Java's Integer.parseInt, as Kafka reads a broker resource's name. */
function brokerIdOf(name: string): number {
  const id = /^[+-]?\d{1,10}$/.test(name) ? Number(name) : NaN
  if (!Number.isInteger(id) || id < -(2 ** 31) || id >= 2 ** 31) throw new BrokerError('INVALID_REQUEST', `Broker id must be an integer, but it is: ${name.slice(0, 64)}`)
  return id
}
