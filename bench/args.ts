// Command-line options of `npm run bench`: how many rounds, and which requirement sets.
import { BUMP, BUMP_NAMES, bumpChoice, HOSTED, SET_NAMES, type BumpName, type SetName } from './sets.js'

export interface Options {
  readonly rounds: number
  readonly sets: readonly SetName[]
  /** The fourth comparison: the medium set's miss on a hosted runner's Python (see suite.ts, benchHosted). */
  readonly hosted: boolean
  /** The one-bump comparison's sets (see bump.ts): a synced miss against a full build and a hit. */
  readonly bumps: readonly BumpName[]
  readonly help: boolean
}

const BUMP_CHOICES = BUMP_NAMES.map(bumpChoice)
// The one-bump comparison only when asked for: it adds four runs per round of medium and heavy, and the
// other comparisons do not depend on it.
const DEFAULT = [...SET_NAMES, HOSTED]
const CHOICES = [...DEFAULT, BUMP, ...BUMP_CHOICES]

export const USAGE = `usage: npm run bench -- [--rounds N] [--sets ${CHOICES.join(',')}]
  --rounds N   timed pairs per comparison and set (default 5, at least 1)
  --sets LIST  comma-separated requirement sets from bench/sets/, '${HOSTED}' for the medium set's
               miss on a hosted runner's Python (pip upgraded past the bundled one), '${BUMP}' for one
               pin bumped in medium and heavy: synced miss vs full miss, hit and a no-op sync
               ('${BUMP_CHOICES.join("', '")}' for one set) (default: ${DEFAULT.join(',')})`

export function parseArgs(argv: readonly string[]): Options {
  let rounds = 5
  let chosen: string[] = [...DEFAULT]
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    const [flag, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg]
    const value = (): string => {
      const v = inline ?? argv[++i]
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`)
      return v
    }
    if (flag === '--help' || flag === '-h') return { ...options(rounds, chosen), help: true }
    if (flag === '--rounds') {
      const text = value()
      rounds = Number(text)
      if (!Number.isInteger(rounds) || rounds < 1)
        throw new Error(`--rounds: '${text}' is not a whole number >= 1`)
    } else if (flag === '--sets') {
      chosen = value()
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
      if (chosen.length === 0) throw new Error(`--sets: no set named\n${USAGE}`)
      const unknown = chosen.find((name) => !CHOICES.includes(name))
      if (unknown !== undefined)
        throw new Error(`--sets: no set '${unknown}' (choose from ${CHOICES.join(', ')})`)
    } else {
      throw new Error(`unknown argument '${arg}'\n${USAGE}`)
    }
  }
  return options(rounds, chosen)
}

function options(rounds: number, chosen: readonly string[]): Options {
  const sets = SET_NAMES.filter((name) => chosen.includes(name))
  const bumps = BUMP_NAMES.filter((name) => chosen.includes(BUMP) || chosen.includes(bumpChoice(name)))
  return { rounds, sets, hosted: chosen.includes(HOSTED), bumps, help: false }
}
