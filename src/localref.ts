// Which requirements name something on this machine rather than on an index: a project directory
// (`.`, `./libs/x[test]`, `-e .`, `name @ file:///...`) or an archive (`./dist/x-1.0-py3-none-any.whl`).
// A project's source changes without any requirement file changing, so it can never be part of a cached
// venv: its declared dependencies are, and the project itself is installed after every restore or build.
// An archive is a fixed file: its content enters the key and it is installed with the rest. Pure.
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/** A requirement that names a local path, as pip would read it. */
export interface LocalRequirement {
  /** The path as resolved against the directory pip runs in (or the file URL's path). */
  readonly path: string
  readonly editable: boolean
  /** Extras written after the path or name, e.g. `.[test]` -> ['test']. */
  readonly extras: readonly string[]
}

/** pip takes a bare name with an archive's extension (`x-1.0-py3-none-any.whl`) for a file, not a project name. */
const ARCHIVE = /\.(whl|zip|tar\.gz|tgz|tar\.bz2|tbz|tar\.xz|txz|tar)$/i

const URL = /^[a-z][a-z0-9+.-]*:\/\//i

/** Whether a location is a URL (pip fetches it) rather than a path. */
export function isUrl(location: string): boolean {
  return URL.test(location)
}

/** Version control and remote URLs: pip fetches those itself; they are not local. */
const isRemote = (text: string) => /^(?:git|hg|svn|bzr)\+/i.test(text) || isUrl(text)

/**
 * The local path a requirement names, or undefined for a named or remote requirement. `spec` is one
 * requirement as written in a requirement file or the `packages` input; `-e`/`--editable` may lead it.
 * Relative paths are resolved against `cwd`, the directory pip runs in, as pip resolves them.
 */
export function localRequirement(spec: string, cwd: string): LocalRequirement | undefined {
  let text = spec.trim()
  const editableMatch = /^(?:-e|--editable)(?:\s*=\s*|\s+|(?=[^\s=]))(.+)$/.exec(text)
  const editable = editableMatch?.[1] !== undefined
  if (editableMatch?.[1] !== undefined) text = editableMatch[1].trim()
  // `name[extras] @ url`: a direct reference (PEP 508); only a file: URL is local.
  const direct = /^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\])?\s*@\s*(\S+)/.exec(text)
  if (direct?.[2] !== undefined) {
    const file = fileUrlPath(direct[2], cwd)
    return file === undefined ? undefined : { path: file, editable, extras: extrasOf(direct[1]) }
  }
  if (/^file:/i.test(text)) {
    const { location, extras } = splitExtras(text.split(/[\s;#]/)[0] ?? text)
    const file = fileUrlPath(location, cwd)
    return file === undefined ? undefined : { path: file, editable, extras }
  }
  if (isRemote(text)) return undefined
  // The path with its extras (which may hold spaces: `./x[test, dev]`), up to a marker (`;`) or a space.
  const word = /^(?:[^\s;[]|\[[^\]]*\])+/.exec(text)?.[0] ?? text
  if (!looksLikePath(word) && !ARCHIVE.test(splitExtras(word).location)) return undefined
  const { location, extras } = splitExtras(word)
  return { path: path.resolve(cwd, location), editable, extras }
}

/**
 * pip's test for a path rather than a name: a path separator, or a leading dot. A name never has either
 * (`foo.bar` is a name: a dot inside, not leading).
 */
function looksLikePath(word: string): boolean {
  return word.startsWith('.') || word.includes('/') || word.includes('\\')
}

/** `./x[a,b]` -> ('./x', ['a', 'b']) */
function splitExtras(word: string): { location: string; extras: string[] } {
  const match = /^(.*?)(\[[^\]]*\])$/.exec(word)
  return match?.[1] === undefined
    ? { location: word, extras: [] }
    : { location: match[1], extras: extrasOf(match[2]) }
}

function extrasOf(bracketed: string | undefined): string[] {
  if (bracketed === undefined) return []
  return bracketed
    .slice(1, -1)
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
}

/**
 * The path of a `file:` URL (absolute `file:///x`, or relative `file:x` as pip allows, resolved against
 * `cwd`), else undefined; undefined too for a remote host (`file://server/x`) off Windows, which pip
 * cannot read either.
 */
export function fileUrlPath(url: string, cwd: string): string | undefined {
  if (!/^file:/i.test(url)) return undefined
  const bare = url.replace(/#.*$/, '')
  if (!/^file:\/\//i.test(bare)) return path.resolve(cwd, decodeURIComponent(bare.slice('file:'.length)))
  try {
    return fileURLToPath(bare)
  } catch {
    return undefined
  }
}
