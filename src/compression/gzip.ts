/**
 * gzip (Kafka codec 1): RFC 1952, possibly several members. node:zlib needs no dependency and
 * bounds the output itself: `maxOutputLength` stops inflating once the output would pass it.
 */
import { constants } from 'node:buffer'
import { gunzipSync, gzipSync } from 'node:zlib'
import { asCorrupt, outputTooLarge } from './errors.js'

export function gzipCompress(payload: Buffer): Buffer {
  return gzipSync(payload)
}

export function gzipDecompress(payload: Buffer, maxOutputBytes: number): Buffer {
  // zlib accepts 1..buffer.constants.MAX_LENGTH only; outside that, inflate within it and judge below.
  const maxOutputLength = Math.min(Math.max(maxOutputBytes, 1), constants.MAX_LENGTH)
  let output: Buffer
  try {
    output = gunzipSync(payload, { maxOutputLength })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw outputTooLarge('gzip', maxOutputBytes)
    throw asCorrupt('gzip', error)
  }
  if (output.length > maxOutputBytes) throw outputTooLarge('gzip', maxOutputBytes)
  return output
}
