// Creates, stamps, checks and removes the venv. Only a directory that is a venv (or empty) is ever
// removed: anything else at `path` is the user's, and is an error.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import { runChecked, runCommand, type CommandResult } from './command.js'
import * as io from '@actions/io'
import { UsageError } from './errors.js'
import { KEY_FORMAT } from './key.js'
import type { Plan } from './plan.js'
import { compileFiles, packageSources } from './compile.js'
import { pipEnv } from './pip.js'
import {
  findSeed,
  pipCommand,
  pipWheel,
  seedInstallArgs,
  seedScriptArgs,
  UNPACK_SCRIPT,
  UNSEEDABLE,
  venvArgs,
  type BasePip,
  type Seed,
  type Seeded,
} from './seed.js'
import { probeVenvPython, type Distribution, type VenvFacts } from './probe.js'

/** Written into the venv when it is built, restored with it, and compared on every restore. */
export interface Stamp {
  readonly format: number
  readonly key: string
  readonly venvPath: string
  readonly pythonVersion: string
  /** Digest of the venv's files, taken by its interpreter (see VENV_SCRIPT in probe.ts): a restored venv must match it. */
  readonly manifest: string
  /** Total size of the venv's files, for the job summary. */
  readonly bytes: number
  /** What the venv holds, for the log and summary of every later hit. */
  readonly distributions: readonly Distribution[]
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

// What `python -m venv`, pip and this action put at the top of a venv; anything else there was put by hand.
const VENV_ENTRIES = new Set([
  'bin',
  'Scripts',
  'lib',
  'Lib',
  'lib64',
  'include',
  'Include',
  'share',
  'etc',
  'man',
  'pyvenv.cfg',
  '.gitignore',
  STAMP_FILE,
])

/** Entries at the top of a venv that a venv does not make (a notes file, a data directory), sorted. */
export function foreignEntries(venvDir: string): string[] {
  return fs
    .readdirSync(venvDir, { withFileTypes: true })
    .filter((entry) => !VENV_ENTRIES.has(entry.name))
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.name))
    .sort()
}

/** Removes the venv directory; callers have checked it is a venv or something we extracted. */
export async function removeVenv(venvDir: string): Promise<void> {
  await io.rmRF(venvDir)
}

/**
 * Creates the venv with pip in it: seeded (see seed.ts) when the base interpreter allows, else by
 * `python -m venv` with ensurepip. Returns how pip then installs the requirements, undefined after ensurepip.
 */
export async function createVenv(plan: Plan): Promise<Seeded | undefined> {
  const base = plan.basePython.executable
  // Asking the base interpreter what it can seed takes as long as making the bare venv: both at once.
  const [seed] = await Promise.all([findSeed(base), runChecked([base, ...venvArgs(plan.venvDir, true)])])
  const seeded =
    seed === undefined
      ? undefined
      : seed.basePip !== null
        ? await seedFromBase(plan, seed, seed.basePip)
        : await seedFromWheel(plan, seed)
  if (seeded !== undefined) return seeded
  if (seed === undefined) core.info('Adding pip with ensurepip (its bundled wheels were not found).')
  else core.info('Adding pip with ensurepip.')
  await removeVenv(plan.venvDir)
  await runChecked([base, ...venvArgs(plan.venvDir, false)])
  return undefined
}

/** The base pip is the bundled version: it seeds the venv and installs the requirements, from its own files. */
async function seedFromBase(plan: Plan, seed: Seed, basePip: BasePip): Promise<Seeded> {
  core.info(`Seeding ${seed.packages.join(', ')} from ensurepip's bundled wheels.`)
  // Silent: the command line is the whole script. Its output is shown when it fails.
  const seeded = await runCommand([plan.layout.pipPython, ...seedScriptArgs(seed, { basePip })], {
    env: pipEnv(),
    silent: true,
  })
  if (seeded.code === UNSEEDABLE) {
    core.info("This pip's wheel installer cannot be called directly: seeding through pip's command line.")
    await runChecked([...pipCommand(plan.layout, basePip.runner), ...seedInstallArgs(seed)], {
      env: pipEnv(),
    })
  } else if (seeded.code !== 0) {
    throw seedingFailed(seeded)
  }
  return { runner: basePip.runner }
}

/**
 * The base pip is another version, or absent: the bundled pip is unpacked into the venv, its files are
 * compiled on all cores while it installs itself and the other bundled wheels, and it installs the
 * requirements. Undefined when this pip cannot seed so (nothing but its unpacked package was written).
 */
async function seedFromWheel(plan: Plan, seed: Seed): Promise<Seeded | undefined> {
  const pip = seed.basePipVersion === null ? 'has no pip' : `has pip ${seed.basePipVersion}`
  core.info(
    `Seeding ${seed.packages.join(', ')} from ensurepip's bundled wheels, by the bundled pip unpacked into the venv ` +
      `(the base interpreter ${pip}).`,
  )
  const unpack = await runChecked([plan.layout.python, '-c', UNPACK_SCRIPT, pipWheel(seed)], { silent: true })
  const unpacked = unpack.stdout.trim().split('\n').pop() ?? ''
  const scratch = path.join(plan.venvDir, '.setup-venv-seed')
  const [seeded] = await Promise.all([
    runCommand([plan.layout.pipPython, ...seedScriptArgs(seed, { unpacked, scratch })], {
      env: pipEnv(),
      silent: true,
    }),
    // The seeding imports much of pip: its bytecode (which the venv keeps, unless pip-version replaces that
    // pip) is made meanwhile on every core. A compile process that fails leaves its files to the compile
    // after the install.
    packageSources(path.join(unpacked, 'pip'))
      .then((sources) => compileFiles(plan, sources))
      .catch(() => undefined),
  ])
  if (seeded.code === UNSEEDABLE) {
    core.info(`The bundled pip cannot seed the venv this way: ${output(seeded)}`)
    return undefined
  }
  if (seeded.code !== 0) {
    throw seedingFailed(seeded)
  }
  const runner = path.join(unpacked, 'pip', '__pip-runner__.py')
  return { runner: fs.existsSync(runner) ? runner : undefined }
}

function seedingFailed(result: CommandResult): Error {
  return new Error(`Seeding pip into the venv failed (exit code ${result.code}):\n${output(result)}`)
}

function output(result: { readonly stdout: string; readonly stderr: string }): string {
  return `${result.stdout}${result.stderr}`.trim()
}

function writeStamp(plan: Plan, facts: VenvFacts): void {
  const stamp: Stamp = {
    format: KEY_FORMAT,
    key: plan.key,
    venvPath: plan.venvDir,
    pythonVersion: plan.basePython.version,
    manifest: facts.manifest,
    bytes: facts.bytes,
    distributions: facts.distributions,
  }
  fs.writeFileSync(path.join(plan.venvDir, STAMP_FILE), `${JSON.stringify(stamp, null, 2)}\n`)
}

/**
 * The check that ends a build: the venv's interpreter starts with the planned version and prefix; then the
 * stamp is written with the manifest taken by that same run. Returns why the venv cannot be used, if so.
 */
export async function checkBuilt(plan: Plan): Promise<string | undefined> {
  const facts = await venvFacts(plan)
  if (typeof facts === 'string') return facts
  const problem = interpreterProblem(plan, facts)
  if (problem === undefined) writeStamp(plan, facts)
  return problem
}

/** The stamp as written into the venv; undefined when missing or unreadable. */
export function readStamp(plan: Plan): Partial<Stamp> | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(plan.venvDir, STAMP_FILE), 'utf8')) as Partial<Stamp>
  } catch {
    return undefined
  }
}

/**
 * What pyvenv.cfg says: `home`, the directory of the base interpreter the venv runs on, and the X.Y.Z
 * version it was built for; undefined when the file is missing.
 */
function readPyvenvCfg(pyvenvCfg: string): { home?: string; version?: string } | undefined {
  let text: string
  try {
    text = fs.readFileSync(pyvenvCfg, 'utf8')
  } catch {
    return undefined
  }
  return {
    home: /^home\s*=\s*(.+?)\s*$/m.exec(text)?.[1],
    version: /^version(?:_info)?\s*=\s*(\d+\.\d+\.\d+)/m.exec(text)?.[1],
  }
}

/**
 * Why a restored venv cannot be handed over. `inEntry`: the cause is in the cache entry itself (it would
 * fail the same way on any runner, so a new cache-suffix helps); otherwise this runner differs from the one
 * that built it (the base interpreter at the planned path is not the one the venv was made from).
 */
export interface VenvProblem {
  readonly cause: string
  readonly inEntry: boolean
}

const inEntry = (cause: string): VenvProblem => ({ cause, inEntry: true })
const onRunner = (cause: string): VenvProblem => ({ cause, inEntry: false })

/**
 * Why the restored venv at plan.venvDir cannot be handed over, or undefined when it can: its stamp must
 * name `key` (the plan's, or the older entry's a sync starts from) and this path, its base interpreter must be the one planned, its files must match the manifest
 * taken when it was built, and its interpreter must start and report the expected version and prefix.
 */
export async function restoredProblem(plan: Plan, key: string = plan.key): Promise<VenvProblem | undefined> {
  const stamp = readStamp(plan)
  if (stamp === undefined) return inEntry(`it has no readable ${STAMP_FILE} stamp`)
  // The path first: a venv moved from elsewhere also carries another key, and the path is the cause.
  if (stamp.venvPath !== plan.venvDir)
    return inEntry(`it was built for another path (${String(stamp.venvPath)})`)
  if (stamp.key !== key) return inEntry(`its stamp names another key (${String(stamp.key)})`)
  const cfg = readPyvenvCfg(plan.layout.pyvenvCfg)
  const home = cfg?.home
  if (home === undefined) return inEntry('its pyvenv.cfg is missing or names no home')
  if (!fs.existsSync(home))
    return onRunner(`the base interpreter it points to (home = ${home} in pyvenv.cfg) is missing`)
  const baseDir = path.dirname(plan.basePython.executable)
  if (!samePath(home, baseDir)) {
    return onRunner(`it points to another base interpreter (home = ${home} in pyvenv.cfg, not ${baseDir})`)
  }
  // Another Python at the same path starts and reports the venv's prefix, but cannot see its site-packages.
  const built = cfg?.version
  const planned = /^\d+\.\d+\.\d+/.exec(plan.basePython.version)?.[0]
  if (built !== planned) {
    return onRunner(
      `it was built for Python ${String(built)} (version in pyvenv.cfg), not ${plan.basePython.version}`,
    )
  }
  if (!fs.existsSync(plan.layout.python)) return inEntry(`its interpreter ${plan.layout.python} is missing`)
  const facts = await venvFacts(plan)
  if (typeof facts === 'string') return onRunner(facts)
  if (stamp.manifest !== facts.manifest) {
    return inEntry('its files changed after it was built (the manifest in its stamp differs)')
  }
  const problem = interpreterProblem(plan, facts)
  return problem === undefined ? undefined : onRunner(problem)
}

/** The venv's interpreter's report, or why it could not give one. */
async function venvFacts(plan: Plan): Promise<VenvFacts | string> {
  const { binDir, pyvenvCfg } = plan.layout
  try {
    return await probeVenvPython(plan.layout.python, {
      dir: plan.venvDir,
      binDir,
      pyvenvCfg,
      stampFile: STAMP_FILE,
    })
  } catch (error) {
    return `its interpreter does not start: ${(error as Error).message}`
  }
}

/** Why the venv's interpreter is not the planned one, or undefined: it has the right version and prefix. */
function interpreterProblem(plan: Plan, facts: VenvFacts): string | undefined {
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
