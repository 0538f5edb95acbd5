// Where the dependencies come from, turned into one plan: requirement files, pyproject.toml tables, a PEP 751
// lock, the `packages` input and the local projects any of them names. For each source it says what pip is
// given on a build, what the key covers (the content of everything that decides what gets installed), and
// which local projects are installed after the venv is ready, never cached. pip.ts and key.ts do not need
// to know which kind of file a requirement came from.
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import { UsageError } from './errors.js'
import { fileDigest, findLinksFingerprint } from './fingerprint.js'
import type { InstallProject } from './inputs.js'
import { isUrl, localRequirement, type LocalRequirement } from './localref.js'
import { localPathOf, localPaths, type LocalPath, type PipSetting } from './pipconfig.js'
import { optionCategory, parsePipArgs } from './pipoptions.js'
import {
  buildSystemKey,
  buildSystemOf,
  declarationKind,
  readPyproject,
  selectRequirements,
  type Pyproject,
} from './pyproject.js'
import { lineId, pipRequirementFiles, type FileCopy } from './reqcopy.js'
import {
  checkInside,
  expandPatterns,
  isPylock,
  readRequirementFiles,
  type RequirementFiles,
} from './requirements.js'

/** A requirement given to pip on the command line, with what asked for it (for a failed install's message). */
export interface Spec {
  readonly text: string
  readonly origin: string
}

/** A project on this machine, installed with --no-deps after the venv is restored or built. */
export interface LocalProject {
  readonly dir: string
  readonly editable: boolean
  readonly origin: string
  /** Its PEP 517 build backend, asked what else it needs when the venv is built. */
  readonly backend: Backend | undefined
}

export interface Backend {
  readonly name: string
  readonly path: readonly string[]
}

function backendOf(
  buildSystem: { backend: string; backendPath: readonly string[] } | undefined,
): Backend | undefined {
  return buildSystem === undefined ? undefined : { name: buildSystem.backend, path: buildSystem.backendPath }
}

export interface Dependencies {
  /** Every requirement file read (roots, includes, dynamic-dependency files), for logs and errors. */
  readonly files: RequirementFiles
  /** What pip gets as `-r`: the files, copies without local-project lines, and a lock file. */
  readonly pipFiles: readonly string[]
  /** Written before pip runs. */
  readonly copies: readonly FileCopy[]
  /** Requirements pip gets after the files: declared dependencies, build backends, `packages`. */
  readonly specs: readonly Spec[]
  readonly projects: readonly LocalProject[]
  /** A PEP 751 lock among the files: pip reads it from 26.1 on. */
  readonly lock: string | undefined
  /** What the log and summary say the dependencies are. */
  readonly described: Described
  /** Canonical text of every dependency input, for the key. */
  readonly keyText: string
}

export interface Described {
  /** Files, relative to the base directory, and `packages`. */
  readonly sources: readonly string[]
  readonly extras: readonly string[]
  readonly groups: readonly string[]
}

export interface SourceInputs {
  readonly requirements: readonly string[] | undefined
  readonly extras: readonly string[]
  readonly groups: readonly string[]
  readonly installProject: InstallProject
  readonly packages: readonly string[]
  readonly pipArgs: readonly string[]
}

export interface SourceContext {
  readonly baseDir: string
  readonly workspace: string
  readonly pipSettings: readonly PipSetting[]
  /** Where copies of requirement files go (under the runner's temporary directory). */
  readonly copyDir: string
}

/** Lock files of other tools: pip cannot read them, and each has a command that exports what pip reads. */
const FOREIGN_LOCKS: Readonly<Record<string, string>> = {
  'uv.lock':
    'uv export --format pylock.toml --output-file pylock.toml (and list pylock.toml; pip-version 26.1 or later), or uv export --format requirements-txt --output-file requirements.txt',
  'poetry.lock': 'poetry export -f requirements.txt --output requirements.txt',
  'Pipfile.lock': 'pipenv requirements > requirements.txt',
}

type RootKind = 'requirements' | 'pyproject' | 'lock'

export async function findDependencies(inputs: SourceInputs, ctx: SourceContext): Promise<Dependencies> {
  const roots = await rootFiles(inputs.requirements, ctx.baseDir)
  const rel = (file: string) => relative(ctx.baseDir, file)
  const specs: Spec[] = []
  const projects = new Map<string, LocalProject>()
  const declared: string[] = []
  const requirementRoots = new Map<string, string>()
  let lock: string | undefined

  const pyprojects = [...roots].filter(([, r]) => r.kind === 'pyproject')
  for (const [name, asked] of [
    ['extras', inputs.extras],
    ['groups', inputs.groups],
  ] as const) {
    if (asked.length > 0 && pyprojects.length === 0) {
      throw new UsageError(
        `Input '${name}' selects from a pyproject.toml, but the dependencies come from ` +
          `${[...roots.keys()].map(rel).join(', ') || 'no file'}. List pyproject.toml in 'requirements' (beside the other files), or remove '${name}'.`,
      )
    }
  }
  for (const [file, root] of roots) {
    if (root.kind === 'requirements') requirementRoots.set(file, root.origin)
    else if (root.kind === 'lock') {
      requirementRoots.set(file, root.origin)
      lock = file
    } else {
      checkInside(file, root.origin, ctx.workspace)
      const p = root.pyproject ?? readPyproject(file)
      const mode = projectMode(inputs.installProject, declarationKind(p))
      const selection = selectRequirements(
        p,
        { extras: inputs.extras, groups: inputs.groups, withBuildSystem: mode !== undefined },
        { extras: "Input 'extras'", groups: "Input 'groups'" },
      )
      for (const warning of selection.warnings) core.warning(warning)
      specs.push(...selection.requirements.map((text) => ({ text, origin: rel(file) })))
      specs.push(...buildRequires(selection.buildSystem?.requires, rel(file)))
      for (const f of selection.dynamicFiles) {
        requirementRoots.set(path.resolve(path.dirname(file), f), `${file} [tool.setuptools.dynamic]`)
      }
      declared.push(selection.keyText)
      if (mode !== undefined) {
        const dir = path.dirname(file)
        addProject(projects, {
          dir,
          editable: mode === 'editable',
          origin: rel(file),
          backend: backendOf(selection.buildSystem),
        })
      }
    }
  }

  let allFiles = readRequirementFiles(requirementRoots, ctx.baseDir, ctx.workspace)
  const archives: string[] = []
  const dropped = new Set<string>()
  const local = (ref: LocalRequirement, origin: string): boolean => {
    const kind = localKind(ref, origin, ctx.workspace)
    if (kind === 'archive') {
      archives.push(`${rel(ref.path)} ${fileDigest(ref.path)}`)
      return false
    }
    const project = localProject(ref, origin, rel)
    specs.push(...project.specs)
    for (const [f, o] of project.dynamicRoots) requirementRoots.set(f, o)
    declared.push(project.keyText)
    addProject(projects, { dir: ref.path, editable: ref.editable, origin, backend: project.backend })
    return true
  }
  const handled = new Set<string>()
  const localLines = () => {
    for (const line of allFiles.local) {
      const id = lineId(line.file, line.line)
      if (handled.has(id)) continue
      handled.add(id)
      if (local(line.ref, `${rel(line.file)}:${line.line}`)) dropped.add(id)
    }
  }
  localLines()
  const packages: string[] = []
  for (const spec of inputs.packages) {
    const ref = localRequirement(spec, ctx.baseDir)
    if (ref !== undefined && local(ref, "Input 'packages'")) continue
    packages.push(spec)
    specs.push({ text: spec, origin: "the 'packages' input" })
  }
  // Requirement files that local projects name for dynamic dependencies were added above: read again with
  // them, and their local lines are local projects too (which may name more files).
  while (requirementRoots.size !== allFiles.roots.length) {
    allFiles = readRequirementFiles(requirementRoots, ctx.baseDir, ctx.workspace)
    localLines()
  }
  checkPipArgs(inputs.pipArgs, ctx)

  const pipFiles = pipRequirementFiles(allFiles, dropped, ctx.copyDir, ctx.baseDir)
  if (inputs.installProject !== 'auto' && inputs.installProject !== 'false' && pyprojects.length === 0) {
    const own = workingDirectoryProject(ctx.baseDir, inputs.installProject)
    specs.push(...own.specs)
    declared.push(own.keyText)
    addProject(projects, own.project)
  }

  const keyParts: Record<string, unknown> = {
    requirements: allFiles.hash,
    // pip resolves all requirements together, so their order does not matter.
    packages: [...packages].sort(),
  }
  if (declared.length > 0) keyParts['declared'] = [...declared].sort()
  if (archives.length > 0) keyParts['archives'] = [...archives].sort()
  const content = pipSettingContents(inputs.pipArgs, ctx, allFiles)
  if (content.length > 0) keyParts['content'] = content
  if (projects.size > 0)
    keyParts['projects'] = [...projects.values()]
      .map((p) => `${rel(p.dir)} ${p.editable ? 'editable' : 'regular'}`)
      .sort()

  return {
    files: allFiles,
    pipFiles: pipFiles.roots,
    copies: pipFiles.copies,
    specs,
    projects: [...projects.values()],
    lock,
    described: {
      sources: [
        ...[...roots.keys()].map(rel),
        ...(inputs.packages.length > 0 ? ["the 'packages' input"] : []),
      ],
      extras: pyprojects.length > 0 ? inputs.extras : [],
      groups: pyprojects.length > 0 ? inputs.groups : [],
    },
    keyText: JSON.stringify(keyParts),
  }
}

/** How the project of a pyproject.toml source is installed after the venv is ready, if at all. */
function projectMode(
  input: InstallProject,
  kind: ReturnType<typeof declarationKind>,
): 'editable' | 'regular' | undefined {
  if (input === 'false') return undefined
  if (input === 'auto') return kind === 'project' ? 'editable' : undefined
  return input === 'editable' ? 'editable' : 'regular'
}

function addProject(projects: Map<string, LocalProject>, project: LocalProject): void {
  const known = projects.get(project.dir)
  // Named twice (`-e .` in a file and the pyproject source): once, editable if either asks for it.
  projects.set(
    project.dir,
    known === undefined ? project : { ...known, editable: known.editable || project.editable },
  )
}

function buildRequires(requires: readonly string[] | undefined, origin: string): Spec[] {
  return (requires ?? []).map((text) => ({ text, origin: `${origin} [build-system] requires` }))
}

interface RootFile {
  readonly kind: RootKind
  readonly origin: string
  /** A pyproject.toml already read to choose it by default: not read twice. */
  readonly pyproject?: Pyproject
}

/** The files the `requirements` input names, or the default: requirements.txt, pylock.toml, pyproject.toml. */
async function rootFiles(
  patterns: readonly string[] | undefined,
  baseDir: string,
): Promise<Map<string, RootFile>> {
  if (patterns !== undefined) {
    const roots = new Map<string, RootFile>()
    for (const [file, origin] of await expandPatterns(patterns, baseDir)) {
      const foreign = FOREIGN_LOCKS[path.basename(file)]
      if (foreign !== undefined) throw new UsageError(`${origin}: ${foreignLockAdvice(file, foreign)}`)
      roots.set(file, { kind: rootKind(file), origin })
    }
    return roots
  }
  const inDir = (name: string) => path.join(baseDir, name)
  const origin = (name: string) => `Input 'requirements' (empty, so ${name})`
  for (const name of ['requirements.txt', 'pylock.toml']) {
    if (fs.existsSync(inDir(name)))
      return new Map([[inDir(name), { kind: rootKind(name), origin: origin(name) }]])
  }
  const foreign = Object.keys(FOREIGN_LOCKS).filter((name) => fs.existsSync(inDir(name)))
  const pyproject = inDir('pyproject.toml')
  if (fs.existsSync(pyproject)) {
    const read = readPyproject(pyproject)
    const kind = declarationKind(read)
    // Poetry 1 gets its error from selectRequirements, as when it is named.
    if (kind !== 'none') {
      for (const name of foreign) {
        core.info(
          `${name} is not read: the versions come from the ranges in pyproject.toml, not from the lock. To install ` +
            `the locked versions, export them (${FOREIGN_LOCKS[name] ?? ''}) and list that file in 'requirements'.`,
        )
      }
      return new Map([[pyproject, { kind: 'pyproject', origin: origin('pyproject.toml'), pyproject: read }]])
    }
  }
  for (const name of foreign) {
    core.warning(
      `${foreignLockAdvice(inDir(name), FOREIGN_LOCKS[name] ?? '')} Nothing else declares dependencies here, so the venv holds none.`,
    )
  }
  core.info(
    `No dependencies to install: none of requirements.txt, pylock.toml, pyproject.toml (with [project] or [dependency-groups]) is in ${baseDir}.`,
  )
  return new Map()
}

function rootKind(file: string): RootKind {
  if (path.basename(file) === 'pyproject.toml') return 'pyproject'
  return isPylock(file) ? 'lock' : 'requirements'
}

function foreignLockAdvice(file: string, command: string): string {
  return `${file} is a lock file pip cannot read. Export it to a form the action reads: ${command}.`
}

/** Whether a local requirement is a project directory or an archive; anything else is an error. */
function localKind(ref: LocalRequirement, origin: string, workspace: string): 'project' | 'archive' {
  if (!fs.existsSync(ref.path)) {
    throw new UsageError(`${origin}: the local path ${ref.path} does not exist. Fix the path.`)
  }
  checkInside(ref.path, origin, workspace)
  if (fs.statSync(ref.path).isDirectory()) return 'project'
  if (ref.editable)
    throw new UsageError(`${origin}: -e needs a project directory, and ${ref.path} is a file.`)
  return 'archive'
}

/** What a local project declares (its pyproject.toml), for the cached venv and the key. */
function localProject(
  ref: LocalRequirement,
  origin: string,
  rel: (file: string) => string,
): { specs: Spec[]; dynamicRoots: [string, string][]; keyText: string; backend: Backend | undefined } {
  const file = path.join(ref.path, 'pyproject.toml')
  const p = fs.existsSync(file) ? readPyproject(file) : undefined
  if (p === undefined || declarationKind(p) !== 'project') {
    throw new UsageError(
      `${origin}: the local project ${ref.path} declares no dependencies in a pyproject.toml [project] table, ` +
        `so what it needs cannot be known before it is built, and a cached venv could miss it. Declare them in ` +
        `[project] dependencies (setuptools reads them there too), or install the project in a later step.`,
    )
  }
  const selection = selectRequirements(
    p,
    { extras: ref.extras, groups: [], withBuildSystem: true },
    { extras: origin, groups: origin },
  )
  for (const warning of selection.warnings) core.warning(warning)
  return {
    specs: [
      ...selection.requirements.map((text) => ({ text, origin: rel(file) })),
      ...buildRequires(selection.buildSystem?.requires, rel(file)),
    ],
    dynamicRoots: selection.dynamicFiles.map((f) => [
      path.resolve(ref.path, f),
      `${file} [tool.setuptools.dynamic]`,
    ]),
    keyText: selection.keyText,
    backend: backendOf(selection.buildSystem),
  }
}

/**
 * `install-project: true|editable` with requirement files: the project in the working directory, whose
 * dependencies the files list; only its build backend goes into the venv.
 */
function workingDirectoryProject(
  baseDir: string,
  mode: InstallProject,
): { specs: Spec[]; keyText: string; project: LocalProject } {
  const file = path.join(baseDir, 'pyproject.toml')
  const origin = `Input 'install-project' (${mode})`
  let p: Pyproject | undefined
  if (fs.existsSync(file)) p = readPyproject(file)
  else if (!fs.existsSync(path.join(baseDir, 'setup.py'))) {
    throw new UsageError(
      `${origin}: there is no project in ${baseDir} (no pyproject.toml or setup.py). Set 'working-directory' to the project, or 'install-project: false'.`,
    )
  }
  // Only how it is built matters here: the dependencies come from the other sources (a Poetry 1 table or
  // dynamic dependencies beside them are not this input's business).
  const buildSystem = buildSystemOf(p)
  return {
    specs: buildRequires(buildSystem.requires, path.basename(file)),
    keyText: JSON.stringify({ buildSystem: buildSystemKey(buildSystem) }),
    project: { dir: baseDir, editable: mode === 'editable', origin, backend: backendOf(buildSystem) },
  }
}

/**
 * pip-args may not name local projects, directly or in a requirement file: they would enter the cached venv
 * without their source in the key.
 */
function checkPipArgs(pipArgs: readonly string[], ctx: SourceContext): void {
  const parsed = parsePipArgs(pipArgs)
  const isLocal = (spec: string) => {
    const ref = localRequirement(spec, ctx.baseDir)
    return ref !== undefined && fs.existsSync(ref.path) && fs.statSync(ref.path).isDirectory()
  }
  const editable = parsed.options.find((o) => o.name === 'editable' && isLocal(`-e ${o.value ?? ''}`))
  const positional = parsed.positional.find(isLocal)
  const inFile = parsed.options
    .filter((o) => o.name === 'requirement' && o.value !== undefined && !isUrl(o.value))
    .flatMap((o) => {
      const file = path.resolve(ctx.baseDir, o.value ?? '')
      if (!fs.existsSync(file)) return []
      return readRequirementFiles(new Map([[file, "Input 'pip-args'"]]), ctx.baseDir, undefined).local.map(
        (l) => `${relative(ctx.baseDir, l.file)}:${l.line} ${l.text}`,
      )
    })
  const named = editable?.words.join(' ') ?? positional ?? inFile[0]
  if (named !== undefined) {
    throw new UsageError(
      `Input 'pip-args' names the local path '${named}'. List it in 'packages' or a requirement file instead: ` +
        `local projects are installed after the venv is ready, so that a change to their source is always seen.`,
    )
  }
}

/**
 * The content of the files and find-links locations that pip-args, pip's settings and the requirement
 * files name, for the key: a constraint file edited, a dependency group of the file `--group` reads
 * changed, or a newer wheel dropped into ./wheels, changes the venv.
 */
function pipSettingContents(
  pipArgs: readonly string[],
  ctx: SourceContext,
  files: RequirementFiles,
): string[] {
  const named: LocalPath[] = []
  for (const o of parsePipArgs(pipArgs).options) {
    if (o.value === undefined || optionCategory(o.name) !== 'file') continue
    const local = localPathOf(o.name, o.value, ctx.baseDir)
    if (local !== undefined) named.push({ source: "Input 'pip-args'", name: o.name, path: local })
  }
  named.push(...localPaths(ctx.pipSettings, ctx.baseDir))
  const out = named.map((local) =>
    // A find-links location's fingerprint names it.
    local.name === 'find-links'
      ? `${local.source} ${findLinksFingerprint(local.path)}`
      : `${local.source} ${local.name} ${local.path} ${contentKey(local, ctx)}`,
  )
  for (const f of files.findLinks) {
    if (!isUrl(f.location))
      out.push(`${relative(ctx.baseDir, f.file)}:${f.line} ${findLinksFingerprint(f.location)}`)
  }
  return out
}

/**
 * What the key holds of a local file that an option names (find-links aside): a file in requirement format
 * (requirements, constraints, build constraints; pip's own settings may name one anywhere on the runner)
 * by its text with what it includes, and the find-links locations and archives it names; any other file
 * (a script, the pyproject.toml of `--group`) by its digest. A project directory (`--editable`) stays a
 * path: pip-args may not name one, and its source is not keyed.
 */
function contentKey({ source, name, path: file }: LocalPath, ctx: SourceContext): string {
  if (!fs.existsSync(file)) return 'missing'
  if (fs.statSync(file).isDirectory()) return 'directory'
  if (name !== 'requirement' && name !== 'constraint' && name !== 'build-constraint') return fileDigest(file)
  const read = readRequirementFiles(new Map([[file, source]]), ctx.baseDir, undefined)
  return [
    read.hash,
    ...read.findLinks.filter((f) => !isUrl(f.location)).map((f) => findLinksFingerprint(f.location)),
    ...read.local
      .filter((l) => fs.existsSync(l.ref.path) && fs.statSync(l.ref.path).isFile())
      .map((l) => `${l.ref.path} ${fileDigest(l.ref.path)}`),
  ].join(' ')
}

function relative(baseDir: string, file: string): string {
  const rel = path.relative(baseDir, file).split(path.sep).join('/')
  return rel === '' ? '.' : rel
}
