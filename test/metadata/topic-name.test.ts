import test from 'ava'
import { isBrokerError } from '../../src/errors.js'
import {
  isInternalTopic,
  isValidTopicName,
  parsePartitionDirName,
  partitionDirName,
  validateTopicName,
} from '../../src/metadata/topic-name.js'

const legal = ['a', 'orders', 'Orders.v2', 'my_topic-1', '...', '.a', 'a..', '-', '_', '__consumer_offsets', 'x'.repeat(249)]

for (const name of legal) {
  test(`legal topic name ${JSON.stringify(name.length > 20 ? `${name.slice(0, 20)}…(${name.length})` : name)}`, (t) => {
    t.is(validateTopicName(name), name)
    t.true(isValidTopicName(name))
  })
}

const illegal: Array<[string, unknown, RegExp]> = [
  ['empty', '', /can't be empty/],
  ['dot', '.', /cannot be "\." or "\.\."/],
  ['dot dot', '..', /cannot be "\." or "\.\."/],
  ['250 characters', 'x'.repeat(250), /longer than 249 characters \(got 250\)/],
  ['path traversal', '../x', /contains a character other than ASCII alphanumerics/],
  ['deep traversal', '../../etc/passwd', /contains a character other than/],
  ['slash', 'a/b', /contains a character other than/],
  ['backslash', 'a\\b', /contains a character other than/],
  ['space', 'a b', /contains a character other than/],
  ['NUL byte', 'a\u0000b', /contains a character other than/],
  ['newline', 'a\n', /contains a character other than/],
  ['unicode letter', 'café', /contains a character other than/],
  ['emoji', '🚀', /contains a character other than/],
  ['fullwidth digit', '１', /contains a character other than/],
  ['colon', 'a:b', /contains a character other than/],
  ['number', 42, /must be a string, got number/],
  ['null', null, /must be a string, got null/],
  ['undefined', undefined, /must be a string, got undefined/],
  ['object', { toString: () => 'a' }, /must be a string, got object/],
  ['array', ['a'], /must be a string, got object/],
]

for (const [label, name, message] of illegal) {
  test(`illegal topic name: ${label}`, (t) => {
    const error = t.throws(() => validateTopicName(name))
    t.true(isBrokerError(error))
    t.is((error as { code?: string }).code, 'INVALID_TOPIC_NAME')
    t.regex(error!.message, message)
    t.false(isValidTopicName(name))
  })
}

test('a huge rejected name is not echoed whole in the message', (t) => {
  const error = t.throws(() => validateTopicName('/'.repeat(1_000_000)))
  t.true(error!.message.length < 300)
})

test('internal topics start with two underscores', (t) => {
  t.true(isInternalTopic('__consumer_offsets'))
  t.true(isInternalTopic('__transaction_state'))
  t.false(isInternalTopic('_single'))
  t.false(isInternalTopic('orders'))
})

test('partition directory names and their inverse', (t) => {
  t.is(partitionDirName('orders', 0), 'orders-0')
  t.is(partitionDirName('a-1', 12), 'a-1-12')
  t.deepEqual(parsePartitionDirName('orders-0'), { topic: 'orders', partition: 0 })
  t.deepEqual(parsePartitionDirName('a-1-12'), { topic: 'a-1', partition: 12 })
  for (const notPartition of ['metadata.0', 'metadata.1.tmp', 'quarantine', 'orders', 'orders-', '-0', '.-0', '..-0', 'a b-0', 'orders-x', `${'x'.repeat(250)}-0`]) {
    t.is(parsePartitionDirName(notPartition), undefined, notPartition)
  }
})
