// Finds the requirement files, follows the files they include (-r/-c) and hashes all of them by content,
// so the key changes when any of them does and not when the `requirements` input is merely reordered.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as core from '@actions/core'
import * as glob from '@actions/glob'
import { UsageError } from './errors.js'
import { credentialsIn } from './pipconfig.js'

export interface RequirementFiles {
  /** The files named by the input, absolute and sorted: what pip gets as `-r`. */
  readonly roots: readonly string[]
  /** Every file read, roots and includes, relative to the base directory, with its content hash. */
  readonly files: readonly { readonly path: string; readonly sha256: string }[]
  /** One hash over all of `files`. */
  readonly hash: string
}

const INCLUDE = /^(?:-r|-c|--requirement|--constraint)(?:\s*=\s*|\s+|(?<=^-[rc]))(\S.*)$/

export async function findRequirementFiles(
  patterns: readonly string[] | undefined,
  baseDir: string,
  workspace: string,
): Promise<RequirementFiles> {
  const named = patterns === undefined ? defaultRoots(baseDir) : await expandPatterns(patterns, baseDir)
  const roots = [...named.keys()].sort()
  const seen = new Map<string, string>()
  // Each file with what asked for it, so that an error names the input or the line to fix.
  const queue = roots.map((file) => ({ file, origin: named.get(file) ?? '' }))
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const { file, origin } = next
    if (seen.has(file)) continue
    checkInside(file, origin, workspace)
    const content = fs.readFileSync(file)
    // An index URL in the file may carry credentials: masked before pip, which echoes lines it cannot parse.
    for (const secret of credentialsIn(content.toString('utf8'))) core.setSecret(secret)
    seen.set(file, createHash('sha256').update(content).digest('hex'))
    queue.push(...includedFiles(file, content.toString('utf8')))
  }
  const files = [...seen]
    .map(([file, sha256]) => ({ path: path.relative(baseDir, file).split(path.sep).join('/'), sha256 }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const hash = createHash('sha256')
  for (const f of files) hash.update(`${f.path}\0${f.sha256}\n`)
  return { roots, files, hash: hash.digest('hex') }
}

/** Root files, each with the words that say where it came from (for errors). */
function defaultRoots(baseDir: string): Map<string, string> {
  const file = path.join(baseDir, 'requirements.txt')
  return new Map(fs.existsSync(file) ? [[file, "Input 'requirements' (empty, so requirements.txt)"]] : [])
}

async function expandPatterns(patterns: readonly string[], baseDir: string): Promise<Map<string, string>> {
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
          `Fix the path, or leave the input empty to use requirements.txt when it exists.`,
      )
    }
    for (const m of matches) if (!found.has(m)) found.set(m, `Input 'requirements': '${pattern}'`)
  }
  return found
}

/** Files a requirement file pulls in with -r/-c, resolved against its own directory. URLs are left to pip. */
function includedFiles(file: string, content: string): { file: string; origin: string }[] {
  const included: { file: string; origin: string }[] = []
  logicalLines(content).forEach(({ text, line }) => {
    const match = INCLUDE.exec(text)
    const target = match?.[1]?.trim()
    if (target === undefined || /^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return
    const resolved = path.resolve(path.dirname(file), target)
    if (!fs.existsSync(resolved)) {
      throw new UsageError(
        `${file}:${line} includes '${target}', which does not exist (${resolved}). Fix that line.`,
      )
    }
    included.push({ file: resolved, origin: `${file}:${line} includes '${target}'` })
  })
  return included
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
export function linesAsking(files: RequirementFiles, baseDir: string, name: string): string[] {
  const wanted = normalizeName(name)
  return files.files.flatMap((f) =>
    logicalLines(fs.readFileSync(path.join(baseDir, f.path), 'utf8'))
      .filter(({ text }) => requirementName(text) === wanted)
      .map(({ line }) => `${f.path}:${line}`),
  )
}

/** pip's reading of a requirement file: `\` joins lines, `#` after whitespace starts a comment. */
function logicalLines(content: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = []
  let pending = ''
  let start = 0
  content.split(/\r?\n/).forEach((raw, index) => {
    if (pending === '') start = index + 1
    if (raw.endsWith('\\')) {
      pending += raw.slice(0, -1)
      return
    }
    const text = (pending + raw).replace(/(^|\s)#.*$/, '').trim()
    pending = ''
    if (text !== '') out.push({ text, line: start })
  })
  return out
}

// A requirement file outside the workspace (by `..`, an absolute path or a symlink) is refused: the key
// would hash a file that the repository does not control. `origin` names what asked for the file.
function checkInside(file: string, origin: string, workspace: string): void {
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
