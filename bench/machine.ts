// Facts about the machine and the code measured, printed with the results.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { REPO_ROOT } from '../test-support/runner.js'
import { ACTION_NODE } from './measure.js'
import type { Machine } from './results.js'

function outputLines(argv: readonly string[]): string[] {
  const [cmd = '', ...args] = argv
  try {
    const out = execFileSync(cmd, args, {
      encoding: 'utf8',
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
    return out.split('\n').filter((l) => l.trim() !== '')
  } catch {
    return ['unknown']
  }
}

function firstLine(argv: readonly string[]): string {
  return outputLines(argv)[0]?.trim() ?? 'unknown'
}

function cpuModel(): { model: string; processors: number } {
  const info = fs.readFileSync('/proc/cpuinfo', 'utf8')
  const model = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown'
  return { model, processors: (info.match(/^processor\s*:/gm) ?? []).length }
}

function osName(): string {
  const release = fs.existsSync('/etc/os-release') ? fs.readFileSync('/etc/os-release', 'utf8') : ''
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1] ?? os.type()
  return `${pretty}, kernel ${os.release()}`
}

export function machineFacts(python: string, bundle: string): Machine {
  const cpu = cpuModel()
  return {
    cpu: cpu.model,
    cores: cpu.processors || os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: osName(),
    node: process.version,
    actionNode: firstLine([ACTION_NODE, '--version']),
    python: `${firstLine([python, '-c', 'import platform; print(platform.python_version())'])} (${path.dirname(path.dirname(python))})`,
    tar: firstLine(['tar', '--version']),
    zstd: firstLine(['zstd', '--version']).replace(/^\*+\s*|\s*\*+$/g, ''),
    commit: firstLine(['git', 'log', '-1', '--oneline']),
    dirty: outputLines(['git', 'status', '--porcelain', '--', 'src', 'dist']),
    bundle,
    loadAtStart: os.loadavg(),
  }
}
