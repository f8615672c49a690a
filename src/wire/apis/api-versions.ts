/**
 * ApiVersions (key 18) v0–3: the versions of every API this broker implements. v3 is the only
 * flexible version brook speaks (compact array, tagged fields), because librdkafka and
 * platformatic open with it; its response header stays v0 as Kafka's does. A version above 3
 * gets UNSUPPORTED_VERSION in a v0-shaped body listing what is supported (KIP-511), so clients
 * retry with one we know.
 */
import { API_KEYS, type ApiHandler } from '../api.js'
import { kafkaCode, NONE } from '../error-codes.js'
import type { Reader } from '../reader.js'
import type { WireServer } from '../wire-server.js'
import { Writer } from '../writer.js'

export const apiVersionsHandler: ApiHandler = {
  apiKey: API_KEYS.ApiVersions,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  async handle(request, { server, apiVersion }) {
    if (apiVersion >= 3) readClientSoftware(request)
    request.expectEnd('ApiVersions request')
    const body = new Writer().int16(NONE)
    const ranges = supportedRanges(server)
    if (apiVersion >= 3) {
      body.unsignedVarint(ranges.length + 1)
      for (const range of ranges) body.int16(range.apiKey).int16(range.minVersion).int16(range.maxVersion).unsignedVarint(0)
      return body.int32(0).unsignedVarint(0)
    }
    body.array(ranges, (writer, range) => writer.int16(range.apiKey).int16(range.minVersion).int16(range.maxVersion))
    if (apiVersion >= 1) body.int32(0)
    return body
  },
}

/** The answer to an ApiVersions version we do not speak: error 35 in a v0 body. */
export function unsupportedApiVersionsResponse(server: WireServer): Writer {
  return new Writer()
    .int16(kafkaCode('UNSUPPORTED_VERSION'))
    .array(supportedRanges(server), (writer, range) => writer.int16(range.apiKey).int16(range.minVersion).int16(range.maxVersion))
}

function supportedRanges(server: WireServer) {
  return [...server.handlers.values()].sort((a, b) => a.apiKey - b.apiKey)
}

/** v3's client_software_name and _version (compact strings) and tagged fields: read and dropped. */
function readClientSoftware(request: Reader): void {
  request.compactNullableString()
  request.compactNullableString()
  request.skipTaggedFields()
}
