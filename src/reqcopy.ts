// The requirement files as pip gets them when some lines must stay out of the cached venv: a local
// project (`-e .`, `./libs/x`) is installed after the venv is ready, never with it. A file holding such a
// line, or including a file that does, is given to pip as a copy without it; everything else in the copy
// means what it meant in the original: included files and --find-links paths, which pip resolves against
// the file's own directory, are written as absolute paths, and every line keeps its number, so pip's
// messages point to the same line. Files that need no change are given as they are. Pure: the caller
// writes the copies just before pip runs.
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  findLinksLocation,
  findLinksValue,
  includedFile,
  includeTarget,
  isPylock,
  logicalLines,
  type RequirementFiles,
} from './requirements.js'
import { isUrl } from './localref.js'

export interface FileCopy {
  readonly source: string
  readonly path: string
  readonly content: string
}

export interface PipFiles {
  /** What pip gets as `-r`, in the roots' order: an original, or its copy. */
  readonly roots: readonly string[]
  readonly copies: readonly FileCopy[]
}

/** `file:line` of a line left out of the copies. */
export function lineId(file: string, line: number): string {
  return `${file}:${line}`
}

/**
 * `dropped`: the lines (lineId) that stay out. `copyDir`: where the copies go (a directory of their own,
 * under the runner's temporary directory). `baseDir`: the directory pip runs in.
 */
export function pipRequirementFiles(
  files: RequirementFiles,
  dropped: ReadonlySet<string>,
  copyDir: string,
  baseDir: string,
): PipFiles {
  if (dropped.size === 0) return { roots: files.roots, copies: [] }
  const contents = new Map(files.files.map((f) => [f.full, fs.readFileSync(f.full, 'utf8')]))
  const includes = new Map(
    [...contents].map(([file, text]) => [
      file,
      isPylock(file)
        ? []
        : logicalLines(text).flatMap(({ text: t, line }) => {
            const target = includeTarget(t)
            return target === undefined || isUrl(target) ? [] : [includedFile(file, line, target)]
          }),
    ]),
  )
  // A file is copied when it drops a line or includes (at any depth) a file that is copied.
  const copied = new Set<string>()
  for (let changed = true; changed;) {
    changed = false
    for (const [file, included] of includes) {
      if (copied.has(file)) continue
      const own = [...dropped].some((id) => id.startsWith(`${file}:`))
      if (own || included.some((f) => copied.has(f))) {
        copied.add(file)
        changed = true
      }
    }
  }
  const copyPath = new Map(
    [...copied].sort().map((file, i) => [file, path.join(copyDir, `${i + 1}-${path.basename(file)}`)]),
  )
  const target = (file: string): string => copyPath.get(file) ?? file
  const copies = [...copyPath].map(([source, copy]) => ({
    source,
    path: copy,
    content: rewrite(source, contents.get(source) ?? '', dropped, target, baseDir),
  }))
  return { roots: files.roots.map(target), copies }
}

function rewrite(
  file: string,
  text: string,
  dropped: ReadonlySet<string>,
  target: (file: string) => string,
  baseDir: string,
): string {
  const physical = text.split(/\r?\n/)
  for (const { text: t, line, end } of logicalLines(text)) {
    let replacement: string | undefined
    if (dropped.has(lineId(file, line))) {
      replacement = `# setup-venv: installed after the venv is ready: ${t}`
    } else {
      const include = includeTarget(t)
      const links = findLinksValue(t)
      if (include !== undefined && !isUrl(include)) {
        const flag = /^(-c|--constraint)/.test(t) ? '-c' : '-r'
        replacement = `${flag} ${quoted(target(includedFile(file, line, include)))}`
      } else if (links !== undefined && !isUrl(links)) {
        replacement = `--find-links ${quoted(findLinksLocation(file, links, baseDir))}`
      }
    }
    if (replacement === undefined) continue
    // The logical line's first physical line gets the new text; its continuation lines become empty.
    physical[line - 1] = replacement
    for (let i = line; i < end; i++) physical[i] = ''
  }
  return physical.join('\n')
}

/** pip splits an option line with shlex: single quotes keep a path whole, whatever it holds. */
function quoted(value: string): string {
  return `'${value.replace(/'/g, `'"'"'`)}'`
}
