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

export function cachePolicy(
  enabled: boolean,
  allowPrivileged: boolean,
  env: Readonly<Record<string, string | undefined>>,
): CachePolicy {
  if (!enabled) return { restore: false, save: false, reason: "Cache disabled by the 'cache' input." }
  const privileged = privilegedEvent(env)
  if (privileged !== undefined && !allowPrivileged) {
    return {
      restore: false,
      save: false,
      reason: `Cache not used on ${privileged}: a cached venv is code that later steps run. Set 'cache-privileged-events: true' to use it anyway.`,
    }
  }
  // The runner's ACTIONS_CACHE_MODE, as @actions/cache reads it: unknown values allow everything.
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
