/**
 * The request header (v1: api_key, api_version, correlation_id, client_id). Flexible versions
 * use header v2 (v1 + tagged fields); the only flexible request brook accepts is ApiVersions v3.
 * client_id stays a classic int16-length string in both, so any request's header can be read.
 */
import { API_KEYS } from './api.js'
import { Reader } from './reader.js'

export interface RequestHeader {
  apiKey: number
  apiVersion: number
  correlationId: number
  clientId: string | null
}

export function readRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.int16()
  const apiVersion = reader.int16()
  const correlationId = reader.int32()
  const clientId = reader.nullableString()
  if (isFlexibleRequest(apiKey, apiVersion)) reader.skipTaggedFields()
  return { apiKey, apiVersion, correlationId, clientId }
}

/** Whether a request uses header v2. Only ApiVersions ≥ 3 among what brook serves. */
export function isFlexibleRequest(apiKey: number, apiVersion: number): boolean {
  return apiKey === API_KEYS.ApiVersions && apiVersion >= 3
}
