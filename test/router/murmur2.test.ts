import test from 'ava'
import { murmur2, partitionForKey, toPositive } from '../../src/router/murmur2.js'

// Apache Kafka, clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2:
// the values the Java client computes, so keys land where a Java producer would put them.
const KAFKA_VECTORS: Array<[input: string | number[], expected: number]> = [
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  [[0x61, 0x62, 0x63], 479470107],
]

for (const [input, expected] of KAFKA_VECTORS) {
  test(`murmur2 of ${JSON.stringify(input)} is Kafka's ${expected}`, (t) => {
    const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Uint8Array.from(input)
    t.is(murmur2(bytes), expected)
  })
}

test('murmur2 covers every tail length and returns signed int32', (t) => {
  for (let length = 0; length <= 9; length++) {
    const hash = murmur2(Buffer.alloc(length, 0xff))
    t.true(Number.isInteger(hash) && hash >= -0x80000000 && hash <= 0x7fffffff)
  }
})

test('toPositive clears the sign bit like Java (not Math.abs)', (t) => {
  t.is(toPositive(-1), 0x7fffffff)
  t.is(toPositive(-0x80000000), 0)
  t.is(toPositive(42), 42)
})

// fixtures/kafka-wire/README.md: kafkajs' Java-compatible partitioner placed k0..k9 over 3
// partitions of fx-kafkajs-p3 as p0 = k2,k5; p1 = k3,k4,k6,k7; p2 = k0,k1,k8,k9.
test('keys k0..k9 over 3 partitions land where kafkajs put them', (t) => {
  const placement: number[][] = [[], [], []]
  for (let i = 0; i < 10; i++) placement[partitionForKey(Buffer.from(`k${i}`), 3)].push(i)
  t.deepEqual(placement, [[2, 5], [3, 4, 6, 7], [0, 1, 8, 9]])
})
