// Which cache operations this run may perform. Pure: decided from the inputs and the runner's variables,
// and explained in one log line whenever something is held back.

export interface CachePolicy {
  readonly restore: boolean
  readonly save: boolean
  /** One line for the log when an operation is held back; undefined when both are allowed. */
  readonly reason: string | undefined
}

/**
 * Events whose jobs hold privileged tokens or publish artifacts: a venv restored there is code that
 * another, less trusted run may have saved (cache poisoning), and a venv saved there would be trusted by
 * every later run. Tag pushes count as releases.
 */
export function privilegedEvent(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const event = env['GITHUB_EVENT_NAME'] ?? ''
  if (['release', 'pull_request_target', 'workflow_run'].includes(event)) return `the '${event}' event`
  const ref = env['GITHUB_REF'] ?? ''
  if (event === 'push' && ref.startsWith('refs/tags/')) return `a tag push (${ref})`
  return undefined
}

/** The inputs that switch cache operations on and off. */
export interface CacheSwitches {
  readonly cache: boolean
  readonly cachePrivilegedEvents: boolean
  readonly restoreCache: boolean
  readonly saveCache: boolean
}

export function cachePolicy(
  switches: CacheSwitches,
  env: Readonly<Record<string, string | undefined>>,
): CachePolicy {
  if (!switches.cache) return { restore: false, save: false, reason: "Cache disabled by the 'cache' input." }
  if (!switches.restoreCache && !switches.saveCache) {
    return {
      restore: false,
      save: false,
      reason: "Cache disabled by the inputs 'restore-cache: false' and 'save-cache: false'.",
    }
  }
  const privileged = privilegedEvent(env)
  if (privileged !== undefined && !switches.cachePrivilegedEvents) {
    return {
      restore: false,
      save: false,
      reason: `Cache not used on ${privileged}: a cached venv is code that later steps run. Set 'cache-privileged-events: true' to use it anyway.`,
    }
  }
  const mode = cacheMode(env)
  const restore = mode.restore && switches.restoreCache
  const save = mode.save && switches.saveCache
  const reasons = [
    mode.reason,
    switches.restoreCache ? undefined : "Nothing is restored ('restore-cache: false'): the venv is built.",
    switches.saveCache ? undefined : "Nothing is saved ('save-cache: false').",
  ].filter((r) => r !== undefined)
  return { restore, save, reason: reasons.length > 0 ? reasons.join(' ') : undefined }
}

/** The runner's ACTIONS_CACHE_MODE, as @actions/cache reads it: unknown values allow everything. */
function cacheMode(env: Readonly<Record<string, string | undefined>>): CachePolicy {
  const mode = (env['ACTIONS_CACHE_MODE'] ?? '').trim().toLowerCase()
  switch (mode) {
    case 'read':
      return {
        restore: true,
        save: false,
        reason: "Cache mode 'read' (ACTIONS_CACHE_MODE): restore only, nothing is saved.",
      }
    case 'write-only':
      return {
        restore: false,
        save: true,
        reason:
          "Cache mode 'write-only' (ACTIONS_CACHE_MODE): nothing is restored, the venv is built and saved.",
      }
    case 'none':
      return {
        restore: false,
        save: false,
        reason: "Cache mode 'none' (ACTIONS_CACHE_MODE): the cache is not used.",
      }
    default:
      return { restore: true, save: true, reason: undefined }
  }
}
