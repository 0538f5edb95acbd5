// The `python` input as a version (`3`, `3.12`, `3.12.7`) rather than a command or a path, and how
// interpreter versions are compared with it. Pure.

/** A requested version: one to three numbers, e.g. [3, 12]. */
export type VersionRequest = readonly number[]

/** A final release's version, e.g. [3, 12, 7]. */
export type Version = readonly [number, number, number]

/**
 * The version the input asks for, or undefined when the input is a command or a path. Only digits and dots
 * count, so nothing that names a file or command (`python3.12`, `./py`, `3.x`) is mistaken for a version.
 */
export function parseVersionRequest(input: string): VersionRequest | undefined {
  if (!/^\d+(\.\d+){0,2}$/.test(input)) return undefined
  return input.split('.').map(Number)
}

/**
 * A final release's version from text such as a tool cache directory name (`3.12.7`) or
 * platform.python_version(). Pre-releases (`3.14.0-rc.1`, `3.14.0rc1`) and anything else give undefined:
 * asking for `3.14` should never hand out a release candidate by surprise.
 */
export function parseFinalVersion(text: string): Version | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(text.trim())
  if (match === null) return undefined
  return [Number(match[1]), Number(match[2]), Number(match[3])]
}

/** Whether `version` is one the request names: `3.12` matches every 3.12.x, `3.12.7` only itself. */
export function versionMatches(request: VersionRequest, version: Version): boolean {
  return request.every((part, i) => version[i] === part)
}

/** Numeric order, lowest first: 3.9.0 < 3.10.0; a missing part counts as 0 (26.1 = 26.1.0 < 26.1.1). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d
  }
  return 0
}

export function formatVersion(version: readonly number[]): string {
  return version.join('.')
}

/**
 * A hint for a request YAML has probably mangled: an unquoted `3.10` is the number 3.1. Given when nothing
 * matched and an interpreter of the version with the zero put back was found.
 */
export function yamlFloatHint(request: VersionRequest, found: readonly Version[]): string | undefined {
  const [major, minor] = request
  if (request.length !== 2 || major === undefined || minor === undefined) return undefined
  const widened = minor * 10
  if (!found.some((v) => v[0] === major && v[1] >= widened && v[1] < widened + 10)) return undefined
  return `YAML reads an unquoted ${String(major)}.${String(widened)} as the number ${String(major)}.${String(minor)}: write the version in quotes, e.g. python: '${String(major)}.${String(widened)}'.`
}
