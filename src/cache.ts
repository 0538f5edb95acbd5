// The boundary with the cache service. Everything that can go wrong on the other side of it becomes a
// warning here: the caller only learns what happened, never an exception.
import * as cache from '@actions/cache'
import * as core from '@actions/core'
import type { Plan } from './plan.js'

/**
 * A download that receives nothing for this long is abandoned and the venv is built instead. It bounds
 * the Azure storage path (github.com), whose default is 10 minutes; other storage (GitHub Enterprise
 * Server, the local service) has a fixed 5 s idle-socket limit in the library.
 */
export const STALL_TIMEOUT_MS = 60_000

/** Why the cache cannot be used on this runner, or undefined when it can. */
export function cacheUnavailable(): string | undefined {
  if (!cache.isFeatureAvailable()) {
    return 'no cache service is configured for this runner (ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL are unset)'
  }
  return undefined
}

export type RestoreOutcome = 'hit' | 'miss' | 'failed'

/**
 * Restores the entry saved under exactly plan.key into plan.venvDir. The service also prefix-matches the
 * primary key, so the key it answers with is compared: anything else is a miss. The library reports
 * service faults only as warnings and an undefined result; those warnings tell a failure from a miss.
 */
export async function restoreVenv(plan: Plan): Promise<RestoreOutcome> {
  const { result, warnings } = await collectWarnings(() =>
    cache.restoreCache([plan.venvDir], plan.key, [], { segmentTimeoutInMs: STALL_TIMEOUT_MS }),
  )
  if (result instanceof Error) {
    core.warning(`Cache restore failed, the venv is built instead: ${result.message}`)
    return 'failed'
  }
  if (result === plan.key) {
    core.info(`Cache restored from key: ${plan.key}`)
    return 'hit'
  }
  if (result === undefined && warnings > 0) {
    core.warning(`Cache restore failed (see the warning above): the venv is built instead.`)
    return 'failed'
  }
  core.info(`No cache found for key: ${plan.key}`)
  return 'miss'
}

export type SaveOutcome = 'saved' | 'exists' | 'failed'

/** What the caller knows of this run's cache: whether it may read it, and whether its restore failed. */
export interface SaveContext {
  readonly mayRead: boolean
  readonly restoreFailed: boolean
}

/**
 * Saves plan.venvDir under plan.key. The library tells a fault only by a warning or error annotation, and
 * answers -1 without one both when the key is taken and (over twirp) when the service cannot be reached
 * at all, so a silent -1 is told apart by looking the key up, unless this run's restore already met a
 * fault (the lookup would only meet it again, after the library's retries). An id with no fault reported
 * is a save.
 */
export async function saveVenv(plan: Plan, run: SaveContext): Promise<SaveOutcome> {
  const { result, warnings } = await collectWarnings(() => cache.saveCache([plan.venvDir], plan.key))
  if (typeof result === 'number' && result !== -1 && warnings === 0) {
    core.info(`Cache saved with key: ${plan.key}`)
    return 'saved'
  }
  if (result === -1 && warnings === 0 && run.restoreFailed) {
    core.warning(
      `Cache not saved for key: ${plan.key}: the service refused the entry and, as it failed this run's ` +
        `restore too, it is not asked why. The venv itself is ready.`,
    )
    return 'failed'
  }
  if (result === -1 && warnings === 0) {
    const found = run.mayRead ? await lookUp(plan) : 'unknown'
    if (found !== 'failed') {
      core.info(
        found === 'found'
          ? `Cache not saved: an entry with key ${plan.key} already exists.`
          : found === 'missing'
            ? `Cache not saved: another job is saving an entry with key ${plan.key}.`
            : `Cache not saved: an entry with key ${plan.key} already exists or another job is saving it.`,
      )
      return 'exists'
    }
  }
  const detail = result instanceof Error ? ` (${result.message})` : ''
  core.warning(
    `Cache not saved for key: ${plan.key}${detail}. The venv itself is ready; the next run builds it again.`,
  )
  return 'failed'
}

/** Whether an entry is stored under exactly plan.key. */
async function lookUp(plan: Plan): Promise<'found' | 'missing' | 'failed'> {
  const { result, warnings } = await collectWarnings(() =>
    cache.restoreCache([plan.venvDir], plan.key, [], { lookupOnly: true }),
  )
  if (result instanceof Error || warnings > 0) return 'failed'
  return result === plan.key ? 'found' : 'missing'
}

/**
 * Runs `fn`, counting the `::warning::` and `::error::` commands it writes (the library's only sign of a
 * service fault; it reports HTTP 5xx answers as errors) and turning a thrown error into a value.
 */
async function collectWarnings<T>(fn: () => Promise<T>): Promise<{ result: T | Error; warnings: number }> {
  const write = process.stdout.write.bind(process.stdout) as (
    chunk: string | Uint8Array,
    ...rest: unknown[]
  ) => boolean
  let warnings = 0
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (/^::(warning|error)/.test(String(chunk))) warnings++
    return write(chunk, ...rest)
  }
  try {
    return { result: await fn(), warnings }
  } catch (error) {
    return { result: error instanceof Error ? error : new Error(String(error)), warnings }
  } finally {
    process.stdout.write = write
  }
}
