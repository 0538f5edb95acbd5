// Reads a project's pyproject.toml and says which requirements it declares for a selection of extras and
// dependency groups: for the project in the working directory as for a local project that a requirement
// file names (`-e ./libs/x[test]`). Pure apart from reading that one file: the caller reads the files that
// dynamic dependencies name, and puts keyText into the cache key.
import * as fs from 'node:fs'
import { parse, TomlError } from 'smol-toml'
import { UsageError } from './errors.js'
import { addMarker, normalizeRequirement, parseRequirement, type Requirement } from './pep508.js'
import { normalizeName } from './requirements.js'

/** The parts of a pyproject.toml this module uses, checked for shape; plain data. */
export interface Pyproject {
  /** The file as the caller named it; every message names it so. */
  readonly file: string
  /** Undefined when there is no [project] table. */
  readonly project: ProjectTable | undefined
  /** [dependency-groups] (PEP 735) by group name as written; undefined when absent. */
  readonly dependencyGroups: Readonly<Record<string, readonly GroupEntry[]>> | undefined
  /** [build-system] as written; undefined when absent. */
  readonly buildSystem: BuildSystemTable | undefined
  /** Files named by [tool.setuptools.dynamic]; an entry is undefined when absent or not `{file = ...}`. */
  readonly setuptoolsDynamic: {
    readonly dependencies: readonly string[] | undefined
    readonly optionalDependencies: Readonly<Record<string, readonly string[] | undefined>> | undefined
  }
  /** Keys of [tool.poetry.dependencies]; undefined when absent. */
  readonly poetryDependencies: readonly string[] | undefined
}

export interface ProjectTable {
  readonly name: string | undefined
  readonly dependencies: readonly string[] | undefined
  readonly optionalDependencies: Readonly<Record<string, readonly string[]>> | undefined
  readonly dynamic: readonly string[]
}

/** A requirement string, or `{include-group = "name"}`. */
export type GroupEntry = string | { readonly includeGroup: string }

export interface BuildSystemTable {
  readonly requires: readonly string[] | undefined
  readonly backend: string | undefined
  readonly backendPath: readonly string[] | undefined
}

/** What pip builds the project with. */
export interface BuildSystem {
  readonly requires: readonly string[]
  readonly backend: string
  readonly backendPath: readonly string[]
}

export type DeclarationKind = 'project' | 'groups' | 'poetry1' | 'none'

export interface SelectionRequest {
  readonly extras: readonly string[]
  readonly groups: readonly string[]
  readonly withBuildSystem: boolean
}

/** What asked for the extras and the groups, as a message starts: `Input 'extras'`, `requirements.txt:3`. */
export interface Origins {
  readonly extras: string
  readonly groups: string
}

export interface Selection {
  /** The project's name, normalized; undefined without [project] name. */
  readonly name: string | undefined
  /** Requirement strings for pip, as written (markers combined where a self-reference set one), unique. */
  readonly requirements: readonly string[]
  /** Requirement files that setuptools reads for dynamic dependencies, relative to the pyproject's directory. */
  readonly dynamicFiles: readonly string[]
  /** Only when asked for. */
  readonly buildSystem: BuildSystem | undefined
  /** Things pip would only warn about, e.g. a self-reference asking for an extra that does not exist. */
  readonly warnings: readonly string[]
  /** Canonical JSON of everything above that decides the install: same text, same venv. */
  readonly keyText: string
}

// pip 26 (pip/_internal/pyproject.py, load_pyproject_toml, unchanged from 25.0 to 26.2): without a
// [build-system] table it builds with requires ["setuptools>=40.8.0"] and the backend
// "setuptools.build_meta:__legacy__"; a table without build-backend gets that backend with its own requires.
const DEFAULT_REQUIRES = ['setuptools>=40.8.0']
const DEFAULT_BACKEND = 'setuptools.build_meta:__legacy__'

export function readPyproject(file: string): Pyproject {
  // pip reads pyproject.toml as UTF-8 whatever the locale, and its TOML reader refuses a byte order mark.
  const text = fs.readFileSync(file, 'utf8')
  if (text.startsWith('\ufeff')) {
    throw new UsageError(
      `${file}:1:1 is not valid TOML: it starts with a byte order mark, which pip refuses. ` +
        `Save it as UTF-8 without a BOM.`,
    )
  }
  let doc: Record<string, unknown>
  try {
    doc = parse(text)
  } catch (error) {
    if (!(error instanceof TomlError)) throw error
    // smol-toml's message is "Invalid TOML document: <reason>" and then the lines around the error.
    const reason = (error.message.replace(/^Invalid TOML document: /, '').split('\n')[0] ?? '').replace(
      /\.$/,
      '',
    )
    throw new UsageError(
      `${file}:${error.line}:${error.column} is not valid TOML: ${reason}. Fix the TOML there.`,
    )
  }
  const shape = new Shape(file)
  const tool = shape.looseTable(own(doc, 'tool'))
  const setuptoolsDynamic = shape.looseTable(own(shape.looseTable(own(tool, 'setuptools')), 'dynamic'))
  const poetryDependencies = shape.looseTable(own(shape.looseTable(own(tool, 'poetry')), 'dependencies'))
  const dynamicExtras = shape.looseTable(own(setuptoolsDynamic, 'optional-dependencies'))
  return {
    file,
    project: readProject(shape, doc),
    dependencyGroups: readGroups(shape, doc),
    buildSystem: readBuildSystem(shape, doc),
    setuptoolsDynamic: {
      dependencies: shape.fileSource(
        ['tool', 'setuptools', 'dynamic', 'dependencies'],
        own(setuptoolsDynamic, 'dependencies'),
      ),
      optionalDependencies:
        dynamicExtras === undefined
          ? undefined
          : shape.uniqueNames(
              ['tool', 'setuptools', 'dynamic', 'optional-dependencies'],
              'extra',
              mapValues(dynamicExtras, (extra, value) =>
                shape.fileSource(['tool', 'setuptools', 'dynamic', 'optional-dependencies', extra], value),
              ),
            ),
    },
    poetryDependencies: poetryDependencies === undefined ? undefined : Object.keys(poetryDependencies),
  }
}

function readProject(shape: Shape, doc: Record<string, unknown>): ProjectTable | undefined {
  const project = shape.table(['project'], own(doc, 'project'))
  if (project === undefined) return undefined
  const optional = shape.table(['project', 'optional-dependencies'], own(project, 'optional-dependencies'))
  const table: ProjectTable = {
    name: shape.string(['project', 'name'], own(project, 'name')),
    dependencies: shape.strings(['project', 'dependencies'], own(project, 'dependencies')),
    optionalDependencies:
      optional === undefined
        ? undefined
        : shape.uniqueNames(
            ['project', 'optional-dependencies'],
            'extra',
            mapValues(
              optional,
              (extra, value) => shape.strings(['project', 'optional-dependencies', extra], value) ?? [],
            ),
          ),
    dynamic: shape.strings(['project', 'dynamic'], own(project, 'dynamic')) ?? [],
  }
  // PEP 621: a field is either given or dynamic. Both would leave it to the backend which one wins.
  for (const [field, given] of [
    ['dependencies', table.dependencies],
    ['optional-dependencies', table.optionalDependencies],
  ] as const) {
    if (given !== undefined && table.dynamic.includes(field)) {
      throw new UsageError(
        `${shape.file}: project.${field} is given and also listed in project.dynamic, which PEP 621 forbids. ` +
          `Remove one of them.`,
      )
    }
  }
  return table
}

function readGroups(shape: Shape, doc: Record<string, unknown>): Record<string, GroupEntry[]> | undefined {
  const groups = shape.table(['dependency-groups'], own(doc, 'dependency-groups'))
  if (groups === undefined) return undefined
  const read = mapValues(groups, (group, value) => {
    const key = ['dependency-groups', group]
    if (!Array.isArray(value)) shape.fail(key, 'an array', value)
    return value.map((item: unknown, index): GroupEntry => {
      if (typeof item === 'string') return item
      const include = isTable(item) && Object.keys(item).length === 1 ? own(item, 'include-group') : undefined
      if (typeof include === 'string') return { includeGroup: include }
      // PEP 735: tools must refuse any other kind of entry.
      throw new UsageError(
        `${shape.file}: ${keyPath(key)} item ${index + 1} must be a requirement string or ` +
          `{include-group = "name"}, but it is ${describe(item)}. Fix that item.`,
      )
    })
  })
  return shape.uniqueNames(['dependency-groups'], 'dependency group', read)
}

function readBuildSystem(shape: Shape, doc: Record<string, unknown>): BuildSystemTable | undefined {
  const table = shape.table(['build-system'], own(doc, 'build-system'))
  if (table === undefined) return undefined
  return {
    requires: shape.strings(['build-system', 'requires'], own(table, 'requires')),
    backend: shape.string(['build-system', 'build-backend'], own(table, 'build-backend')),
    backendPath: shape.strings(['build-system', 'backend-path'], own(table, 'backend-path')),
  }
}

/**
 * How the file declares what to install: a [project] table; only [dependency-groups]; Poetry 1's
 * [tool.poetry.dependencies], which pip cannot read; or nothing.
 */
export function declarationKind(p: Pyproject): DeclarationKind {
  // A table holding only `python` asks for nothing to install (it is Poetry's requires-python).
  const poetry = p.poetryDependencies?.some((key) => key.toLowerCase() !== 'python') ?? false
  if (
    poetry &&
    p.project?.dependencies === undefined &&
    !(p.project?.dynamic.includes('dependencies') ?? false)
  ) {
    return 'poetry1'
  }
  if (p.project !== undefined) return 'project'
  if (p.dependencyGroups !== undefined) return 'groups'
  return 'none'
}

/**
 * The requirements pip installs for the project's dependencies, the selected extras and the selected
 * dependency groups, with self-references (`myproj[lint]` inside myproj) followed as pip follows them.
 * Every refusal happens here, before anything is changed.
 */
export function selectRequirements(p: Pyproject, request: SelectionRequest, origins: Origins): Selection {
  const { file, project } = p
  if (declarationKind(p) === 'poetry1') {
    throw new UsageError(
      `${file}: the dependencies are in [tool.poetry.dependencies], Poetry 1's format, which pip cannot read. ` +
        `Move them to the [project] table (dependencies = [...], which Poetry 2 reads), or run ` +
        `'poetry export -f requirements.txt --output requirements.txt' and list that file in the 'requirements' input.`,
    )
  }
  const name = project?.name === undefined ? undefined : normalizeName(project.name)
  const backend = p.buildSystem === undefined ? DEFAULT_BACKEND : (p.buildSystem.backend ?? DEFAULT_BACKEND)
  const requirements: string[] = []
  const dynamicFiles: string[] = []
  const warnings: string[] = []
  // Each extra with the marker sets it was reached under: reaching it again under a superset of one of
  // them adds nothing, which also ends cycles between extras.
  const reached = new Map<string, string[][]>()
  const groupsDone = new Set<string>()

  // Sets: sorted, so that the order they were given in changes nothing.
  const extras = unique(request.extras.map(normalizeName)).sort()
  if (extras.length > 0 && project === undefined) {
    throw new UsageError(
      `${origins.extras}: ${file} has no [project] table, so it defines no extras. ` +
        `Leave the extras out, or declare the project in a [project] table.`,
    )
  }
  for (const extra of extras) {
    if (extraSource(extra) === 'unknown') {
      throw new UsageError(
        `${origins.extras}: '${asWritten(request.extras, extra)}' is not an extra of ${file} ` +
          `(it defines: ${list(definedExtras())}). Fix the name, or add the extra to [project.optional-dependencies].`,
      )
    }
  }
  const groupNames = new Map(Object.keys(p.dependencyGroups ?? {}).map((g) => [normalizeName(g), g]))
  const groups = unique(request.groups.map(normalizeName)).sort()
  for (const group of groups) {
    if (!groupNames.has(group)) {
      throw new UsageError(
        `${origins.groups}: '${asWritten(request.groups, group)}' is not a dependency group of ${file} ` +
          `(it defines: ${list([...groupNames.values()])}). Fix the name, or add the group to [dependency-groups].`,
      )
    }
  }

  if (project !== undefined) {
    if (project.dynamic.includes('dependencies')) {
      const files = isSetuptools(backend) ? p.setuptoolsDynamic.dependencies : undefined
      if (files === undefined) throw dynamicError('dependencies')
      dynamicFiles.push(...files)
    } else {
      addRequirements(project.dependencies ?? [], [], 'project.dependencies')
    }
  }
  for (const extra of extras) addExtra(extra, [], origins.extras)
  for (const group of groups) addGroup(group, [])

  const buildSystem = request.withBuildSystem ? buildSystemOf(p) : undefined
  const key = {
    name: name ?? null,
    // pip resolves all requirements together, as a set: their order and repetitions do not matter.
    requirements: unique(requirements.map(normalizeRequirement)).sort(),
    extras,
    groups,
    // Read as requirement files, each on its own: their order does not matter either.
    dynamicFiles: unique(dynamicFiles).sort(),
    ...(buildSystem === undefined ? {} : { buildSystem: buildSystemKey(buildSystem) }),
  }
  return {
    name,
    requirements: unique(requirements),
    dynamicFiles: unique(dynamicFiles),
    buildSystem,
    warnings,
    keyText: JSON.stringify(key),
  }

  /** Adds requirements as written, expanding those that name the project itself. */
  function addRequirements(specs: readonly string[], markers: readonly string[], where: string): void {
    for (const spec of specs) {
      const parts = parseRequirement(spec)
      if (parts !== undefined && name !== undefined && normalizeName(parts.name) === name) {
        // The project itself: it is installed on its own; what counts is the extras it asks for, which
        // apply only where its marker holds. Its version or URL, if any, cannot pick another copy of it.
        const inner = parts.marker === undefined ? markers : addMarker(markers, parts.marker)
        for (const extra of parts.extras) {
          addExtra(normalizeName(extra), inner, `${file}: '${spec}' in ${where}`)
        }
        continue
      }
      requirements.push(underMarkers(spec, parts, markers, where))
    }
  }

  function addExtra(extra: string, markers: readonly string[], askedBy: string): void {
    const before = reached.get(extra) ?? []
    if (before.some((set) => set.every((m) => markers.includes(m)))) return
    reached.set(extra, [...before, [...markers]])
    const source = extraSource(extra)
    if (source === 'unknown') {
      // pip warns ("does not provide the extra") and goes on.
      warnings.push(
        `${askedBy} asks for the extra '${extra}', which the project does not define; pip ignores it.`,
      )
    } else if (source === 'computed') {
      throw dynamicError('optional-dependencies', extra)
    } else if ('files' in source) {
      if (markers.length > 0) {
        throw new UsageError(
          `${askedBy} asks for the extra '${extra}' under the marker '${markers.join(' and ')}', but its ` +
            `requirements come from files ([tool.setuptools.dynamic]), which cannot carry a marker. ` +
            `List them in [project.optional-dependencies] instead.`,
        )
      }
      dynamicFiles.push(...source.files)
    } else {
      addRequirements(source.requirements, markers, `project.optional-dependencies.${source.written}`)
    }
  }

  function addGroup(group: string, chain: readonly string[]): void {
    const written = groupNames.get(group) ?? group
    if (chain.includes(written)) {
      const cycle = [...chain.slice(chain.indexOf(written)), written].join(' -> ')
      throw new UsageError(
        `${file}: dependency group '${written}' includes itself (${cycle}). Remove one of those include-group entries.`,
      )
    }
    if (groupsDone.has(group)) return
    for (const entry of p.dependencyGroups?.[written] ?? []) {
      if (typeof entry === 'string') {
        addRequirements([entry], [], `dependency-groups.${written}`)
        continue
      }
      // PEP 735: group names compare normalized, like project names.
      const target = normalizeName(entry.includeGroup)
      if (!groupNames.has(target)) {
        throw new UsageError(
          `${file}: dependency group '${written}' includes '${entry.includeGroup}', which is not defined ` +
            `(it defines: ${list([...groupNames.values()])}). Fix that include-group.`,
        )
      }
      addGroup(target, [...chain, written])
    }
    groupsDone.add(group)
  }

  function definedExtras(): string[] {
    const table = project?.dynamic.includes('optional-dependencies')
      ? p.setuptoolsDynamic.optionalDependencies
      : project?.optionalDependencies
    return Object.keys(table ?? {})
  }

  function extraSource(
    extra: string,
  ):
    | 'unknown'
    | 'computed'
    | { readonly written: string; readonly requirements: readonly string[] }
    | { readonly files: readonly string[] } {
    if (project === undefined) return 'unknown'
    if (!project.dynamic.includes('optional-dependencies')) {
      const written = Object.keys(project.optionalDependencies ?? {}).find((e) => normalizeName(e) === extra)
      const requirements = written === undefined ? undefined : project.optionalDependencies?.[written]
      return written === undefined || requirements === undefined ? 'unknown' : { written, requirements }
    }
    // Dynamic extras are known before the build only when setuptools reads them from files.
    const table = isSetuptools(backend) ? p.setuptoolsDynamic.optionalDependencies : undefined
    if (table === undefined) return 'computed'
    const written = Object.keys(table).find((e) => normalizeName(e) === extra)
    if (written === undefined) return 'unknown'
    const files = table[written]
    return files === undefined ? 'computed' : { files }
  }

  function dynamicError(field: 'dependencies' | 'optional-dependencies', extra?: string): UsageError {
    const what = extra === undefined ? "the project's dependencies" : `the extra '${extra}'`
    const setuptools = isSetuptools(backend)
      ? `, or name their requirements file in [tool.setuptools.dynamic] ` +
        `${extra === undefined ? 'dependencies' : `optional-dependencies.${extra}`} = {file = ["..."]}`
      : ''
    const where = extra === undefined ? '[project] dependencies' : '[project.optional-dependencies]'
    return new UsageError(
      `${file}: project.dynamic lists '${field}', so the build backend (${backend}) computes ${what} when it ` +
        `builds the project, and they cannot be known before. List them in ${where}${setuptools}, or put them ` +
        `in a requirements file and list that file in the 'requirements' input.`,
    )
  }

  function underMarkers(
    spec: string,
    parts: Requirement | undefined,
    markers: readonly string[],
    where: string,
  ): string {
    if (markers.length === 0) return spec.trim()
    if (parts === undefined) {
      throw new UsageError(`${file}: '${spec}' in ${where} is not a valid requirement (PEP 508). Fix it.`)
    }
    const all = parts.marker === undefined ? markers : [...markers, parts.marker]
    const marker = all.length === 1 ? (all[0] ?? '') : all.map((m) => `(${m})`).join(' and ')
    // After a URL the `;` needs a space before it, or it would be read as part of the URL.
    return `${parts.base}${parts.url === undefined ? '' : ' '}; ${marker}`
  }
}

/** The key's form of a build system: requirements normalized, as a set. */
export function buildSystemKey(buildSystem: BuildSystem): BuildSystem {
  return {
    requires: unique(buildSystem.requires.map(normalizeRequirement)).sort(),
    backend: buildSystem.backend,
    // sys.path order: kept.
    backendPath: buildSystem.backendPath,
  }
}

/**
 * How pip builds the project: its [build-system], or, without one (or without a pyproject.toml at all: a
 * setup.py project), setuptools' legacy backend.
 */
export function buildSystemOf(p: Pyproject | undefined): BuildSystem {
  const table = p?.buildSystem
  if (p === undefined || table === undefined)
    return { requires: DEFAULT_REQUIRES, backend: DEFAULT_BACKEND, backendPath: [] }
  if (table.requires === undefined) {
    // pip refuses such a table too (PEP 518: requires is mandatory).
    throw new UsageError(
      `${p.file}: [build-system] has no 'requires', which PEP 518 makes mandatory. ` +
        `Add requires = [...] naming the build backend's package, e.g. requires = ["setuptools>=61"].`,
    )
  }
  return {
    requires: table.requires,
    backend: table.backend ?? DEFAULT_BACKEND,
    backendPath: table.backendPath ?? [],
  }
}

/** Only setuptools reads [tool.setuptools.dynamic]; an in-tree backend wrapping it is not recognised. */
function isSetuptools(backend: string): boolean {
  return backend === 'setuptools.build_meta' || backend === DEFAULT_BACKEND
}

/** Shape checks that name the file and the key, so the user knows what to fix. */
class Shape {
  constructor(readonly file: string) {}

  fail(key: readonly string[], expected: string, value: unknown): never {
    throw new UsageError(
      `${this.file}: ${keyPath(key)} must be ${expected}, but it is ${describe(value)}. Fix that key.`,
    )
  }

  table(key: readonly string[], value: unknown): Record<string, unknown> | undefined {
    if (value === undefined || isTable(value)) return value
    return this.fail(key, 'a table', value)
  }

  /** A table in a part of the file that other tools own: anything else is not ours to refuse. */
  looseTable(value: unknown): Record<string, unknown> | undefined {
    return isTable(value) ? value : undefined
  }

  string(key: readonly string[], value: unknown): string | undefined {
    if (value === undefined || typeof value === 'string') return value
    return this.fail(key, 'a string', value)
  }

  strings(key: readonly string[], value: unknown): string[] | undefined {
    if (value === undefined) return undefined
    if (!Array.isArray(value)) return this.fail(key, 'an array of strings', value)
    value.forEach((item: unknown, index) => {
      if (typeof item !== 'string') {
        throw new UsageError(
          `${this.file}: ${keyPath(key)} must be an array of strings, but item ${index + 1} is ` +
            `${describe(item)}. Fix that key.`,
        )
      }
    })
    return value as string[]
  }

  /** The files of a setuptools `{file = "x"}` or `{file = ["x", "y"]}`; undefined for any other source. */
  fileSource(key: readonly string[], value: unknown): string[] | undefined {
    const files = isTable(value) ? own(value, 'file') : undefined
    if (files === undefined) return undefined
    return typeof files === 'string' ? [files] : this.strings([...key, 'file'], files)
  }

  /** Names that normalize alike would be one extra or group to pip: refused rather than merged. */
  uniqueNames<T>(key: readonly string[], what: string, table: Record<string, T>): Record<string, T> {
    const seen = new Map<string, string>()
    for (const written of Object.keys(table)) {
      const first = seen.get(normalizeName(written))
      if (first !== undefined) {
        throw new UsageError(
          `${this.file}: ${keyPath(key)} has '${first}' and '${written}', which name the same ${what}. ` +
            `Merge them.`,
        )
      }
      seen.set(normalizeName(written), written)
    }
    return table
  }
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date)
}

/** Own properties only: a key named `constructor` or `toString` must not find Object's. */
function own(table: Record<string, unknown> | undefined, key: string): unknown {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined
}

function mapValues<T>(
  table: Record<string, unknown>,
  f: (key: string, value: unknown) => T,
): Record<string, T> {
  return Object.fromEntries(Object.entries(table).map(([key, value]) => [key, f(key, value)]))
}

/** A dotted TOML key, quoting the parts that need it. */
function keyPath(parts: readonly string[]): string {
  return parts.map((part) => (/^[A-Za-z0-9_-]+$/.test(part) ? part : JSON.stringify(part))).join('.')
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array'
  if (value instanceof Date) return 'a date'
  if (isTable(value)) return 'a table'
  return typeof value === 'string' ? 'a string' : `a ${typeof value}`
}

/** The name as the user wrote it, for messages. */
function asWritten(names: readonly string[], normalized: string): string {
  return names.find((n) => normalizeName(n) === normalized) ?? normalized
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)]
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : [...names].sort().join(', ')
}
