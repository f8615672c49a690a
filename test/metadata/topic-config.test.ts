import test from 'ava'
import { isBrokerError } from '../../src/errors.js'
import { LIMITS } from '../../src/limits.js'
import {
  TOPIC_CONFIG_NAMES,
  describeTopicConfig,
  parseTopicConfig,
  resolveTopicConfig,
  validateTopicConfigName,
} from '../../src/metadata/topic-config.js'

const DEFAULTS = {
  retentionMs: 604_800_000,
  retentionBytes: -1,
  segmentBytes: 1_073_741_824,
  segmentMs: 604_800_000,
  cleanupPolicy: 'delete',
  maxMessageBytes: 1_048_588,
  indexIntervalBytes: 4096,
  timestampType: 'CreateTime',
}

test('no configs resolve to Kafka\'s defaults', (t) => {
  t.deepEqual(parseTopicConfig(undefined), {})
  t.deepEqual(parseTopicConfig([]), {})
  t.deepEqual(resolveTopicConfig(parseTopicConfig(undefined)), DEFAULTS)
})

test('every key parses, is stored as a string and resolves to a number or enum', (t) => {
  const map = parseTopicConfig([
    { name: 'retention.ms', value: '-1' },
    { name: 'retention.bytes', value: '1073741824' },
    { name: 'segment.bytes', value: String(LIMITS.minSegmentBytes) },
    { name: 'segment.ms', value: '1' },
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'max.message.bytes', value: '1' },
    { name: 'index.interval.bytes', value: '0' },
    { name: 'message.timestamp.type', value: 'LogAppendTime' },
  ])
  t.is(map['retention.ms'], '-1')
  t.true(Object.values(map).every((value) => typeof value === 'string'))
  t.deepEqual(resolveTopicConfig(map), {
    retentionMs: -1,
    retentionBytes: 1_073_741_824,
    segmentBytes: LIMITS.minSegmentBytes,
    segmentMs: 1,
    cleanupPolicy: 'compact',
    maxMessageBytes: 1,
    indexIntervalBytes: 0,
    timestampType: 'LogAppendTime',
  })
})

test('values are trimmed and stored in canonical form', (t) => {
  const map = parseTopicConfig([
    { name: 'retention.ms', value: ' +0100 ' },
    { name: 'cleanup.policy', value: 'delete, compact' },
  ])
  t.deepEqual({ ...map }, { 'retention.ms': '100', 'cleanup.policy': 'compact,delete' })
  t.is(resolveTopicConfig(map).cleanupPolicy, 'compact,delete')
})

test('a Java long beyond 2^53 is accepted and resolved to the largest safe integer', (t) => {
  const map = parseTopicConfig([{ name: 'retention.ms', value: '9223372036854775807' }])
  t.is(map['retention.ms'], '9223372036854775807')
  t.is(resolveTopicConfig(map).retentionMs, Number.MAX_SAFE_INTEGER)
})

const rejected: Array<[string, string, unknown, RegExp]> = [
  ['unknown key', 'retention.hours', '1', /Unknown topic config name: "retention.hours"/],
  ['prototype key', '__proto__', '1', /Unknown topic config name/],
  ['not an integer', 'retention.ms', 'abc', /Invalid value "abc" for configuration retention\.ms: not a number of type LONG/],
  ['decimal', 'segment.bytes', '1.5', /segment\.bytes: not a number of type INT/],
  ['exponent', 'retention.ms', '1e3', /retention\.ms: not a number/],
  ['empty', 'retention.ms', '', /retention\.ms: not a number/],
  ['below -1', 'retention.ms', '-2', /retention\.ms: value must be at least -1/],
  ['retention.bytes below -1', 'retention.bytes', '-5', /value must be at least -1/],
  ['segment too small', 'segment.bytes', String(LIMITS.minSegmentBytes - 1), new RegExp(`at least ${LIMITS.minSegmentBytes}`)],
  ['segment beyond INT', 'segment.bytes', '2147483648', /segment\.bytes: not a number of type INT/],
  ['segment.ms zero', 'segment.ms', '0', /segment\.ms: value must be at least 1/],
  ['max.message.bytes zero', 'max.message.bytes', '0', /max\.message\.bytes: value must be at least 1/],
  ['index.interval.bytes negative', 'index.interval.bytes', '-1', /at least 0/],
  ['long overflow', 'retention.ms', '9223372036854775808', /not a number of type LONG/],
  ['bad cleanup policy', 'cleanup.policy', 'purge', /cleanup\.policy: must be a list of distinct values from: compact, delete/],
  ['duplicate cleanup policy', 'cleanup.policy', 'delete,delete', /distinct values/],
  ['empty cleanup policy', 'cleanup.policy', '', /cleanup\.policy/],
  ['timestamp type case', 'message.timestamp.type', 'createtime', /string must be one of: CreateTime, LogAppendTime/],
  ['null value', 'retention.ms', null, /retention\.ms: value must be a string/],
  ['number value', 'retention.ms', 5, /retention\.ms: value must be a string/],
]

for (const [label, name, value, message] of rejected) {
  test(`config rejected: ${label}`, (t) => {
    const error = t.throws(() => parseTopicConfig([{ name, value: value as string }]))
    t.true(isBrokerError(error))
    t.is((error as { code?: string }).code, 'INVALID_CONFIG')
    t.regex(error!.message, message)
  })
}

test('a key given twice is rejected', (t) => {
  const error = t.throws(() => parseTopicConfig([{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', value: '2' }]))
  t.is((error as { code?: string }).code, 'INVALID_CONFIG')
  t.regex(error!.message, /retention\.ms is given more than once/)
})

test('malformed entry lists are INVALID_CONFIG, not TypeErrors', (t) => {
  for (const entries of [{}, 'retention.ms=1', [null], [42], [{ value: '1' }]]) {
    const error = t.throws(() => parseTopicConfig(entries as never))
    t.is((error as { code?: string }).code, 'INVALID_CONFIG', JSON.stringify(entries))
  }
})

test('resolveTopicConfig re-validates a stored map', (t) => {
  const error = t.throws(() => resolveTopicConfig({ 'retention.ms': 'soon' }))
  t.is((error as { code?: string }).code, 'INVALID_CONFIG')
})

test('describe lists every known key with value and isDefault', (t) => {
  const described = describeTopicConfig(parseTopicConfig([{ name: 'retention.ms', value: '1000' }]))
  t.deepEqual(described.map((entry) => entry.name), [...TOPIC_CONFIG_NAMES])
  t.deepEqual(TOPIC_CONFIG_NAMES, [
    'cleanup.policy',
    'index.interval.bytes',
    'max.message.bytes',
    'message.timestamp.type',
    'retention.bytes',
    'retention.ms',
    'segment.bytes',
    'segment.ms',
  ])
  t.deepEqual(described.find((entry) => entry.name === 'retention.ms'), { name: 'retention.ms', value: '1000', isDefault: false })
  t.deepEqual(described.find((entry) => entry.name === 'segment.bytes'), { name: 'segment.bytes', value: '1073741824', isDefault: true })
  t.deepEqual(described.find((entry) => entry.name === 'cleanup.policy'), { name: 'cleanup.policy', value: 'delete', isDefault: true })
  t.is(described.filter((entry) => !entry.isDefault).length, 1)
})

test('validateTopicConfigName', (t) => {
  t.is(validateTopicConfigName('segment.ms'), 'segment.ms')
  t.is((t.throws(() => validateTopicConfigName('flush.ms')) as { code?: string }).code, 'INVALID_CONFIG')
  t.is((t.throws(() => validateTopicConfigName(7)) as { code?: string }).code, 'INVALID_CONFIG')
})
