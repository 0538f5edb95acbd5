// Which cache operations a run may perform, and the one log line that says why when any is held back.
import { cachePolicy, privilegedEvent, type CacheSwitches } from '../../src/policy.js'

/** The cache inputs: `cache` and `cache-privileged-events` as given, restore and save switched on. */
function switches(
  cache: boolean,
  cachePrivilegedEvents: boolean,
  more: Partial<CacheSwitches> = {},
): CacheSwitches {
  return { cache, cachePrivilegedEvents, restoreCache: true, saveCache: true, ...more }
}

const ADVICE =
  "a cached venv is code that later steps run. Set 'cache-privileged-events: true' to use it anyway."

describe('privilegedEvent', () => {
  test.each([
    [{ GITHUB_EVENT_NAME: 'release' }, "the 'release' event"],
    [{ GITHUB_EVENT_NAME: 'pull_request_target' }, "the 'pull_request_target' event"],
    [{ GITHUB_EVENT_NAME: 'workflow_run' }, "the 'workflow_run' event"],
    [{ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1.2.0' }, 'a tag push (refs/tags/v1.2.0)'],
  ])('%j is privileged: %s', (env, what) => {
    expect(privilegedEvent(env)).toBe(what)
  })

  test.each([
    [{ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/heads/main' }],
    [{ GITHUB_EVENT_NAME: 'pull_request', GITHUB_REF: 'refs/pull/7/merge' }],
    [{ GITHUB_EVENT_NAME: 'schedule' }],
    [{ GITHUB_EVENT_NAME: 'workflow_dispatch', GITHUB_REF: 'refs/heads/main' }],
    [{}],
  ])('%j is not', (env) => {
    expect(privilegedEvent(env)).toBeUndefined()
  })
})

describe('cachePolicy', () => {
  test('everything allowed: no line', () => {
    expect(cachePolicy(switches(true, false), { GITHUB_EVENT_NAME: 'push' })).toEqual({
      restore: true,
      save: true,
      reason: undefined,
    })
  })

  test('cache: false wins over everything', () => {
    expect(
      cachePolicy(switches(false, true), { GITHUB_EVENT_NAME: 'release', ACTIONS_CACHE_MODE: 'write' }),
    ).toEqual({
      restore: false,
      save: false,
      reason: "Cache disabled by the 'cache' input.",
    })
  })

  test.each([
    [{ GITHUB_EVENT_NAME: 'release' }, "the 'release' event"],
    [{ GITHUB_EVENT_NAME: 'pull_request_target' }, "the 'pull_request_target' event"],
    [{ GITHUB_EVENT_NAME: 'workflow_run' }, "the 'workflow_run' event"],
    [{ GITHUB_EVENT_NAME: 'push', GITHUB_REF: 'refs/tags/v1' }, 'a tag push (refs/tags/v1)'],
  ])('%j: no cache, and one line saying why', (env, what) => {
    expect(cachePolicy(switches(true, false), env)).toEqual({
      restore: false,
      save: false,
      reason: `Cache not used on ${what}: ${ADVICE}`,
    })
  })

  test('cache-privileged-events: true overrides, and the cache mode still applies', () => {
    expect(cachePolicy(switches(true, true), { GITHUB_EVENT_NAME: 'release' })).toEqual({
      restore: true,
      save: true,
      reason: undefined,
    })
    expect(
      cachePolicy(switches(true, true), { GITHUB_EVENT_NAME: 'release', ACTIONS_CACHE_MODE: 'read' }).save,
    ).toBe(false)
  })

  test('a privileged event wins over the cache mode', () => {
    expect(
      cachePolicy(switches(true, false), { GITHUB_EVENT_NAME: 'workflow_run', ACTIONS_CACHE_MODE: 'write' })
        .reason,
    ).toBe(`Cache not used on the 'workflow_run' event: ${ADVICE}`)
  })

  test.each([
    ['read', true, false, "Cache mode 'read' (ACTIONS_CACHE_MODE): restore only, nothing is saved."],
    [' READ ', true, false, "Cache mode 'read' (ACTIONS_CACHE_MODE): restore only, nothing is saved."],
    [
      'write-only',
      false,
      true,
      "Cache mode 'write-only' (ACTIONS_CACHE_MODE): nothing is restored, the venv is built and saved.",
    ],
    ['none', false, false, "Cache mode 'none' (ACTIONS_CACHE_MODE): the cache is not used."],
  ])('ACTIONS_CACHE_MODE=%j: restore %s, save %s, one line', (mode, restore, save, reason) => {
    expect(cachePolicy(switches(true, false), { ACTIONS_CACHE_MODE: mode })).toEqual({
      restore,
      save,
      reason,
    })
  })

  // As @actions/cache reads it: 'write' is read and write, and an unknown or empty mode allows both.
  test.each(['write', '', 'readonly', 'bogus'])('ACTIONS_CACHE_MODE=%j allows both, no line', (mode) => {
    expect(cachePolicy(switches(true, false), { ACTIONS_CACHE_MODE: mode })).toEqual({
      restore: true,
      save: true,
      reason: undefined,
    })
  })

  test.each([
    [
      { restoreCache: false },
      false,
      true,
      "Nothing is restored ('restore-cache: false'): the venv is built.",
    ],
    [{ saveCache: false }, true, false, "Nothing is saved ('save-cache: false')."],
    [
      { restoreCache: false, saveCache: false },
      false,
      false,
      "Cache disabled by the inputs 'restore-cache: false' and 'save-cache: false'.",
    ],
  ])('%j: restore %s, save %s, one line', (more, restore, save, reason) => {
    expect(cachePolicy(switches(true, false, more), { GITHUB_EVENT_NAME: 'push' })).toEqual({
      restore,
      save,
      reason,
    })
  })

  test('save-cache: false and a read-only cache mode: both lines', () => {
    expect(cachePolicy(switches(true, false, { saveCache: false }), { ACTIONS_CACHE_MODE: 'read' })).toEqual({
      restore: true,
      save: false,
      reason:
        "Cache mode 'read' (ACTIONS_CACHE_MODE): restore only, nothing is saved. Nothing is saved ('save-cache: false').",
    })
  })
})
