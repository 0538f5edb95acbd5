// The boundary with the cache service. Everything that can go wrong on the other side of it becomes a
// warning here: the caller only learns what happened, never an exception.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as cache from '@actions/cache'
import * as core from '@actions/core'

/**
 * A download that receives nothing for this long is abandoned and the venv is built instead. It bounds
 * the Azure storage path (github.com), whose default is 10 minutes; other storage (GitHub Enterprise
 * Server, the local service) has a fixed 5 s idle-socket limit in the library.
 */
export const STALL_TIMEOUT_MS = 60_000

/** The calls this module makes to the cache library: the library itself, or a stand-in in a unit test. */
export interface CacheClient {
  isFeatureAvailable(): boolean
  restoreCache(
    paths: string[],
    primaryKey: string,
    restoreKeys?: string[],
    options?: cache.DownloadOptions,
  ): Promise<string | undefined>
  saveCache(paths: string[], key: string): Promise<number>
}

export const libraryClient: CacheClient = cache

/** Why the cache cannot be used on this runner, or undefined when it can. */
export function cacheUnavailable(client: CacheClient = libraryClient): string | undefined {
  if (!client.isFeatureAvailable()) {
    return 'no cache service is configured for this runner (ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL are unset)'
  }
  return undefined
}

/** The keys of this venv: the exact one, and the prefix its older entries share (for a nearest restore). */
export interface VenvKeys {
  readonly venvDir: string
  readonly key: string
  readonly keyPrefix: string
}

export type RestoreOutcome =
  | { readonly kind: 'hit'; readonly archiveBytes: number | undefined }
  /** An older entry under the key's prefix: a starting point to sync, never a hit. */
  | { readonly kind: 'nearest'; readonly key: string }
  | { readonly kind: 'miss' }
  | { readonly kind: 'failed' }

/**
 * Restores the entry saved under exactly `keys.key` into the venv directory, or with `nearest` the newest
 * entry under `keys.keyPrefix`. The service also prefix-matches the primary key, so the key it answers with
 * is compared: an answer that is neither the key nor under the prefix is a miss. The library reports
 * service faults only as warnings and an undefined result; those warnings tell a failure from a miss.
 */
export async function restoreVenv(
  keys: VenvKeys,
  nearest: boolean,
  client: CacheClient = libraryClient,
  onNearest?: (key: string) => void,
): Promise<RestoreOutcome> {
  const restoreKeys = nearest ? [keys.keyPrefix] : []
  const { result, warnings, archiveBytes } = await callLibrary(
    keys.venvDir,
    false,
    (paths) => client.restoreCache(paths, keys.key, restoreKeys, { segmentTimeoutInMs: STALL_TIMEOUT_MS }),
    nearestWatch(keys, onNearest),
  )
  if (result instanceof Error) {
    core.warning(`Cache restore failed, the venv is built instead: ${result.message}`)
    return { kind: 'failed' }
  }
  if (result === keys.key) {
    core.info(`Cache restored from key: ${keys.key}`)
    return { kind: 'hit', archiveBytes }
  }
  if (result === undefined && warnings > 0) {
    core.warning(`Cache restore failed (see the warning above): the venv is built instead.`)
    return { kind: 'failed' }
  }
  if (nearest && result !== undefined && result.startsWith(keys.keyPrefix)) {
    core.info(`No cache found for key: ${keys.key}`)
    core.info(`Restored the nearest entry, to sync: ${result}`)
    return { kind: 'nearest', key: result }
  }
  core.info(`No cache found for key: ${keys.key}`)
  return { kind: 'miss' }
}

/**
 * Calls `onNearest` once, as soon as the library says it found an older entry under the prefix and before
 * it downloads it (the twirp protocol says so then; over the REST one nothing is said, and the caller
 * learns it when the restore returns), so that work the sync needs can start beside the download.
 */
function nearestWatch(
  keys: VenvKeys,
  onNearest: ((key: string) => void) | undefined,
): (line: string) => void {
  let called = false
  return (text) => {
    const key = /^Cache hit for restore-key: (\S+)/m.exec(text)?.[1]
    if (onNearest === undefined || called || key === undefined) return
    if (key === keys.key || !key.startsWith(keys.keyPrefix)) return
    called = true
    onNearest(key)
  }
}

export interface SaveOutcome {
  readonly kind: 'saved' | 'exists' | 'failed'
  readonly archiveBytes: number | undefined
}

/** What the caller knows of this run's cache: whether it may read it, and whether its restore failed. */
export interface SaveContext {
  readonly mayRead: boolean
  readonly restoreFailed: boolean
}

/**
 * Saves the venv directory under `keys.key`. The library tells a fault only by a warning or error
 * annotation, and answers -1 without one both when the key is taken and (over twirp) when the service
 * cannot be reached at all, so a silent -1 is told apart by looking the key up, unless this run's restore
 * already met a fault (the lookup would only meet it again, after the library's retries). An id with no
 * fault reported is a save.
 */
export async function saveVenv(
  keys: Pick<VenvKeys, 'venvDir' | 'key'>,
  run: SaveContext,
  client: CacheClient = libraryClient,
): Promise<SaveOutcome> {
  const { key } = keys
  const { result, warnings, archiveBytes } = await callLibrary(keys.venvDir, false, (paths) =>
    client.saveCache(paths, key),
  )
  const outcome = (kind: SaveOutcome['kind']): SaveOutcome => ({ kind, archiveBytes })
  if (typeof result === 'number' && result !== -1 && warnings === 0) {
    core.info(`Cache saved with key: ${key}`)
    return outcome('saved')
  }
  if (result === -1 && warnings === 0 && run.restoreFailed) {
    core.warning(
      `Cache not saved for key: ${key}: the service refused the entry and, as it failed this run's ` +
        `restore too, it is not asked why. The venv itself is ready.`,
    )
    return outcome('failed')
  }
  if (result === -1 && warnings === 0) {
    const found = run.mayRead ? await lookUp(keys, client) : 'unknown'
    if (found !== 'failed') {
      core.info(
        found === 'found'
          ? `Cache not saved: an entry with key ${key} already exists.`
          : found === 'missing'
            ? `Cache not saved: another job is saving an entry with key ${key}.`
            : `Cache not saved: an entry with key ${key} already exists or another job is saving it.`,
      )
      return outcome('exists')
    }
  }
  const detail = result instanceof Error ? ` (${result.message})` : ''
  core.warning(
    `Cache not saved for key: ${key}${detail}. The venv itself is ready; the next run builds it again.`,
  )
  return outcome('failed')
}

/**
 * Whether an entry is stored under exactly `keys.key`. The library's own lines for a lookup ("Cache hit
 * for", "Lookup only") are left out of the log: after a refused save they read as if the venv had been
 * restored, and the caller prints the one line that says what happened.
 */
async function lookUp(
  keys: Pick<VenvKeys, 'venvDir' | 'key'>,
  client: CacheClient,
): Promise<'found' | 'missing' | 'failed'> {
  const { result, warnings } = await callLibrary(keys.venvDir, true, (paths) =>
    client.restoreCache(paths, keys.key, [], { lookupOnly: true }),
  )
  if (result instanceof Error || warnings > 0) return 'failed'
  return result === keys.key ? 'found' : 'missing'
}

/**
 * Runs one library call on the venv directory, counting the `::warning::` and `::error::` commands it
 * writes (the library's only sign of a service fault; it reports HTTP 5xx answers as errors), noting the
 * archive's size from its lines ("Cache Size: ~N MB (B B)" on a restore, the debug line "File Size: B" on
 * a save: the library tells it no other way), dropping its plain lines when `quiet`, and turning a thrown
 * error into a value.
 */
async function callLibrary<T>(
  venvDir: string,
  quiet: boolean,
  fn: (paths: string[]) => Promise<T>,
  watch: (line: string) => void = () => undefined,
): Promise<{ result: T | Error; warnings: number; archiveBytes: number | undefined }> {
  const write = process.stdout.write.bind(process.stdout) as (
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ) => boolean
  let warnings = 0
  let archiveBytes: number | undefined
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk)
    watch(text)
    const annotation = /^::(warning|error)/.test(text)
    if (annotation) warnings++
    const size = /^(?:Cache Size: ~\d+ MB \((\d+) B\)|::debug::File Size: (\d+))/m.exec(text)
    if (size !== null) archiveBytes = Number(size[1] ?? size[2])
    return quiet && !annotation ? true : write(chunk, ...rest)
  }
  try {
    return { result: await withLibraryPaths(venvDir, fn), warnings, archiveBytes }
  } catch (error) {
    return { result: error instanceof Error ? error : new Error(String(error)), warnings, archiveBytes }
  } finally {
    process.stdout.write = write
  }
}

/**
 * The library builds its tar command as one string and splits it again on spaces, with the workspace
 * (GITHUB_WORKSPACE, tar's -C) and the temporary directory (RUNNER_TEMP, the archive's place) unquoted: a
 * space or a double quote in either breaks every save and restore. Such a venv is handed to the library
 * through a link with a plain name in the system's temporary directory that points to the venv's parent,
 * which then stands in as the workspace (the archive holds paths relative to it), and RUNNER_TEMP is
 * moved there too. The link's name is a hash of the parent's path, so the library's cache version, which
 * covers the paths it is given, is the same on every run. Other venvs are given as they are.
 */
async function withLibraryPaths<T>(venvDir: string, fn: (paths: string[]) => Promise<T>): Promise<T> {
  const workspace = process.env['GITHUB_WORKSPACE'] ?? process.cwd()
  const runnerTemp = process.env['RUNNER_TEMP'] ?? ''
  if (plainForLibrary(workspace) && plainForLibrary(runnerTemp) && plainForLibrary(venvDir)) {
    return fn([venvDir])
  }
  const tmp = os.tmpdir()
  if (!plainForLibrary(tmp)) {
    throw new Error(
      `the venv's path (${venvDir}) or the runner's directories hold a space or a quote, which the cache ` +
        `library cannot pass to tar, and so does the system's temporary directory (${tmp})`,
    )
  }
  const parent = path.dirname(venvDir)
  const link = path.join(tmp, `setup-venv-${createHash('sha256').update(parent).digest('hex').slice(0, 16)}`)
  linkTo(link, parent)
  const temp = path.join(tmp, 'setup-venv-temp')
  fs.mkdirSync(temp, { recursive: true })
  const env = process.env
  const saved = { workspace: env['GITHUB_WORKSPACE'], temp: env['RUNNER_TEMP'] }
  env['GITHUB_WORKSPACE'] = link
  env['RUNNER_TEMP'] = temp
  try {
    return await fn([path.join(link, path.basename(venvDir))])
  } finally {
    if (saved.workspace === undefined) delete env['GITHUB_WORKSPACE']
    else env['GITHUB_WORKSPACE'] = saved.workspace
    if (saved.temp === undefined) delete env['RUNNER_TEMP']
    else env['RUNNER_TEMP'] = saved.temp
  }
}

/** Whether the library's command line carries `p` intact: no whitespace, no double quote. */
function plainForLibrary(p: string): boolean {
  return !/[\s"]/.test(p)
}

/** A link at `link` to the directory `target` (a junction on Windows, which needs no privilege). */
function linkTo(link: string, target: string): void {
  try {
    if (fs.realpathSync(link) === fs.realpathSync(target)) return
    fs.rmSync(link, { force: true, recursive: false })
  } catch {
    // No link yet (or a dangling one, removed below).
    fs.rmSync(link, { force: true })
  }
  fs.symlinkSync(target, link, process.platform === 'win32' ? 'junction' : 'dir')
}
