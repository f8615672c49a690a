/** Option parsing shared by the commands: integers, repeated options, key=value pairs, --bootstrap. */
import { InvalidArgumentError, type Command } from 'commander'

export const DEFAULT_BOOTSTRAP = '127.0.0.1:9092'

export interface BootstrapOptions {
  bootstrap: string
}

/** Adds `--bootstrap host:port[,host:port...]` to a command talking to a Kafka cluster. */
export function withBootstrap(command: Command): Command {
  return command.option('--bootstrap <host:port>', 'Kafka bootstrap server(s), comma-separated', DEFAULT_BOOTSTRAP)
}

/** A commander argument parser for integers in [min, max]. */
export function integerIn(min: number, max = Number.MAX_SAFE_INTEGER): (text: string) => number {
  return (text) => {
    const value = Number(text)
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer in [${min}, ${max}]`)
    }
    return value
  }
}

/** A commander argument parser accepting one of `choices`, returned as a number. */
export function numberChoice(choices: readonly number[]): (text: string) => number {
  return (text) => {
    const value = Number(text)
    if (!choices.includes(value) || text.trim() === '') throw new InvalidArgumentError(`must be one of ${choices.join(', ')}`)
    return value
  }
}

/** A commander argument parser for a non-empty string (separators, ids). */
export function nonEmpty(text: string): string {
  if (text === '') throw new InvalidArgumentError('must not be empty')
  return text
}

/** For repeatable options: `--config a=1 --config b=2` gives ['a=1', 'b=2']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value]
}

/** Parses `key=value` pairs (the value may contain '='). */
export function parseKeyValues(entries: readonly string[], flag: string): Array<{ name: string; value: string }> {
  return entries.map((entry) => {
    const equals = entry.indexOf('=')
    if (equals <= 0) throw new Error(`${flag} takes key=value, got ${JSON.stringify(entry)}`)
    return { name: entry.slice(0, equals).trim(), value: entry.slice(equals + 1) }
  })
}

/** Splits a host:port list and checks every entry; IPv6 hosts are written in brackets: [::1]:9092. */
export function parseBootstrap(text: string): string[] {
  const brokers = text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '')
  if (brokers.length === 0) throw new Error('--bootstrap needs at least one host:port')
  for (const broker of brokers) {
    const match = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(broker)
    const port = match ? Number(match[2]) : NaN
    if (!match || port < 1 || port > 65_535) throw new Error(`--bootstrap entries must be host:port, got ${JSON.stringify(broker)}`)
  }
  return brokers
}

/** `host:port`, with IPv6 hosts in brackets. */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}
