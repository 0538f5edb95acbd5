// Installs the dependencies into the venv with the venv's own pip version, as argv (never a shell), and
// turns a failure into a message that names what asked for the package.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Argv } from './command.js'
import { runCommand } from './command.js'
import { UsageError } from './errors.js'
import { parsePipArgs } from './pipoptions.js'
import type { Plan } from './plan.js'
import { linesAsking, requirementName, type RequirementFiles } from './requirements.js'
import type { Dependencies } from './sources.js'

/** Whether `pip install` would be asked for anything: pip-args may name requirements too (`-r extra.txt`). */
export function hasWork(plan: Pick<Plan, 'dependencies' | 'pipArgs'>): boolean {
  return namesRequirements(dependencyArgs(plan))
}

/** Whether `pip install` with these arguments names any requirement, directly or by a file or group. */
export function namesRequirements(installArgs: readonly string[]): boolean {
  const { positional, options } = parsePipArgs(installArgs)
  const sources = ['requirement', 'editable', 'requirements-from-script', 'group']
  return positional.length > 0 || options.some((o) => sources.includes(o.name))
}

/** Whether the action byte-compiles after pip: unless the user asked pip for no bytecode at all. */
export function compileAfterInstall(plan: Pick<Plan, 'pipArgs'>): boolean {
  return !plan.pipArgs.includes('--no-compile')
}

/** What follows `pip install` for the dependencies: files, requirements, then the user's pip-args. */
export function dependencyArgs(plan: Pick<Plan, 'dependencies' | 'pipArgs'>): string[] {
  return [
    ...plan.dependencies.pipFiles.flatMap((file) => ['-r', file]),
    ...plan.dependencies.specs.map((spec) => spec.text),
    ...plan.pipArgs,
  ]
}

export function installArgs(plan: Pick<Plan, 'dependencies' | 'pipArgs'>): string[] {
  // Compiling is done afterwards on all cores; a user's own --compile, later on the line, still wins.
  return ['install', '--no-compile', ...dependencyArgs(plan)]
}

/**
 * The environment pip runs in: the step's own, plus settings that only silence pip's questions and
 * self-update check; they change nothing that gets installed.
 */
export function pipEnv(): Record<string, string> {
  return { ...stringEnv(process.env), PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' }
}

const written = new WeakSet<Pick<Dependencies, 'copies'>>()

/**
 * Writes the requirement-file copies pip is given (see reqcopy.ts), once a run: the early resolution, the
 * sync and a build after a failed sync all need them, and only a miss does.
 */
export function writeCopies(deps: Pick<Dependencies, 'copies'>): void {
  if (written.has(deps)) return
  for (const copy of deps.copies) {
    fs.mkdirSync(path.dirname(copy.path), { recursive: true })
    fs.writeFileSync(copy.path, copy.content)
  }
  written.add(deps)
}

/** Installs the dependencies with `pip`, the argv that runs the venv's pip (or the seed's runner). */
export async function install(
  plan: Pick<Plan, 'dependencies' | 'pipArgs' | 'baseDir'>,
  pip: Argv,
): Promise<void> {
  writeCopies(plan.dependencies)
  const { code, stderr } = await runCommand([...pip, ...installArgs(plan)], {
    cwd: plan.baseDir,
    env: pipEnv(),
  })
  if (code !== 0) throw new UsageError(failureMessage(plan.dependencies, code, stderr))
}

/**
 * Installs requirements beyond the dependencies (what build backends ask for), with the user's options
 * that pip passes on to a build environment. Whether pip installed anything (it says so in one line).
 */
export async function installSpecs(
  plan: Pick<Plan, 'pipArgs' | 'baseDir'>,
  pip: Argv,
  specs: readonly string[],
): Promise<boolean> {
  const { code, stdout, stderr } = await runCommand(
    [...pip, 'install', '--no-compile', ...specs, ...indexArgs(plan.pipArgs)],
    { cwd: plan.baseDir, env: pipEnv() },
  )
  if (code !== 0) {
    const origins = specs.map((text) => ({ text, origin: 'a build backend (get_requires_for_build)' }))
    throw new UsageError(failureMessage({ files: { files: [] }, specs: origins }, code, stderr))
  }
  return /^Successfully installed /m.test(stdout)
}

/**
 * Installs the `pip-version` pip into the new venv, before the dependencies: the venv's pip then
 * resolves them, as it would in a plain build with that pip.
 */
export async function installPip(
  plan: Pick<Plan, 'pipVersion' | 'pipArgs' | 'baseDir'>,
  pip: Argv,
): Promise<void> {
  const { code, stderr } = await runCommand(
    [...pip, 'install', '--no-compile', `pip==${plan.pipVersion ?? ''}`, ...indexArgs(plan.pipArgs)],
    { cwd: plan.baseDir, env: pipEnv() },
  )
  if (code !== 0) {
    const errors = stderr.split(/\r?\n/).filter((l) => l.startsWith('ERROR:'))
    throw new UsageError(
      [
        `Input 'pip-version': pip ${plan.pipVersion ?? ''} could not be installed (exit code ${code}).`,
        ...errors,
        'Give a version the package index has, or pip-version: bundled.',
      ].join('\n'),
    )
  }
}

// The options of pip-args that pip itself passes on when it installs build requirements into an isolated
// environment: where packages come from and which distributions count, how it reaches the index, what it
// prints. Nothing that the user asks of the dependencies' own install (--require-hashes, --no-deps,
// --dry-run, --report, requirement and constraint files): a bare `pip==26.2.1` has no hash to check.
const PASSED_ON = new Set([
  'index-url',
  'extra-index-url',
  'no-index',
  'find-links',
  'trusted-host',
  'uploaded-prior-to',
  'pre',
  'all-releases',
  'only-final',
  'no-binary',
  'only-binary',
  'prefer-binary',
  'isolated',
  'timeout',
  'retries',
  'resume-retries',
  'proxy',
  'no-proxy-env',
  'cert',
  'client-cert',
  'keyring-provider',
  'no-input',
  'cache-dir',
  'no-cache-dir',
  'verbose',
  'quiet',
  'no-color',
  'progress-bar',
  'disable-pip-version-check',
])

/**
 * The user's options that the installs of pip itself and of build requirements get too, by their long
 * name (`-qU` in pip-args holds both a kept and a dropped option, so the words are not reused).
 */
export function indexArgs(pipArgs: readonly string[]): string[] {
  return parsePipArgs(pipArgs)
    .options.filter((o) => PASSED_ON.has(o.name))
    .flatMap((o) => [`--${o.name}`, ...(o.value === undefined ? [] : [o.value])])
}

/**
 * pip's own ERROR lines, then where each project they name was asked for: pip names the requirement
 * file for some failures but not for "no matching distribution", so the action looks it up.
 */
export function failureMessage(
  deps: { readonly files: Pick<RequirementFiles, 'files'>; readonly specs: Dependencies['specs'] },
  code: number,
  stderr: string,
): string {
  const lines = stderr.split(/\r?\n/)
  // pip's ERROR lines with the indented lines that follow them (a hash report's package, file and line).
  const errors: string[] = []
  let inError = false
  for (const line of lines) {
    if (line.startsWith('ERROR:')) inError = true
    else if (!inError || !/^\s+\S/.test(line)) {
      inError = false
      continue
    }
    errors.push(line)
  }
  const named = new Set<string>()
  const add = (spec: string | undefined): void => {
    const name = spec === undefined ? undefined : requirementName(spec)
    if (name !== undefined) named.add(name)
  }
  for (const error of errors) {
    for (const m of error.matchAll(/(?:requirement|distribution found for) ([A-Za-z0-9][A-Za-z0-9._-]*)/g))
      add(m[1])
    const conflict = /^ERROR: Cannot install (.+?) because /.exec(error)?.[1]
    for (const spec of conflict?.split(/, | and /) ?? []) add(spec)
    add(/^\s+(\S+) from \S+/.exec(error)?.[1])
  }
  const origins = [...named].flatMap((name) => {
    const where = linesAsking(deps.files, name)
    for (const spec of deps.specs) {
      if (requirementName(spec.text) === name && !where.includes(spec.origin)) where.push(spec.origin)
    }
    return where.length > 0 ? [`'${name}' is asked for in ${where.join(', ')}.`] : []
  })
  const shown = errors.length > 0 ? errors : lines.filter((l) => l.trim() !== '').slice(-5)
  return [`pip install failed (exit code ${code}).`, ...shown, ...origins].join('\n')
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v
  return out
}
