/**
 * The kafkajs client behind the console tools, built from --bootstrap: quiet (errors surface as
 * `brook: <message>`), with short retries so a wrong address fails in seconds, not minutes.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs'
import { parseBootstrap } from './options.js'

export function kafkaClient(bootstrap: string, clientId = 'brook-cli'): Kafka {
  return new Kafka({
    clientId,
    brokers: parseBootstrap(bootstrap),
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2_000 },
  })
}

/** Runs `work` with a connected admin client, disconnected afterwards whatever happens. */
export async function withAdmin<T>(bootstrap: string, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafkaClient(bootstrap).admin()
  await admin.connect()
  try {
    return await work(admin)
  } finally {
    await admin.disconnect()
  }
}
