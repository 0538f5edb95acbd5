// The cache key: pure, from facts gathered earlier. Readable parts first (what a person looks for in the
// cache list), then one digest of everything else that changes the venv's contents. User strings enter only
// through the digest (or, for a plain suffix, as themselves), so no key can hold a comma or exceed the
// service's 512-character limit.
import { createHash } from 'node:crypto'
import { stripCredentials } from './pipconfig.js'

/** Bump when the venv layout or stamp format changes, so old entries are never restored. */
export const KEY_FORMAT = 1

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
  readonly pipVersion: string
  readonly requirementsHash: string
  readonly packages: readonly string[]
  readonly pipArgs: readonly string[]
  readonly indexSettings: readonly string[]
  readonly suffix: string
}

export function cacheKey(parts: KeyParts): string {
  const digest = sha256(
    JSON.stringify({
      pythonBuild: parts.pythonBuild,
      pythonPath: parts.pythonPath,
      libc: parts.libc,
      venvPath: parts.venvPath,
      pipVersion: parts.pipVersion,
      requirements: parts.requirementsHash,
      // pip resolves all packages together, so their order does not matter; pip-args' order can.
      packages: [...parts.packages].sort(),
      pipArgs: parts.pipArgs.map(stripCredentials),
      index: parts.indexSettings,
    }),
  ).slice(0, 32)
  const readable = [
    'setup-venv',
    `v${KEY_FORMAT}`,
    parts.os,
    parts.image,
    parts.arch,
    `${parts.implementation}${parts.pythonVersion}`,
    digest,
  ]
  if (parts.suffix !== '') readable.push(suffixPart(parts.suffix))
  return readable.map(safe).join('-')
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
