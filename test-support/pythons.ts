// The interpreters this machine has (pyenv), found by version, for tests, the demo and the benchmark.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'

function pyenvRoot(): string {
  return process.env['PYENV_ROOT'] ?? path.join(os.homedir(), '.pyenv')
}

/** The highest installed pyenv interpreter whose version starts with `prefix` (e.g. '3.11'). */
export function pyenvPython(prefix: string): string {
  const versionsDir = path.join(pyenvRoot(), 'versions')
  const versions = fs.existsSync(versionsDir)
    ? fs.readdirSync(versionsDir).filter((v) => v === prefix || v.startsWith(`${prefix}.`))
    : []
  versions.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
  const best = versions.pop()
  if (best === undefined) throw new Error(`No pyenv interpreter ${prefix}.* under ${versionsDir}`)
  return path.join(versionsDir, best, 'bin', 'python3')
}

/**
 * The machine's offline index of real PyPI wheels, as pip's configuration names it (the first file://
 * index URL). Tests and the demo pass it as PIP_INDEX_URL so pip never tries the unreachable public index.
 */
export function localIndexUrl(python = pyenvPython('3.11')): string {
  const config = execFileSync(python, ['-m', 'pip', 'config', 'list'], { encoding: 'utf8' })
  const url = /file:\/\/\S+?simple\/?(?=[\s'"])/.exec(config)?.[0]
  if (url === undefined) throw new Error(`No file:// index in 'pip config list':\n${config}`)
  return url
}
