// Command-line options of `npm run bench`: how many rounds, and which requirement sets.
import { HOSTED, SET_NAMES, type SetName } from './sets.js'

export interface Options {
  readonly rounds: number
  readonly sets: readonly SetName[]
  /** The fourth comparison: the medium set's miss on a hosted runner's Python (see suite.ts, benchHosted). */
  readonly hosted: boolean
  readonly help: boolean
}

const CHOICES = [...SET_NAMES, HOSTED]

export const USAGE = `usage: npm run bench -- [--rounds N] [--sets ${CHOICES.join(',')}]
  --rounds N   timed pairs per comparison and set (default 5, at least 1)
  --sets LIST  comma-separated requirement sets from bench/sets/, and '${HOSTED}' for the medium set's
               miss on a hosted runner's Python (pip upgraded past the bundled one) (default: all)`

export function parseArgs(argv: readonly string[]): Options {
  let rounds = 5
  let chosen: string[] = [...CHOICES]
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
  return { rounds, sets, hosted: chosen.includes(HOSTED), help: false }
}
