// Finds the base interpreter the venv is built from and checks it can build one. The `python` input is a
// path, a command looked up on PATH, or a version (`3.12`) looked up on PATH and in the runner's tool cache.
import * as fs from 'node:fs'
import * as core from '@actions/core'
import { runCommand, type CommandResult } from './command.js'
import * as io from '@actions/io'
import { UsageError } from './errors.js'
import {
  defaultPythonCommands,
  envVar,
  executableFile,
  looksLikePath,
  missingVenvHint,
  pathEntries,
  pathFor,
  toolCacheArch,
  toolCachePython,
  toolCachePythonRoot,
  usesExecuteBit,
  versionCommands,
  type Os,
} from './platform.js'
import { probePython, type PythonFacts } from './probe.js'
import {
  compareVersions,
  formatVersion,
  parseFinalVersion,
  parseVersionRequest,
  versionMatches,
  yamlFloatHint,
  type Version,
  type VersionRequest,
} from './version.js'

type Env = Readonly<Record<string, string | undefined>>

export const MIN_PYTHON: readonly [number, number] = [3, 8]

/**
 * The executable to run for the `python` input: a path as given, a command found on PATH, or the highest
 * interpreter of a requested version. `env` is the runner's environment (PATH, RUNNER_TOOL_CACHE,
 * RUNNER_ARCH); it defaults to this process's only so that callers written before versions existed work.
 */
export async function locatePython(
  os: Os,
  requested: string | undefined,
  cwd: string,
  env: Env,
): Promise<string> {
  const version = requested === undefined ? undefined : parseVersionRequest(requested)
  if (requested !== undefined && version !== undefined) return findPythonVersion(os, requested, version, env)
  if (requested !== undefined && looksLikePath(os, requested)) {
    const resolved = pathFor(os).resolve(cwd, requested)
    if (!fs.existsSync(resolved)) {
      throw new UsageError(
        `Input 'python': no file at '${resolved}'. Give an existing interpreter path or a command.`,
      )
    }
    return resolved
  }
  const commands = requested !== undefined ? [requested] : defaultPythonCommands(os)
  for (const command of commands) {
    const found = await io.which(command, false)
    if (found !== '') return found
  }
  throw new UsageError(
    `Input 'python': ${commands.map((c) => `'${c}'`).join(' or ')} not found on PATH. ` +
      `Add a setup-python step before this one, or give the interpreter's path.`,
  )
}

/**
 * The facts of the interpreter the venv is built from. An interpreter that is itself a venv's (an earlier
 * setup-venv step's `python3` first on PATH, or a path into another venv) is replaced by that venv's base,
 * once: a venv made from a venv records the real base as its home on Python 3.11+, so a restored copy
 * would never match the interpreter it was planned for, and the key would depend on the other venv.
 */
export async function probeBasePython(executable: string, os: Os): Promise<PythonFacts> {
  const first = await probePython(executable)
  const facts = first.venvBase === null ? first : await probeVenvBase(executable, first.venvBase)
  const [major, minor] = facts.versionInfo
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new UsageError(
      `Input 'python': ${executable} is Python ${facts.version}; setup-venv needs ${MIN_PYTHON.join('.')} or newer.`,
    )
  }
  if (!facts.hasVenv || facts.ensurepip === null) {
    throw new UsageError(
      `Input 'python': ${executable} (Python ${facts.version}) has no working 'venv'/'ensurepip' module. ` +
        missingVenvHint(os, major, minor),
    )
  }
  return facts
}

async function probeVenvBase(
  executable: string,
  venvBase: NonNullable<PythonFacts['venvBase']>,
): Promise<PythonFacts> {
  if (venvBase.executable === null) {
    throw new UsageError(
      `Input 'python': ${executable} is the interpreter of the venv at ${venvBase.venv}, and its base ` +
        `interpreter (home = ${venvBase.home ?? 'missing'} in its pyvenv.cfg) was not found. Give the base ` +
        `interpreter's path or version instead.`,
    )
  }
  const base = await probePython(venvBase.executable)
  if (base.venvBase !== null) {
    throw new UsageError(
      `Input 'python': ${executable} is the interpreter of the venv at ${venvBase.venv}, whose base ` +
        `${venvBase.executable} is a venv's too (${base.venvBase.venv}). Give a base interpreter's path or version.`,
    )
  }
  core.info(`Python ${base.version} at ${base.executable} (the base of the venv at ${venvBase.venv})`)
  return base
}

/** An interpreter found for a version request. */
interface Candidate {
  readonly path: string
  readonly version: Version
  readonly where: 'PATH' | 'tool cache'
}

/**
 * The highest interpreter matching `request`, from PATH (`python3.12`; every `python.exe` on Windows) and
 * from the runner's tool cache, where actions/setup-python installs and hosted images preinstall CPython.
 * Equal versions prefer PATH, which a setup step in the job put there. A tool cache entry is known by its
 * directory name until it is picked; then the interpreter itself must report a matching version, so a
 * mislabelled or broken entry is passed over rather than built from.
 */
export async function findPythonVersion(
  os: Os,
  input: string,
  request: VersionRequest,
  env: Env,
  nodeArch: string = process.arch,
): Promise<string> {
  const arch = toolCacheArch(envVar(os, env, 'RUNNER_ARCH'), nodeArch)
  const toolCache = envVar(os, env, 'RUNNER_TOOL_CACHE') || undefined
  const skipped: string[] = []
  const onPathReal = new Set<string>()
  const onPath = await probeAll(onPathFiles(os, versionCommands(os, request), env, onPathReal), skipped)
  const cached = toolCache === undefined ? [] : toolCacheEntries(os, toolCache, arch, skipped)
  const probed = new Map<string, Promise<Version | string>>()
  const probe = (file: string) => probed.get(file) ?? probed.set(file, probeVersion(file)).get(file)
  // Array.prototype.sort is stable: among equal versions PATH (listed first) stays first.
  const matching = [...onPath, ...cached]
    .filter((c) => versionMatches(request, c.version))
    .sort((a, b) => compareVersions(b.version, a.version))
  for (const candidate of matching) {
    let picked = candidate
    if (candidate.where === 'PATH') {
      // One interpreter reached both ways (setup-python puts the install's bin/ on PATH) is named by its tool
      // cache path, bin/python3: that is also what `python3` on PATH finds, so the venv, and with it the
      // cache key, is the same whether a workflow names the version or relies on PATH.
      const real = realPath(candidate.path)
      const same = cached.filter((c) => realPath(c.path) === real)
      const named = same.find((c) => compareVersions(c.version, candidate.version) === 0) ?? same[0]
      if (named !== undefined) picked = { ...named, version: candidate.version }
    } else {
      if (onPathReal.has(realPath(candidate.path))) continue // the same file as one on PATH: already weighed
      const reported = await probe(candidate.path)
      if (reported === undefined || typeof reported === 'string' || !versionMatches(request, reported)) {
        // Never in silence: another interpreter is picked instead of the one the tool cache names.
        const why =
          typeof reported === 'string' ? reported : `reports ${formatVersion(reported ?? candidate.version)}`
        core.warning(
          `Input 'python' ${input}: passed over ${formatVersion(candidate.version)} at ${candidate.path} ` +
            `(tool cache): it ${why}.`,
        )
        continue
      }
      picked = { ...candidate, version: reported }
    }
    const all = [...new Set(matching.map((c) => formatVersion(c.version)))]
    core.info(
      `Input 'python' ${input}: Python ${formatVersion(picked.version)} at ${picked.path} (${picked.where})` +
        (all.length > 1 ? `, the highest usable of ${all.join(', ')}.` : '.'),
    )
    return picked.path
  }

  // Nothing matched. Tell the user what is there, as each interpreter reports itself, and what is not usable;
  // the default commands are probed too, since they are what a step without `python` would use.
  const defaults = await probeAll(onPathFiles(os, defaultPythonCommands(os), env, onPathReal), skipped)
  const found = [...onPath, ...defaults]
  for (const entry of cached) {
    const reported = await probe(entry.path)
    const named = formatVersion(entry.version)
    if (reported === undefined || typeof reported === 'string') {
      skipped.push(`${named} at ${entry.path} (${reported ?? 'not probed'})`)
    } else if (compareVersions(reported, entry.version) !== 0) {
      skipped.push(`${named} at ${entry.path} (it reports ${formatVersion(reported)})`)
    } else found.push(entry)
  }
  found.sort((a, b) => compareVersions(b.version, a.version))
  const looked = [
    `${versionCommands(os, request).join(', ')} on PATH`,
    toolCache === undefined
      ? 'no tool cache (RUNNER_TOOL_CACHE is not set)'
      : `the tool cache ${toolCachePythonRoot(os, toolCache)} (${arch})`,
  ]
  const message = [
    `Input 'python': no Python ${input} found. Looked at ${looked.join(' and ')}.`,
    `Found: ${found.map((c) => `${formatVersion(c.version)} at ${c.path} (${c.where})`).join('; ') || 'none'}.`,
    skipped.length > 0 ? `Not usable: ${skipped.join('; ')}.` : undefined,
    yamlFloatHint(
      request,
      found.map((c) => c.version),
    ),
    `Add actions/setup-python with python-version: '${input}' before this step, ` +
      `or give an installed version, a command or the interpreter's path.`,
  ]
  throw new UsageError(message.filter((line) => line !== undefined).join(' '))
}

/** Existing executable files for `commands` in PATH order, each real file once (tracked in `seen`). */
function onPathFiles(os: Os, commands: readonly string[], env: Env, seen: Set<string>): string[] {
  const p = pathFor(os)
  const files: string[] = []
  for (const command of commands) {
    for (const dir of pathEntries(os, envVar(os, env, 'PATH'))) {
      const file = p.join(dir, executableFile(os, command))
      if (!isExecutableFile(os, file)) continue
      const real = realPath(file)
      if (seen.has(real)) continue
      seen.add(real)
      files.push(file)
    }
  }
  return files
}

/** Interpreters with the versions they report; those that do not start, or are pre-releases, are noted. */
async function probeAll(files: readonly string[], skipped: string[]): Promise<Candidate[]> {
  const found: Candidate[] = []
  for (const file of files) {
    const version = await probeVersion(file)
    if (typeof version === 'string') skipped.push(`${file} (${version})`)
    else found.push({ path: file, version, where: 'PATH' })
  }
  return found
}

/** The finished installations for `arch` in the tool cache; anything else there is noted in `skipped`. */
function toolCacheEntries(os: Os, toolCache: string, arch: string, skipped: string[]): Candidate[] {
  let names: string[]
  try {
    names = fs
      .readdirSync(toolCachePythonRoot(os, toolCache), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
  } catch {
    return [] // no Python in this tool cache at all
  }
  const found: Candidate[] = []
  for (const name of names) {
    const entry = toolCachePython(os, toolCache, name, arch)
    const version = parseFinalVersion(name)
    if (!fs.existsSync(entry.installDir)) continue // installed for another arch (or free-threaded) only
    if (version === undefined)
      skipped.push(`${name} in the tool cache (a pre-release: give its path to use it)`)
    else if (!fs.existsSync(entry.marker)) {
      skipped.push(`${name} in the tool cache (unfinished install: no ${pathFor(os).basename(entry.marker)})`)
    } else if (!isExecutableFile(os, entry.python))
      skipped.push(`${name} in the tool cache (no ${entry.python})`)
    else found.push({ path: entry.python, version, where: 'tool cache' })
  }
  return found
}

// print() with one argument is valid Python 2 as well, so an old interpreter reports its version.
const VERSION_SCRIPT = 'import platform; print(platform.python_version())'

/** The final-release version an interpreter reports, or why it has none. */
async function probeVersion(file: string): Promise<Version | string> {
  let result: CommandResult
  try {
    result = await runCommand([file, '-B', '-E', '-s', '-c', VERSION_SCRIPT], { silent: true })
  } catch (error) {
    return `does not start: ${(error as Error).message}`
  }
  const text = result.stdout.trim().split('\n').pop() ?? ''
  if (result.code !== 0) return `does not start: exit ${String(result.code)}`
  return parseFinalVersion(text) ?? `reports '${text}', not a final release`
}

function isExecutableFile(os: Os, file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false
    if (usesExecuteBit(os)) fs.accessSync(file, fs.constants.X_OK)
    return true
  } catch {
    return false
  }
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file)
  } catch {
    return file
  }
}
