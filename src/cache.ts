// The boundary with the cache service. Everything that can go wrong on the other side of it becomes a
// warning here: the caller only learns whether the venv was restored or saved.
import * as cache from '@actions/cache'
import * as core from '@actions/core'
import type { Plan } from './plan.js'

/** Why the cache cannot be used on this runner, or undefined when it can. */
export function cacheUnavailable(): string | undefined {
  if (!cache.isFeatureAvailable()) {
    return 'no cache service is configured for this runner (ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL are unset)'
  }
  return undefined
}

/**
 * Restores the entry saved under exactly plan.key into plan.venvDir. The service also prefix-matches the
 * primary key, so the key it answers with is compared: anything else is a miss (the caller then removes
 * whatever was extracted).
 */
export async function restoreVenv(plan: Plan): Promise<'hit' | 'miss' | 'failed'> {
  let restoredKey: string | undefined
  try {
    restoredKey = await cache.restoreCache([plan.venvDir], plan.key, [], { timeoutInMs: DOWNLOAD_TIMEOUT_MS })
  } catch (error) {
    core.warning(`Cache restore failed, the venv will be built instead: ${(error as Error).message}`)
    return 'failed'
  }
  if (restoredKey === plan.key) {
    core.info(`Cache restored from key: ${plan.key}`)
    return 'hit'
  }
  core.info(`No cache found for key: ${plan.key}`)
  return 'miss'
}

/** A stalled download gives up after this long without data, instead of the library's default. */
export const DOWNLOAD_TIMEOUT_MS = 30_000

export async function saveVenv(plan: Plan): Promise<boolean> {
  try {
    const id = await cache.saveCache([plan.venvDir], plan.key)
    if (id === -1) {
      core.warning(`Cache not saved for key: ${plan.key} (see the messages above; the venv itself is ready).`)
      return false
    }
  } catch (error) {
    core.warning(`Cache not saved for key: ${plan.key}: ${(error as Error).message}`)
    return false
  }
  core.info(`Cache saved with key: ${plan.key}`)
  return true
}
