// Reads requirement files: follows the files they include (-r/-c), hashes all of them by content (so the
// key changes when any of them does and not when the `requirements` input is merely reordered), and notes
// the lines that name something on this machine: local projects and archives (localref.ts) and local
// --find-links locations, whose content the file's text does not cover.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import * as glob from '@actions/glob'
import { UsageError } from './errors.js'
import { isUrl, localRequirement, type LocalRequirement } from './localref.js'
import { credentialsIn } from './pipconfig.js'
import { splitWords } from './words.js'

export interface RequirementFile {
  /** Relative to the base directory, with `/`. */
  readonly path: string
  readonly full: string
  readonly sha256: string
}

/** A line of a requirement file that names a local path. */
export interface LocalLine {
  readonly file: string
  readonly line: number
  readonly text: string
  readonly ref: LocalRequirement
}

/** A --find-links line: an absolute path, or a URL as written. */
export interface FindLinksLine {
  readonly file: string
  readonly line: number
  readonly location: string
}

export interface RequirementFiles {
  /**
   * The files named, absolute and sorted: the input's, and the dynamic-dependency files projects name.
   * pip gets each as `-r`, or its copy where local lines stay out (reqcopy.ts).
   */
  readonly roots: readonly string[]
  /** Every file read, roots and includes, with its content hash, sorted by path. */
  readonly files: readonly RequirementFile[]
  /** One hash over all of `files`. */
  readonly hash: string
  readonly local: readonly LocalLine[]
  readonly findLinks: readonly FindLinksLine[]
}

const INCLUDE = /^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc]))(\S.*)$/
const FIND_LINKS = /^(?:-f|--find-links)(?:\s*=\s*|\s+|(?<=^-f))(\S.*)$/

/** pip's lock files (PEP 751): given to pip whole, never read as requirement lines. */
export function isPylock(file: string): boolean {
  return /^pylock\.([^.]+\.)?toml$/.test(path.basename(file))
}

/** The files `patterns` (paths or globs, relative to baseDir) name, each with what named it. */
export async function expandPatterns(
  patterns: readonly string[],
  baseDir: string,
): Promise<Map<string, string>> {
  const found = new Map<string, string>()
  for (const pattern of patterns) {
    const absolute = path.resolve(baseDir, pattern)
    let matches: string[]
    if (/[*?[\]{}]/.test(pattern)) {
      const globber = await glob.create(absolute, { matchDirectories: false, implicitDescendants: false })
      matches = await globber.glob()
    } else {
      matches = fs.existsSync(absolute) && fs.statSync(absolute).isFile() ? [absolute] : []
    }
    if (matches.length === 0) {
      throw new UsageError(
        `Input 'requirements': '${pattern}' matches no file (looked for ${absolute}). ` +
          `Fix the path, or leave the input empty to use requirements.txt, pylock.toml or pyproject.toml when there is one.`,
      )
    }
    for (const m of matches) if (!found.has(m)) found.set(m, `Input 'requirements': '${pattern}'`)
  }
  return found
}

/**
 * Reads the root files (each with the words that say what asked for it) and everything they include.
 * `workspace`: files must lie inside it (the repository's files); undefined for files pip's own settings
 * name, which may be anywhere on the runner.
 */
export function readRequirementFiles(
  named: ReadonlyMap<string, string>,
  baseDir: string,
  workspace: string | undefined,
): RequirementFiles {
  const roots = [...named.keys()].sort()
  const seen = new Map<string, string>()
  const local: LocalLine[] = []
  const findLinks: FindLinksLine[] = []
  // Each file with what asked for it, so that an error names the input or the line to fix.
  const queue = roots.map((file) => ({ file, origin: named.get(file) ?? '' }))
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { file, origin } = next
    if (seen.has(file)) continue
    if (workspace !== undefined) checkInside(file, origin, workspace)
    const content = fs.readFileSync(file)
    const text = content.toString('utf8')
    // An index URL in the file may carry credentials: masked before pip, which echoes lines it cannot parse.
    for (const secret of credentialsIn(text)) core.setSecret(secret)
    seen.set(file, createHash('sha256').update(content).digest('hex'))
    if (isPylock(file)) continue
    for (const { text: lineText, line } of logicalLines(text)) {
      const include = includeTarget(lineText)
      if (include !== undefined) {
        const origin = `${file}:${line} includes '${include}'`
        if (!isUrl(include)) queue.push({ file: includedFile(file, line, include), origin })
        continue
      }
      const links = findLinksValue(lineText)
      if (links !== undefined) {
        findLinks.push({ file, line, location: findLinksLocation(file, links, baseDir) })
        continue
      }
      if (lineText.startsWith('-') && !/^(?:-e|--editable)\b/.test(lineText)) continue
      const ref = localRequirement(lineText, baseDir)
      if (ref !== undefined) local.push({ file, line, text: lineText, ref })
    }
  }
  const files = [...seen]
    .map(([full, sha256]) => ({ path: relativePath(baseDir, full), full, sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const hash = createHash('sha256')
  for (const f of files) hash.update(`${f.path}\0${f.sha256}\n`)
  return { roots, files, hash: hash.digest('hex'), local, findLinks }
}

/** The file a `-r`/`-c` line names, unquoted as pip's shlex reads it; undefined for other lines. */
export function includeTarget(lineText: string): string | undefined {
  return optionValue(INCLUDE.exec(lineText)?.[1])
}

/** The location a `-f`/`--find-links` line names, unquoted; undefined for other lines. */
export function findLinksValue(lineText: string): string | undefined {
  return optionValue(FIND_LINKS.exec(lineText)?.[1])
}

/** pip splits an option line with shlex: `-r "sub dir/base.txt"` names `sub dir/base.txt`. */
function optionValue(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined
  try {
    return splitWords(raw.trim(), 'requirements')[0] ?? raw.trim()
  } catch {
    return raw.trim() // an unclosed quote: pip refuses the line itself, with its own message
  }
}

/** `-r`/`-c` targets are relative to the including file's directory, as pip reads them. */
export function includedFile(file: string, line: number, target: string): string {
  const resolved = path.resolve(path.dirname(file), target)
  if (!fs.existsSync(resolved)) {
    throw new UsageError(
      `${file}:${line} includes '${target}', which does not exist (${resolved}). Fix that line.`,
    )
  }
  return resolved
}

/**
 * Where a --find-links value points: pip takes a relative path against the requirement file's directory
 * when it exists there, else against its working directory; URLs stay as written (file: URLs become paths).
 */
export function findLinksLocation(file: string, value: string, baseDir: string): string {
  if (/^file:/i.test(value)) return localRequirement(`x @ ${value}`, baseDir)?.path ?? value
  if (isUrl(value)) return value
  const nextToFile = path.resolve(path.dirname(file), value)
  return fs.existsSync(nextToFile) ? nextToFile : path.resolve(baseDir, value)
}

function relativePath(baseDir: string, file: string): string {
  return path.relative(baseDir, file).split(path.sep).join('/')
}

/** PEP 503 normalized project name, so `Foo_Bar` in one place matches `foo-bar` in another. */
export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/** The project name a requirement line asks for, or undefined for options, paths and URLs. */
export function requirementName(spec: string): string | undefined {
  const match = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:[[<>=!~;@ ]|$)/.exec(spec.trim())
  return match?.[1] === undefined ? undefined : normalizeName(match[1])
}

/** `file:line` of every line in the requirement files that asks for the project `name`. */
export function linesAsking(files: Pick<RequirementFiles, 'files'>, name: string): string[] {
  const wanted = normalizeName(name)
  return files.files
    .filter((f) => !isPylock(f.full))
    .flatMap((f) =>
      logicalLines(fs.readFileSync(f.full, 'utf8'))
        .filter(({ text }) => requirementName(text) === wanted)
        .map(({ line }) => `${f.path}:${line}`),
    )
}

/** A logical line of a requirement file: its text and its first and last physical lines (1-based). */
export interface LogicalLine {
  readonly text: string
  readonly line: number
  readonly end: number
}

/**
 * pip's reading of a requirement file: `\` joins lines, `#` at the start or after whitespace starts a
 * comment, and a line with a comment is never joined to the next, even when it ends with `\`.
 */
export function logicalLines(content: string): LogicalLine[] {
  const out: LogicalLine[] = []
  let pending = ''
  let start = 0
  content.split(/\r?\n/).forEach((raw, index) => {
    if (pending === '') start = index + 1
    if (raw.endsWith('\\') && !/(^|\s)#/.test(raw)) {
      pending += raw.slice(0, -1)
      return
    }
    const text = (pending + raw).replace(/(^|\s)#.*$/, '').trim()
    pending = ''
    if (text !== '') out.push({ text, line: start, end: index + 1 })
  })
  return out
}

// A requirement file outside the workspace (by `..`, an absolute path or a symlink) is refused: the key
// would hash a file that the repository does not control. `origin` names what asked for the file.
export function checkInside(file: string, origin: string, workspace: string): void {
  const real = fs.realpathSync(file)
  const root = fs.realpathSync(workspace)
  const rel = path.relative(root, real)
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) {
    const link = real === file ? '' : ` (a link to ${real})`
    throw new UsageError(
      `${origin}: '${file}'${link} is outside the workspace (${root}). Move it into the repository.`,
    )
  }
}
