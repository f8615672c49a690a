/** Every API brook serves over the Kafka protocol, one handler per file. */
import type { ApiHandler } from '../api.js'
import { apiVersionsHandler } from './api-versions.js'
import { createPartitionsHandler } from './create-partitions.js'
import { createTopicsHandler } from './create-topics.js'
import { deleteGroupsHandler } from './delete-groups.js'
import { deleteTopicsHandler } from './delete-topics.js'
import { describeConfigsHandler } from './describe-configs.js'
import { describeGroupsHandler } from './describe-groups.js'
import { fetchHandler } from './fetch.js'
import { findCoordinatorHandler } from './find-coordinator.js'
import { heartbeatHandler } from './heartbeat.js'
import { initProducerIdHandler } from './init-producer-id.js'
import { joinGroupHandler } from './join-group.js'
import { leaveGroupHandler } from './leave-group.js'
import { listGroupsHandler } from './list-groups.js'
import { listOffsetsHandler } from './list-offsets.js'
import { metadataHandler } from './metadata.js'
import { offsetCommitHandler } from './offset-commit.js'
import { offsetFetchHandler } from './offset-fetch.js'
import { produceHandler } from './produce.js'
import { syncGroupHandler } from './sync-group.js'

export const HANDLERS: readonly ApiHandler[] = [
  produceHandler,
  fetchHandler,
  listOffsetsHandler,
  metadataHandler,
  offsetCommitHandler,
  offsetFetchHandler,
  findCoordinatorHandler,
  joinGroupHandler,
  heartbeatHandler,
  leaveGroupHandler,
  syncGroupHandler,
  describeGroupsHandler,
  listGroupsHandler,
  apiVersionsHandler,
  createTopicsHandler,
  deleteTopicsHandler,
  initProducerIdHandler,
  describeConfigsHandler,
  createPartitionsHandler,
  deleteGroupsHandler,
]
