// Facts about the runner the step runs on, read once: the rest of the action takes them as plain data.
import * as fs from 'node:fs'
import * as os from 'node:os'
import { toOs, type Os } from './platform.js'

export interface RunnerContext {
  readonly os: Os
  readonly env: Readonly<Record<string, string | undefined>>
  readonly workspace: string
  readonly home: string
  readonly osRelease: string | undefined
  readonly kernelRelease: string
}

export function readContext(): RunnerContext {
  return {
    os: toOs(process.platform),
    env: { ...process.env },
    workspace: process.env['GITHUB_WORKSPACE'] || process.cwd(),
    home: os.homedir(),
    osRelease: readIfExists('/etc/os-release'),
    kernelRelease: os.release(),
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}
