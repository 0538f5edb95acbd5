// Before anything is timed: the action's venv and the plain build's must hold the same packages, and
// exactly the set's pins.
import * as path from 'node:path'
import { launch } from '../test-support/runner.js'
import type { BenchEnv } from './env.js'
import type { BenchSet } from './sets.js'

/** `pip freeze --all` of a venv (pip itself and setuptools included), sorted. */
export async function freeze(venv: string, env: BenchEnv): Promise<string[]> {
  const python = path.join(venv, 'bin', 'python')
  const res = await launch([python, '-m', 'pip', 'freeze', '--all'], { ...env.plain }, path.dirname(venv))
  if (res.code !== 0) throw new Error(`pip freeze in ${venv} failed:\n${res.stderr}`)
  return res.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .sort()
}

/** PEP 503 name normalization, so `Flask==3.1.3` and `flask==3.1.3` compare equal. */
function normalize(pin: string): string {
  const [name = '', version = ''] = pin.split('==')
  return `${name.toLowerCase().replace(/[-_.]+/g, '-')}==${version}`
}

/**
 * What differs between two freezes, or between a freeze and the pins; empty when equal. `sides` names the
 * two venvs in the messages.
 */
export function freezeDifferences(
  action: readonly string[],
  plain: readonly string[],
  set: Pick<BenchSet, 'file' | 'pins'>,
  sides: readonly [string, string] = ["the action's venv", 'the plain venv'],
): string[] {
  const problems: string[] = []
  const onlyAction = action.filter((l) => !plain.includes(l))
  const onlyPlain = plain.filter((l) => !action.includes(l))
  if (onlyAction.length > 0) problems.push(`only in ${sides[0]}: ${onlyAction.join(', ')}`)
  if (onlyPlain.length > 0) problems.push(`only in ${sides[1]}: ${onlyPlain.join(', ')}`)
  const tools = /^(pip|setuptools|wheel)==/
  const installed = action.filter((l) => !tools.test(l)).map(normalize)
  const pinned = set.pins.map(normalize)
  const unpinned = installed.filter((l) => !pinned.includes(l))
  const absent = pinned.filter((l) => !installed.includes(l))
  if (unpinned.length > 0) problems.push(`installed but not pinned in ${set.file}: ${unpinned.join(', ')}`)
  if (absent.length > 0) problems.push(`pinned but not installed: ${absent.join(', ')}`)
  return problems
}
