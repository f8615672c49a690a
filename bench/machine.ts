/** What every benchmark prints first: the machine its figures come from. */
import { cpus, totalmem, platform, release } from 'node:os'
import { statfsSync } from 'node:fs'

export interface MachineInfo {
  cpuModel: string
  cores: number
  memoryGiB: number
  node: string
  os: string
  disk: { path: string; freeGiB: number; totalGiB: number }
}

export function machineInfo(dataPath: string): MachineInfo {
  const stats = statfsSync(dataPath)
  const gib = (bytes: number) => Math.round((bytes / 1024 ** 3) * 10) / 10
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: gib(totalmem()),
    node: process.version,
    os: `${platform()} ${release()}`,
    disk: { path: dataPath, freeGiB: gib(stats.bavail * stats.bsize), totalGiB: gib(stats.blocks * stats.bsize) },
  }
}

export function describeMachine(info: MachineInfo): string {
  return `machine: ${info.cpuModel}, ${info.cores} cores, ${info.memoryGiB} GiB RAM, Node ${info.node}, ${info.os}, disk ${info.disk.path} (${info.disk.freeGiB} of ${info.disk.totalGiB} GiB free)`
}
