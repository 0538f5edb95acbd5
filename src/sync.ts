// The sync step of an incremental cache miss: a venv restored from an older entry (same interpreter, path,
// pip and pip settings; other requirements) is brought to exactly what a fresh build of the new
// requirements gives, or the sync is given up with the reason and the caller builds from scratch.
//
// pip decides what a fresh build holds (a dry run that ignores what is installed, with the build's own
// arguments); the venv's site-packages say what it holds. Whatever differs is uninstalled, and what is
// missing is installed by pip with the build's own arguments, every version pinned by a constraint and no
// dependency resolved. Then the venv is read again and compared with the target: the same distributions at
// the same versions from the same artifacts, REQUESTED as a fresh build marks it, and nothing left over
// from what was removed.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runCommand, type Argv, type CommandResult } from './command.js'
import { removeEmptyDirs } from './files.js'
import { parsePipArgs } from './pipoptions.js'
import { namesRequirements } from './pip.js'
import { normalizeName, requirementName } from './requirements.js'
import { STATE_SCRIPT } from './sync-script.js'

export interface SyncRequest {
  /** The venv's interpreter (bin/python3). */
  readonly python: string
  /**
   * The argv that runs the venv's pip, e.g. [python, '-m', 'pip']. The interpreter it runs under goes into
   * the shebang of the console scripts pip writes: give the one the build gives pip.
   */
  readonly pip: readonly [string, ...string[]]
  /** What follows `pip install` in a fresh build, e.g. ['-r', '/ws/requirements.txt', 'extra-pkg>=1', '--pre']. */
  readonly installArgs: readonly string[]
  /** What a fresh venv holds before the requirements, pinned: ['setuptools==65.5.0', 'pip==23.2.1']. */
  readonly seeded: readonly string[]
  /**
   * What a fresh build installs after the requirements, with a pip install of its own (what build backends
   * ask for, e.g. ['wheel']): kept at the version the venv holds, where the requirements leave it out, for
   * that install to find satisfied rather than be removed here and installed again.
   */
  readonly keep?: readonly string[]
  /** pip's settings (PIP_* or a config file) ask it to reinstall what is there: force-reinstall, ignore-installed. */
  readonly reinstalls?: boolean
  /** Where pip runs (relative paths in installArgs are read from there). */
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
  /**
   * The target, resolved already (see resolveTarget): started while the older venv was still being
   * restored. Undefined, or a promise that gives undefined: the sync resolves it itself.
   */
  readonly resolved?: Promise<Resolution | undefined>
}

/** What pip would install into an empty environment: the items of its dry-run report. */
export interface Resolution {
  readonly items: readonly ReportItem[]
}

/** Each entry 'name version', or 'name old -> new'; sorted by name. */
export interface SyncChanges {
  installed: string[]
  upgraded: string[]
  downgraded: string[]
  removed: string[]
  /** Same version, installed again: the kept one came from another artifact (another wheel, a URL). */
  reinstalled: string[]
}

/** Why the sync was given up, in one line. The venv may be in any state: the caller builds afresh. */
export class SyncFailure extends Error {
  override readonly name = 'SyncFailure'
}

/** Brings the venv to what a fresh build with `request.installArgs` would hold; throws SyncFailure. */
export async function syncVenv(request: SyncRequest): Promise<SyncChanges> {
  const tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'setup-venv-sync-'))
  try {
    return await sync(request, tmp)
  } finally {
    await fs.promises.rm(tmp, { recursive: true, force: true })
  }
}

/** One distribution of the venv, as STATE_SCRIPT reports it. */
interface Installed {
  readonly info: string
  readonly name: string | null
  readonly key: string
  readonly version: string | null
  readonly kind: 'dist-info' | 'egg-info'
  /** RECORD's rows as [absolute path, hash]; null when there is no RECORD (nothing else is read then). */
  readonly record: readonly (readonly [string, string])[] | null
  readonly pycs: readonly string[]
  readonly requested: boolean
  readonly recordRequested: boolean
  readonly installer: string | null
  readonly directUrl: unknown
  readonly wheel: { readonly tags: readonly string[]; readonly build: string | null } | null
}

interface VenvState {
  readonly root: string
  readonly protected: readonly (readonly [string, boolean])[]
  readonly dists: readonly Installed[]
  readonly order: readonly number[]
}

/** Where a target distribution comes from, as far as the installed files can tell. */
type Artifact =
  /** A seeded package at its seeded version: a fresh venv keeps the one seeded. */
  | { readonly kind: 'seeded' }
  /** One of SyncRequest.keep, at the version the venv holds. */
  | { readonly kind: 'kept' }
  /** A wheel from an index: an installed one matches when its WHEEL names the same tags and build. */
  | { readonly kind: 'wheel'; readonly tags: readonly string[]; readonly build: string | null }
  /**
   * A source distribution from an index: nothing installed says which artifact it was built from (a wheel
   * of the same version looks the same), so it is always installed again.
   */
  | { readonly kind: 'sdist' }
  /** A direct reference (`name @ url`, a local archive): pip's direct_url.json must be this, key for key. */
  | { readonly kind: 'direct'; readonly info: unknown }

interface Target {
  readonly name: string
  readonly key: string
  readonly version: string
  readonly requested: boolean
  readonly artifact: Artifact
}

async function sync(request: SyncRequest, tmp: string): Promise<SyncChanges> {
  const seeded = parseSeeded(request.seeded)
  // Reading the venv and the dry run do not touch the venv: both at once.
  const resolve = async (): Promise<readonly ReportItem[]> =>
    (await request.resolved)?.items ?? dryRunReport(request.pip, request, tmp)
  const [state, dryRun] = await Promise.allSettled([readState(request, tmp, {}), resolve()])
  if (state.status === 'rejected') throw state.reason
  if (dryRun.status === 'rejected') throw dryRun.reason
  const before = installedByKey(state.value)
  for (const [key, version] of seeded) {
    const found = before.get(key)?.version
    if (found !== version) {
      throw new SyncFailure(
        `The venv holds ${key} ${found ?? '(none)'}, not the seeded ${version}: a fresh build seeds it anew.`,
      )
    }
  }
  const targets = targetsOf(dryRun.value, seeded, request.installArgs, request.reinstalls === true)
  for (const spec of request.keep ?? []) {
    const key = normalizeName(requirementName(spec) ?? spec)
    const held = before.get(key)
    if (targets.has(key) || held === undefined || held.version === null) continue
    const name = held.name ?? key
    targets.set(key, { name, key, version: held.version, requested: true, artifact: { kind: 'kept' } })
  }

  // Every installed distribution that is not the target's goes. One at another version is replaced by
  // pip's install itself (the same uninstall, done as pip upgrades), which spares a pip run in the common
  // case; the rest (not in the target, or the same version from another artifact) are uninstalled first.
  const removals = [...before.values()].filter((dist) => !matches(dist, targets.get(dist.key)))
  const uninstalls = removals.filter((dist) => {
    const target = targets.get(dist.key)
    return target === undefined || target.version === dist.version
  })
  const removedKeys = new Set(removals.map((dist) => dist.key))
  const missing = [...targets.values()].filter((t) => !before.has(t.key) || removedKeys.has(t.key))
  if (uninstalls.length > 0) {
    const names = uninstalls.map((dist) => dist.name ?? dist.key)
    await runPip(request, ['uninstall', '--yes', ...names], 'pip uninstall')
  }
  if (missing.length > 0) {
    // The build's own arguments, so that every option in them and in their files (an index, --pre,
    // --only-binary, hashes, a requirement's URL) applies as it does in a fresh build: a name pinned on
    // its own could be found on another index. The constraint pins every version to the target, --no-deps
    // keeps pip from resolving anything, and what is missing but no requirement names (a dependency) is
    // named, pinned. pip marks those REQUESTED: corrected below with the rest. Compiling is the caller's.
    const pins = path.join(tmp, 'pins.txt')
    await fs.promises.writeFile(pins, [...targets.values()].map((t) => `${t.name}==${t.version}\n`).join(''))
    const dependencies = missing.filter((t) => !t.requested).map((t) => `${t.name}==${t.version}`)
    await runPip(
      request,
      ['install', '--no-deps', '--no-compile', '--constraint', pins, ...request.installArgs, ...dependencies],
      'pip install',
    )
  }
  if (removals.length > 0) await removeEmptiedDirs(state.value, removals)

  const changed = [...targets.values()].flatMap((t) => {
    const old = before.get(t.key)?.version
    return old === undefined || old === null || old === t.version ? [] : [{ target: t, old }]
  })
  const requested = Object.fromEntries([...targets.values()].map((t) => [t.key, t.requested]))
  const compare = changed.map(({ target, old }) => [old, target.version])
  const afterState = await readState(request, tmp, { requested, compare })
  verify(state.value, afterState, targets, removals, new Set(missing.map((t) => t.key)))

  const upgraded: string[] = []
  const downgraded: string[] = []
  changed.forEach(({ target, old }, i) => {
    const line = `${target.name} ${old} -> ${target.version}`
    // order[i] orders old against new: above 0, the old version was the newer.
    if ((afterState.order[i] ?? 0) > 0) downgraded.push(line)
    else upgraded.push(line)
  })
  const sorted = (lines: string[]): string[] =>
    lines.sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()))
  return {
    installed: sorted(missing.filter((t) => !before.has(t.key)).map((t) => `${t.name} ${t.version}`)),
    upgraded: sorted(upgraded),
    downgraded: sorted(downgraded),
    removed: sorted(
      removals.filter((d) => !targets.has(d.key)).map((d) => `${d.name ?? d.key} ${d.version ?? ''}`),
    ),
    reinstalled: sorted(
      removals
        .filter((d) => targets.get(d.key)?.version === d.version)
        .map((d) => `${d.name ?? d.key} ${d.version ?? ''}`),
    ),
  }
}

/** 'setuptools==65.5.0' -> ['setuptools', '65.5.0'], by canonical name. */
function parseSeeded(pins: readonly string[]): Map<string, string> {
  const seeded = new Map<string, string>()
  for (const pin of pins) {
    const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)$/.exec(pin.trim())
    if (match?.[1] === undefined || match[2] === undefined)
      throw new SyncFailure(`Unreadable seeded pin '${pin}'.`)
    seeded.set(normalizeName(match[1]), match[2])
  }
  return seeded
}

/** The venv's distributions by canonical name; SyncFailure for a venv pip would not manage alike. */
function installedByKey(state: VenvState): Map<string, Installed> {
  const byKey = new Map<string, Installed>()
  for (const dist of state.dists) {
    if (dist.name === null || dist.version === null)
      throw new SyncFailure(`${dist.info} names no project or version.`)
    if (dist.record === null) {
      // Without a RECORD nothing says which files are the distribution's, so none can be checked.
      throw new SyncFailure(`${dist.name} ${dist.version} has no RECORD (${dist.info}).`)
    }
    if (byKey.has(dist.key)) throw new SyncFailure(`The venv holds ${dist.name} twice.`)
    byKey.set(dist.key, dist)
  }
  return byKey
}

export interface ReportItem {
  readonly metadata?: { readonly name?: unknown; readonly version?: unknown }
  readonly requested?: unknown
  readonly is_direct?: unknown
  readonly download_info?: {
    readonly url?: unknown
    readonly dir_info?: unknown
    readonly vcs_info?: unknown
    readonly archive_info?: unknown
  }
}

/**
 * The items of pip's report of what it would install into an empty environment with the build's arguments.
 * Arguments that name no requirement at all (a build that has none runs no pip) ask for nothing.
 */
async function dryRunReport(
  pip: Argv,
  request: Pick<SyncRequest, 'installArgs' | 'cwd' | 'env'>,
  tmp: string,
): Promise<readonly ReportItem[]> {
  if (!namesRequirements(request.installArgs)) return []
  const reportFile = path.join(tmp, 'report.json')
  const args = ['install', '--dry-run', '--ignore-installed', '--report', reportFile, '--quiet']
  await run(
    [...pip, ...args, ...request.installArgs],
    { cwd: request.cwd, env: request.env },
    'pip install --dry-run',
  )
  try {
    const report = JSON.parse(await fs.promises.readFile(reportFile, 'utf8')) as { install?: unknown }
    if (!Array.isArray(report.install)) throw new Error('no install list')
    return report.install as ReportItem[]
  } catch (error) {
    throw new SyncFailure(`pip's dry-run report is unreadable: ${(error as Error).message}.`)
  }
}

/**
 * The target, resolved by `pip` (an argv that runs a pip of the venv's version, with the venv's Python;
 * with --ignore-installed the environment it runs in does not count) before the venv is there: what
 * syncVenv takes as `resolved`. Any failure gives undefined, and the sync resolves afresh.
 */
export async function resolveTarget(
  pip: Argv,
  request: Pick<SyncRequest, 'installArgs' | 'cwd' | 'env'>,
): Promise<Resolution | undefined> {
  // Nothing may reject: nobody awaits this promise when the restore or the older venv's check fails.
  let tmp: string | undefined
  try {
    tmp = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'setup-venv-resolve-'))
    return { items: await dryRunReport(pip, request, tmp) }
  } catch {
    return undefined
  } finally {
    if (tmp !== undefined) await fs.promises.rm(tmp, { recursive: true, force: true })
  }
}

/**
 * The target set: the seeded packages, then every item of pip's report. A seeded package the report wants
 * at another version is given up: a fresh venv keeps the seeded one when the requirements allow it, which
 * an install that ignores what is installed cannot tell.
 */
function targetsOf(
  items: readonly ReportItem[],
  seeded: ReadonlyMap<string, string>,
  installArgs: readonly string[],
  settingsReinstall: boolean,
): Map<string, Target> {
  // These make a fresh build reinstall a seeded package it is asked for, from the index.
  const reinstalls =
    settingsReinstall ||
    parsePipArgs(installArgs).options.some((o) => ['force-reinstall', 'ignore-installed'].includes(o.name))
  const targets = new Map<string, Target>()
  for (const [key, version] of seeded) {
    // ensurepip asks for each seeded package by name: a fresh venv has them REQUESTED.
    targets.set(key, { name: key, key, version, requested: true, artifact: { kind: 'seeded' } })
  }
  for (const item of items) {
    const name = item.metadata?.name
    const version = item.metadata?.version
    const info = item.download_info
    if (typeof name !== 'string' || typeof version !== 'string' || info === undefined) {
      throw new SyncFailure("pip's dry-run report has an item without a name, version or download_info.")
    }
    const key = normalizeName(name)
    const seededVersion = seeded.get(key)
    if (seededVersion !== undefined) {
      if (version !== seededVersion || reinstalls) {
        throw new SyncFailure(
          `The requirements ask for ${name} (pip would pick ${version}) and the venv is seeded with ` +
            `${seededVersion}: a fresh build decides whether it keeps the seeded one.`,
        )
      }
      continue
    }
    targets.set(key, {
      name,
      key,
      version,
      requested: item.requested === true,
      artifact: artifactOf(name, item),
    })
  }
  return targets
}

function artifactOf(name: string, item: ReportItem): Artifact {
  const info = item.download_info ?? {}
  const url = typeof info.url === 'string' ? info.url : ''
  // A directory's files can change without its version doing so, and a VCS reference is checked out and
  // built anyway: both are left to a fresh build.
  if (info.dir_info !== undefined) throw new SyncFailure(`${name} is installed from a directory (${url}).`)
  if (info.vcs_info !== undefined)
    throw new SyncFailure(`${name} is installed from version control (${url}).`)
  // pip writes the very object it reports as download_info into direct_url.json, and for an archive it
  // always holds the archive's hash: equal objects mean the same file from the same place.
  if (item.is_direct === true) return { kind: 'direct', info }
  const file = decodeURIComponent(url.replace(/[#?].*$/, '').replace(/^.*\//, ''))
  const wheel = /^[^-]+-[^-]+(?:-(\d[^-]*))?-([^-]+)-([^-]+)-([^-]+)\.whl$/.exec(file)
  if (wheel === null) return { kind: 'sdist' }
  const [, build, pythons = '', abis = '', platforms = ''] = wheel
  const tags = pythons
    .split('.')
    .flatMap((p) => abis.split('.').flatMap((a) => platforms.split('.').map((pl) => `${p}-${a}-${pl}`)))
  return { kind: 'wheel', tags: tags.sort(), build: build ?? null }
}

/** Whether an installed distribution is the target's, as a fresh build installs it (REQUESTED aside). */
function matches(dist: Installed, target: Target | undefined): boolean {
  if (target === undefined || dist.version !== target.version) return false
  const artifact = target.artifact
  if (artifact.kind === 'seeded' || artifact.kind === 'kept') return true
  if (dist.installer !== 'pip') return false
  switch (artifact.kind) {
    case 'sdist':
      return false
    case 'direct':
      return sameJson(dist.directUrl, artifact.info)
    case 'wheel':
      return (
        dist.directUrl === null &&
        dist.wheel !== null &&
        (dist.wheel.build ?? null) === artifact.build &&
        sameJson([...dist.wheel.tags].sort(), artifact.tags)
      )
  }
}

function sameJson(a: unknown, b: unknown): boolean {
  const canonical = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(canonical)
      : value !== null && typeof value === 'object'
        ? Object.fromEntries(
            Object.entries(value)
              .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
              .map(([k, v]) => [k, canonical(v)]),
          )
        : value
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b))
}

/**
 * The checks that make the synced venv the fresh build's: the distributions and versions (what `pip freeze
 * --all` lists), each from its artifact, REQUESTED as the target says; nothing left of what was removed.
 * `pip check` is not run: the same distributions from the same artifacts declare the same dependencies, so
 * it would say of this venv what it says of a fresh build.
 */
function verify(
  beforeState: VenvState,
  afterState: VenvState,
  targets: ReadonlyMap<string, Target>,
  removals: readonly Installed[],
  installedKeys: ReadonlySet<string>,
): void {
  const after = installedByKey(afterState)
  const extra = [...after.keys()].filter((key) => !targets.has(key))
  if (extra.length > 0)
    throw new SyncFailure(`After the sync the venv still holds ${extra.sort().join(', ')}.`)
  for (const target of targets.values()) {
    const dist = after.get(target.key)
    if (dist === undefined)
      throw new SyncFailure(`After the sync ${target.name} ${target.version} is missing.`)
    if (!matches(dist, target)) {
      throw new SyncFailure(
        `After the sync ${target.name} is ${dist.version ?? '?'} from another artifact than a fresh build's.`,
      )
    }
    if (dist.requested !== target.requested || dist.recordRequested !== target.requested) {
      throw new SyncFailure(`After the sync ${target.name}'s REQUESTED marker is not a fresh build's.`)
    }
  }

  // What the current distributions list (with the hashes their RECORDs give, and whether one the sync
  // installed lists it), the bytecode of their sources, and every directory above those.
  const listed = new Map<string, { hashes: Set<string>; bySync: boolean }>()
  const bytecode = new Set<string>()
  for (const dist of after.values()) {
    for (const [file, hash] of dist.record ?? []) {
      const entry = listed.get(file) ?? { hashes: new Set<string>(), bySync: false }
      entry.hashes.add(hash)
      entry.bySync ||= installedKeys.has(dist.key)
      listed.set(file, entry)
    }
    for (const pyc of dist.pycs) bytecode.add(pyc)
  }
  const currentDirs = new Set<string>()
  for (const file of [...listed.keys(), ...bytecode]) {
    for (
      let dir = path.dirname(file);
      !currentDirs.has(dir) && dir !== path.dirname(dir);
      dir = path.dirname(dir)
    )
      currentDirs.add(dir)
  }
  const isProtected = new Set(afterState.protected.map(([dir]) => dir))
  for (const dist of removals) {
    const name = dist.name ?? dist.key
    for (const file of [...(dist.record ?? []).map(([f]) => f), ...dist.pycs]) {
      if (listed.has(file) || bytecode.has(file)) {
        // A current distribution's too: pip's uninstall removed it unless the sync installed it again.
        // (Bytecode is written by the caller's compile, later.)
        if (listed.has(file) && !file.endsWith('.pyc') && !exists(file))
          throw new SyncFailure(`Uninstalling ${name} removed ${file}, which another distribution lists.`)
        continue
      }
      if (exists(file)) throw new SyncFailure(`${file} of the removed ${name} is still there.`)
      // pip removes the directories it empties; one left with nothing current in it would be importable
      // as a namespace package, which a fresh build does not have.
      for (
        let dir = path.dirname(file);
        inside(dir, afterState.root) && !isProtected.has(dir) && !currentDirs.has(dir);
        dir = path.dirname(dir)
      ) {
        if (exists(dir)) throw new SyncFailure(`${dir} of the removed ${name} is still there.`)
      }
    }
  }
  // A file that two distributions list holds the last writer's content: when one of them was installed by
  // the sync, the order may not be a fresh build's.
  for (const [file, { hashes, bySync }] of listed) {
    if (hashes.size > 1 && bySync)
      throw new SyncFailure(`${file} is listed by two distributions with different content.`)
  }
  const existed = new Set(beforeState.protected.filter(([, there]) => there).map(([dir]) => dir))
  const gone = afterState.protected.filter(([dir, there]) => existed.has(dir) && !there)
  if (gone.length > 0) throw new SyncFailure(`The sync removed ${gone.map(([dir]) => dir).join(', ')}.`)
}

/**
 * Removes the directories that uninstalling left empty above the removed files and their bytecode. pip removes a file's
 * emptied parents, but not those of a directory it removes whole (its stash moves `dir/` with a trailing
 * separator, which os.removedirs is not asked about): removing jaraco.functools leaves an empty `jaraco/`.
 * A fresh build has no such directory, and an empty one imports as a namespace package. Deepest first; a
 * directory that still holds anything stays (verify() reports it if nothing current is in it).
 */
async function removeEmptiedDirs(state: VenvState, removals: readonly Installed[]): Promise<void> {
  const isProtected = new Set(state.protected.map(([dir]) => dir))
  const dirs = new Set<string>()
  for (const dist of removals) {
    for (const file of [...(dist.record ?? []).map(([f]) => f), ...dist.pycs]) {
      for (
        let dir = path.dirname(file);
        inside(dir, state.root) && !isProtected.has(dir);
        dir = path.dirname(dir)
      )
        dirs.add(dir)
    }
  }
  await removeEmptyDirs(dirs)
}

function inside(dir: string, root: string): boolean {
  return dir.startsWith(root + path.sep)
}

function exists(file: string): boolean {
  try {
    fs.lstatSync(file)
    return true
  } catch {
    return false
  }
}

/** Runs STATE_SCRIPT with `order` (see there) under the venv's interpreter, from an empty directory. */
async function readState(request: SyncRequest, tmp: string, order: object): Promise<VenvState> {
  // cwd: with -c, Python looks for modules in the working directory first, where a project's own csv.py
  // or json.py would be found instead of the standard library's.
  const result = await run(
    [request.python, '-c', STATE_SCRIPT],
    { cwd: tmp, env: request.env, input: JSON.stringify(order), silent: true },
    'Reading the venv',
  )
  try {
    return JSON.parse(result.stdout) as VenvState
  } catch {
    throw new SyncFailure(`Reading the venv printed no JSON: ${lastLine(result.stdout)}`)
  }
}

function runPip(request: SyncRequest, args: readonly string[], what: string): Promise<CommandResult> {
  const argv: Argv = [...request.pip, ...args]
  return run(argv, { cwd: request.cwd, env: request.env }, what)
}

/** Runs argv; anything but exit code 0 is a SyncFailure naming `what` and the last error line. */
async function run(
  argv: Argv,
  options: Parameters<typeof runCommand>[1],
  what: string,
): Promise<CommandResult> {
  let result: CommandResult
  try {
    result = await runCommand(argv, options)
  } catch (error) {
    throw new SyncFailure(`${what} could not start: ${(error as Error).message}`)
  }
  if (result.code !== 0) {
    const output = `${result.stdout}\n${result.stderr}`
    throw new SyncFailure(`${what} failed (exit code ${result.code}): ${lastLine(output)}`)
  }
  return result
}

/** The last `ERROR:` line of the output, else its last non-blank line. */
function lastLine(output: string): string {
  const lines = output
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '')
  return lines.filter((l) => l.startsWith('ERROR:')).pop() ?? lines.pop() ?? '(no output)'
}
