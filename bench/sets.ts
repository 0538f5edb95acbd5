// The pinned requirement sets in bench/sets/: every package, dependencies included, pinned with ==, so a
// run installs the same thing every time and both sides of a comparison install the same thing.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { REPO_ROOT } from '../test-support/runner.js'

export const SET_NAMES = ['small', 'medium', 'heavy'] as const
export type SetName = (typeof SET_NAMES)[number]

/** The fourth comparison's name in --sets: the medium set on a hosted runner's Python, miss vs plain. */
export const HOSTED = 'hosted'

const DESCRIPTIONS: Record<SetName, string> = {
  small: 'requests',
  medium: 'web + test stack',
  heavy: 'numpy, pandas, scipy, scikit-learn, matplotlib',
}

export interface BenchSet {
  readonly name: SetName
  readonly description: string
  readonly file: string
  /** The `name==version` lines, in file order. */
  readonly pins: readonly string[]
}

export const SETS_DIR = path.join(REPO_ROOT, 'bench', 'sets')

export function loadSet(name: SetName): BenchSet {
  const file = path.join(SETS_DIR, `${name}.txt`)
  const pins = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.replace(/#.*/, '').trim())
    .filter((line) => line !== '')
  const loose = pins.filter((pin) => !/^[A-Za-z0-9][A-Za-z0-9._-]*==[^=\s]+$/.test(pin))
  if (loose.length > 0) throw new Error(`${file}: not pinned with ==: ${loose.join(', ')}`)
  return { name, description: DESCRIPTIONS[name], file, pins }
}
