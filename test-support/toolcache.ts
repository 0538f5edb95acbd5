// A runner tool cache laid out as actions/setup-python (actions/python-versions' installers) leaves it on
// Linux: <tool cache>/Python/<full version>/<arch>/bin/python3, and <arch>.complete beside the arch
// directory once the install finished. The interpreters are links to real ones, so they run.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { pyenvPython } from './pythons.js'

export interface ToolCacheEntry {
  /** Directory name: the full version, e.g. 3.12.1 (or a pre-release name such as 3.14.0-rc.1). */
  readonly version: string
  /** The interpreter bin/python3 links to. */
  readonly python: string
  /** Default x64. */
  readonly arch?: string
  /** Write <arch>.complete; default true. */
  readonly complete?: boolean
}

/**
 * Creates the entries under `toolCache` (which may already hold others) and returns their bin/python3.
 * bin/ holds what the installers leave there: python3.X (here a link to the real interpreter), and
 * python3 and python linking to it.
 */
export function layOutToolCache(toolCache: string, entries: readonly ToolCacheEntry[]): string[] {
  return entries.map(({ version, python, arch = 'x64', complete = true }) => {
    const versionDir = path.join(toolCache, 'Python', version)
    const bin = path.join(versionDir, arch, 'bin')
    fs.mkdirSync(bin, { recursive: true })
    const minor = /^\d+\.\d+/.exec(version)?.[0] ?? version
    fs.symlinkSync(python, path.join(bin, `python${minor}`))
    fs.symlinkSync(`python${minor}`, path.join(bin, 'python3'))
    fs.symlinkSync(`python${minor}`, path.join(bin, 'python'))
    if (complete) fs.writeFileSync(path.join(versionDir, `${arch}.complete`), '')
    return path.join(bin, 'python3')
  })
}

/**
 * This process's PATH without pyenv's directories: a runner has no pyenv, and pyenv's shims answer for
 * every `python3.X` (slowly, and failing for all but the global version), which would blur what a version
 * lookup finds on PATH.
 */
export function pathWithoutPyenv(): string {
  return (process.env['PATH'] ?? '')
    .split(path.delimiter)
    .filter((dir) => dir !== '' && !dir.split(path.sep).includes('.pyenv'))
    .join(path.delimiter)
}

/** The full version of this machine's interpreter for `minor` (pyenv's directory name), e.g. 3.12 -> 3.12.1. */
export function pyenvVersion(minor: string): string {
  return path.basename(path.dirname(path.dirname(pyenvPython(minor))))
}
