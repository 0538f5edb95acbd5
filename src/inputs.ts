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
}

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
    cache: parseBoolean('cache', core.getInput('cache') || 'true'),
    cachePrivilegedEvents: parseBoolean(
      'cache-privileged-events',
      core.getInput('cache-privileged-events') || 'false',
    ),
    cacheSuffix: core.getInput('cache-suffix'),
  }
}

/** One entry per non-empty line; `#` starts a comment line, as in requirement files. */
function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
}

function parseBoolean(name: string, value: string): boolean {
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
