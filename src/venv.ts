// Creates, stamps, checks and removes the venv. Only a directory that is a venv (or empty) is ever
// removed: anything else at `path` is the user's, and is an error.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as exec from '@actions/exec'
import * as io from '@actions/io'
import { UsageError } from './errors.js'
import { KEY_FORMAT } from './key.js'
import type { Plan } from './plan.js'
import { probePython } from './probe.js'

/** Written into the venv when it is built, restored with it, and compared on every restore. */
export interface Stamp {
  readonly format: number
  readonly key: string
  readonly pythonVersion: string
}

const STAMP_FILE = '.setup-venv.json'

export type DirState = 'absent' | 'empty' | 'venv'

/** What is at `venvDir` now; throws, before anything is changed, when it is something we must not touch. */
export function inspectTarget(venvDir: string, pyvenvCfg: string): DirState {
  let stat: fs.Stats
  try {
    stat = fs.lstatSync(venvDir)
  } catch {
    return 'absent'
  }
  if (!stat.isDirectory()) {
    throw new UsageError(`Input 'path': '${venvDir}' exists and is not a directory. Choose another path.`)
  }
  if (fs.readdirSync(venvDir).length === 0) return 'empty'
  if (fs.existsSync(pyvenvCfg)) return 'venv'
  throw new UsageError(
    `Input 'path': '${venvDir}' is a non-empty directory but not a venv (no pyvenv.cfg). ` +
      `It is left untouched; choose another path or remove it.`,
  )
}

/** Removes the venv directory; callers have checked it is a venv or something we extracted. */
export async function removeVenv(venvDir: string): Promise<void> {
  await io.rmRF(venvDir)
}

export async function createVenv(plan: Plan): Promise<void> {
  await exec.exec(plan.basePython.executable, ['-m', 'venv', plan.venvDir])
}

export function writeStamp(plan: Plan): void {
  const stamp: Stamp = { format: KEY_FORMAT, key: plan.key, pythonVersion: plan.basePython.version }
  fs.writeFileSync(path.join(plan.venvDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`)
}

/**
 * Why the venv at plan.venvDir cannot be handed over, or undefined when it can: the stamp must match the
 * key, and the venv's interpreter must start and report the expected version and prefix.
 */
export async function venvProblem(plan: Plan): Promise<string | undefined> {
  let stamp: Partial<Stamp>
  try {
    stamp = JSON.parse(fs.readFileSync(path.join(plan.venvDir, STAMP_FILE), 'utf8')) as Partial<Stamp>
  } catch {
    return `it has no readable ${STAMP_FILE} stamp`
  }
  if (stamp.key !== plan.key) return `its stamp names another key (${String(stamp.key)})`
  if (!fs.existsSync(plan.layout.python)) return `its interpreter ${plan.layout.python} is missing`
  let facts
  try {
    facts = await probePython(plan.layout.python)
  } catch (error) {
    return `its interpreter does not start: ${(error as Error).message}`
  }
  if (facts.version !== plan.basePython.version) {
    return `its interpreter is Python ${facts.version}, not ${plan.basePython.version}`
  }
  if (!samePath(facts.prefix, plan.venvDir))
    return `its interpreter's prefix is ${facts.prefix}, not ${plan.venvDir}`
  return undefined
}

function samePath(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b)
  } catch {
    return false
  }
}
