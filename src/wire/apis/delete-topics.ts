/**
 * DeleteTopics (key 20) v0–3: [name, error_code] per topic; v1 adds throttle_time_ms, v2 and v3
 * keep v1's layout (error messages only arrive with v5). Each topic is deleted through the
 * embedded admin, which removes its partitions from the data directory before the response.
 * A name that is not a topic is UNKNOWN_TOPIC_OR_PARTITION, as in Kafka, which does not
 * validate names here.
 *
 * Internal topics (`__consumer_offsets`: every group's committed offsets) are refused with
 * TOPIC_AUTHORIZATION_FAILED. A Kafka broker deletes whatever its authorizer allows, and the
 * authorizer's "no" is this code; Kafka's own tools refuse internal topics outright. Brook has no
 * authorizer, so it says that "no" itself rather than let one request lose every group's offsets.
 */
import { BrokerError } from '../../errors.js'
import { isInternalTopic } from '../../metadata/topic-name.js'
import { API_KEYS, type ApiHandler } from '../api.js'
import type { WireServer } from '../wire-server.js'
import { Writer } from '../writer.js'
import { settleEach, writeOutcomes } from './admin-results.js'

export const deleteTopicsHandler: ApiHandler = {
  apiKey: API_KEYS.DeleteTopics,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 3,
  async handle(request, { server, apiVersion: version }) {
    const names = request.array((r) => r.string(), 2)
    request.int32() // timeout_ms: topics are deleted before the response, so there is nothing to wait for
    request.expectEnd('DeleteTopics request')
    const outcomes = await settleEach(names.map((name) => ({ name })), ({ name }) => deleteTopic(server, name))
    const body = new Writer()
    if (version >= 1) body.int32(0)
    return writeOutcomes(body, outcomes, false)
  },
}

async function deleteTopic(server: WireServer, name: string): Promise<void> {
  if (isInternalTopic(name)) throw new BrokerError('TOPIC_AUTHORIZATION_FAILED', 'Internal topics cannot be deleted.')
  if (!server.broker.metadata.getTopic(name)) throw new BrokerError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic.')
  await server.broker.admin().deleteTopics({ topics: [name] })
}
