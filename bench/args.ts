// Command-line options of `npm run bench`: how many rounds, and which requirement sets.
import { SET_NAMES, type SetName } from './sets.js'

export interface Options {
  readonly rounds: number
  readonly sets: readonly SetName[]
  readonly help: boolean
}

export const USAGE = `usage: npm run bench -- [--rounds N] [--sets ${SET_NAMES.join(',')}]
  --rounds N   timed pairs per comparison and set (default 5, at least 1)
  --sets LIST  comma-separated requirement sets from bench/sets/ (default: all)`

export function parseArgs(argv: readonly string[]): Options {
  let rounds = 5
  let sets: SetName[] = [...SET_NAMES]
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
    if (flag === '--help' || flag === '-h') return { rounds, sets, help: true }
    if (flag === '--rounds') {
      const text = value()
      rounds = Number(text)
      if (!Number.isInteger(rounds) || rounds < 1)
        throw new Error(`--rounds: '${text}' is not a whole number >= 1`)
    } else if (flag === '--sets') {
      sets = value()
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '')
        .map(toSetName)
      if (sets.length === 0) throw new Error(`--sets: no set named\n${USAGE}`)
    } else {
      throw new Error(`unknown argument '${arg}'\n${USAGE}`)
    }
  }
  return { rounds, sets: [...new Set(sets)], help: false }
}

function toSetName(name: string): SetName {
  const found = SET_NAMES.find((s) => s === name)
  if (found === undefined) throw new Error(`--sets: no set '${name}' (choose from ${SET_NAMES.join(', ')})`)
  return found
}
