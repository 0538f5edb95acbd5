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

/** The one-bump comparison's name in --sets (both sets); `bump-<set>` for one of them. */
export const BUMP = 'bump'

export interface Bump {
  /** The pin as the set has it, and what the bump makes it: another version in the local index. */
  readonly from: string
  readonly to: string
  /** Issue 12's target: the synced miss at least this many times faster than a full build of the bump. */
  readonly target: number
}

/**
 * One pinned package moved, per set, as a Dependabot PR would: the rest of the resolution stays the same
 * (checked with pip's dry run against the local index), so a sync has exactly one distribution to replace.
 */
export const BUMPS = {
  medium: { from: 'rich==15.0.0', to: 'rich==13.9.4', target: 1.3 },
  heavy: { from: 'pillow==12.3.0', to: 'pillow==11.3.0', target: 2 },
} as const satisfies Partial<Record<SetName, Bump>>
export type BumpName = keyof typeof BUMPS
export const BUMP_NAMES: readonly BumpName[] = ['medium', 'heavy']

/** Issue 12's target: a sync that changes nothing costs at most this much more than a hit. */
export const NOOP_BUDGET_MS = 1500

export function bumpChoice(name: BumpName): string {
  return `${BUMP}-${name}`
}

/** The set's requirement file with the bump's pin swapped; fails unless the pin is there exactly once. */
export function bumpedRequirements(set: BenchSet, bump: Bump): string {
  const lines = fs.readFileSync(set.file, 'utf8').split('\n')
  const at = lines.flatMap((line, i) => (line.trim() === bump.from ? [i] : []))
  if (at.length !== 1) throw new Error(`${set.file}: '${bump.from}' is not there exactly once`)
  return lines.map((line, i) => (i === at[0] ? bump.to : line)).join('\n')
}
