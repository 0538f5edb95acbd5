// The cache key: pure, from facts gathered earlier. Readable parts first (what a person looks for in the
// cache list), then a digest of the environment the venv was built in, the cache suffix, and last a digest
// of the dependency inputs. Everything up to that last digest is the key's prefix: an older entry under the
// same prefix was built by the same interpreter at the same path with the same pip and pip settings, so it
// is a valid starting point for a sync when only the dependencies changed. User strings enter only through
// the digests (or, for a plain suffix, as themselves), so no key can hold a comma or exceed the service's
// 512-character limit.
import { createHash } from 'node:crypto'
import { stripCredentials } from './pipconfig.js'

/** Bump when the venv layout, the stamp or the key's shape changes, so old entries are never restored. */
export const KEY_FORMAT = 2

export interface KeyParts {
  readonly os: string
  readonly image: string
  readonly arch: string
  readonly implementation: string
  readonly pythonVersion: string
  /** sys.version: compiler and build date */
  readonly pythonBuild: string
  /** canonical absolute path of the base interpreter */
  readonly pythonPath: string
  readonly libc: string
  /** canonical absolute path of the venv: venvs are not relocatable */
  readonly venvPath: string
  /** the pip the venv gets: ensurepip's bundled version, or the `pip-version` input */
  readonly pipVersion: string
  readonly pipArgs: readonly string[]
  /** pip's settings from its config files and environment that change the outcome, credentials stripped */
  readonly pipSettings: readonly string[]
  readonly suffix: string
  /** Canonical text of every dependency input (see sources.ts): what a sync may bring up to date. */
  readonly dependencies: string
}

export interface CacheKeys {
  readonly key: string
  /** The key up to its dependency digest: entries under it may be synced. Ends with '-'. */
  readonly keyPrefix: string
}

export function cacheKeys(parts: KeyParts): CacheKeys {
  const environment = sha256(
    JSON.stringify({
      pythonBuild: parts.pythonBuild,
      pythonPath: parts.pythonPath,
      libc: parts.libc,
      venvPath: parts.venvPath,
      pipVersion: parts.pipVersion,
      // pip-args' order can matter (a later option wins).
      pipArgs: parts.pipArgs.map(stripCredentials),
      pipSettings: parts.pipSettings,
      // Also here, not only readable below: a prefix for suffix 'a' must not be a prefix of suffix 'a-b''s keys.
      suffix: parts.suffix,
    }),
  ).slice(0, 16)
  const readable = [
    'setup-venv',
    `v${KEY_FORMAT}`,
    parts.os,
    parts.image,
    parts.arch,
    `${parts.implementation}${parts.pythonVersion}`,
    environment,
  ]
  if (parts.suffix !== '') readable.push(suffixPart(parts.suffix))
  const keyPrefix = `${readable.map(safe).join('-')}-`
  return { keyPrefix, key: `${keyPrefix}${sha256(parts.dependencies).slice(0, 32)}` }
}

function suffixPart(suffix: string): string {
  return /^[A-Za-z0-9._-]{1,64}$/.test(suffix) ? suffix : `h${sha256(suffix).slice(0, 16)}`
}

/** Characters a key part may keep; anything else (a comma above all) becomes `_`. */
function safe(part: string): string {
  return part.replace(/[^A-Za-z0-9._-]/g, '_')
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
