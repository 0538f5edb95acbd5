// The environment a runner step gets, per protocol. @actions/cache picks the protocol from the
// environment alone: v2 when ACTIONS_CACHE_SERVICE_V2 is non-empty and GITHUB_SERVER_URL is
// github.com / *.ghe.com / *.localhost (or unset), v1 otherwise.

/**
 * Variables a caller must delete (not just override) before using envV1(): the library only checks
 * ACTIONS_CACHE_SERVICE_V2 for being non-empty, and an env record cannot express "unset".
 */
export const UNSET_FOR_V1 = ['ACTIONS_CACHE_SERVICE_V2', 'ACTIONS_RESULTS_URL'] as const

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

/**
 * The library sends the token as an opaque bearer token and never decodes it for the cache (only
 * non-empty is required). It is still shaped like the runner's JWT, unsigned (alg none), in case
 * code under test peeks at its claims. Fixed, so a restarted server accepts env handed out earlier.
 */
export const RUNTIME_TOKEN = [
  base64url({ typ: 'JWT', alg: 'none' }),
  base64url({
    iss: 'setup-venv-cache-server',
    scp: 'Actions.Results:local-run:local-job',
    ac: JSON.stringify([{ Scope: 'refs/heads/main', Permission: 3 }]),
  }),
  '',
].join('.')

export function envV1(baseUrl: string): Record<string, string> {
  return {
    ACTIONS_CACHE_URL: baseUrl,
    ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN,
    // A GHES host, as on a real GHES runner: the library then uses v1 even if
    // ACTIONS_CACHE_SERVICE_V2 leaks in from the surrounding environment.
    GITHUB_SERVER_URL: 'https://ghes.invalid',
  }
}

export function envV2(baseUrl: string): Record<string, string> {
  return {
    ACTIONS_RESULTS_URL: baseUrl,
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RUNTIME_TOKEN: RUNTIME_TOKEN,
    GITHUB_SERVER_URL: 'https://github.com',
  }
}
