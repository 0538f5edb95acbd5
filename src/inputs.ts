// The only module that reads the action's inputs. It returns one readonly, typed object and rejects bad
// values before the action changes anything, naming the input and the fix.
import * as core from '@actions/core'
import { UsageError } from './errors.js'
import { outsideVenvProblem } from './pipoptions.js'
import { splitWords } from './words.js'

export interface Inputs {
  /** Base interpreter: a path or a command; undefined means the OS default commands. */
  readonly python: string | undefined
  /** Venv location as given (relative to workingDirectory). */
  readonly path: string
  /** Requirement file paths or globs; undefined means "requirements.txt when it exists". */
  readonly requirements: readonly string[] | undefined
  readonly packages: readonly string[]
  readonly pipArgs: readonly string[]
  /** Base for relative paths; undefined means the workspace. */
  readonly workingDirectory: string | undefined
  readonly cache: boolean
  /** Use the cache on release, tag-push, pull_request_target and workflow_run events too. */
  readonly cachePrivilegedEvents: boolean
  readonly cacheSuffix: string
  /** [project.optional-dependencies] sets to install, from a pyproject.toml source. */
  readonly extras: readonly string[]
  /** PEP 735 dependency groups to install, from a pyproject.toml source. */
  readonly groups: readonly string[]
  readonly installProject: InstallProject
  /** `bundled` (what `python -m venv` gives) or an exact pip version installed into the venv. */
  readonly pipVersion: string
  /** On a miss, start from the nearest older entry and sync it, rather than build from nothing. */
  readonly incremental: boolean
  readonly restoreCache: boolean
  readonly saveCache: boolean
  readonly failOnCacheMiss: boolean
}

/** `auto`: editable when the dependencies come from a pyproject.toml with a [project] table. */
export type InstallProject = 'auto' | 'editable' | 'true' | 'false'
const INSTALL_PROJECT: readonly InstallProject[] = ['auto', 'editable', 'true', 'false']

export function readInputs(): Inputs {
  const path = core.getInput('path') || '.venv'
  checkPathText('path', path)
  const workingDirectory = core.getInput('working-directory') || undefined
  if (workingDirectory !== undefined) checkPathText('working-directory', workingDirectory)
  const requirementsText = core.getInput('requirements')
  return {
    python: core.getInput('python') || undefined,
    path,
    requirements: requirementsText === '' ? undefined : lines(requirementsText),
    packages: lines(core.getInput('packages')),
    pipArgs: checkPipArgs(splitWords(core.getInput('pip-args'), 'pip-args')),
    workingDirectory,
    cache: flag('cache', 'true'),
    cachePrivilegedEvents: flag('cache-privileged-events', 'false'),
    cacheSuffix: core.getInput('cache-suffix'),
    extras: names(core.getInput('extras')),
    groups: names(core.getInput('groups')),
    installProject: oneOf('install-project', core.getInput('install-project') || 'auto', INSTALL_PROJECT),
    pipVersion: pipVersion(core.getInput('pip-version') || 'bundled'),
    incremental: flag('incremental', 'true'),
    restoreCache: flag('restore-cache', 'true'),
    saveCache: flag('save-cache', 'true'),
    failOnCacheMiss: flag('fail-on-cache-miss', 'false'),
  }
}

/** Names one per line or comma-separated (`test, docs`), as extras and groups are written. */
function names(text: string): string[] {
  return lines(text)
    .flatMap((line) => line.split(','))
    .map((name) => name.trim())
    .filter((name) => name !== '')
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  const v = value.trim().toLowerCase()
  const found = allowed.find((a) => a === v)
  if (found === undefined) {
    throw new UsageError(
      `Input '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, not '${value}'.`,
    )
  }
  return found
}

/** An exact release (`26.2.1`) or `bundled`: a range would make the key promise what the index decides. */
function pipVersion(value: string): string {
  const v = value.trim()
  if (v.toLowerCase() === 'bundled') return 'bundled'
  if (/^\d+(\.\d+)*$/.test(v)) return v
  throw new UsageError(
    `Input 'pip-version' must be 'bundled' or an exact version such as 26.2.1, not '${value}'.`,
  )
}

/** One entry per non-empty line; `#` starts a comment line, as in requirement files. */
function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

/** A true/false input, `fallback` when it is empty. */
function flag(name: string, fallback: 'true' | 'false'): boolean {
  const value = core.getInput(name) || fallback
  const v = value.trim().toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw new UsageError(`Input '${name}' must be 'true' or 'false', not '${value}'.`)
}

// Paths end up in GITHUB_PATH and GITHUB_ENV, which are line-based: a control character could inject
// another variable or PATH entry. Glob characters are refused so that `path` always names one directory.
function checkPathText(name: string, value: string): void {
  if (/\p{Cc}/u.test(value)) {
    throw new UsageError(
      `Input '${name}' contains a control character (newline, tab, NUL...). Give a plain path.`,
    )
  }
  if (/[*?[\]{}]/.test(value)) {
    throw new UsageError(
      `Input '${name}' contains glob characters (* ? [ ] { }): give one literal directory path.`,
    )
  }
}

/** pip-args may not install outside the venv, in any spelling pip accepts (`--targ`, `-t`, `-qt dir`). */
function checkPipArgs(args: string[]): string[] {
  const problem = outsideVenvProblem(args, 'pip-args')
  if (problem !== undefined) throw new UsageError(problem)
  return args
}
