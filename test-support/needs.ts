// What a test needs from the machine, and jest's `test`/`describe` that skip it, with the reason printed,
// when the machine lacks it: a test is never failed for a missing interpreter, and never passed without
// running. The closing line of scripts/test.sh counts the skipped ones.
import { execFileSync } from 'node:child_process'
import * as path from 'node:path'
import { describe, expect, test } from '@jest/globals'
import { localIndexUrl, pyenvPython } from './pythons.js'

/** Why a pyenv CPython of `version` (e.g. '3.11') cannot be used here, or undefined when it can. */
export function lacksPython(version: string): string | undefined {
  try {
    pyenvPython(version)
    return undefined
  } catch (error) {
    return `no CPython ${version} (${(error as Error).message})`
  }
}

/** Why any of the pyenv CPythons of `versions` cannot be used here (one reason each), for testIf/describeIf. */
export function lacksPythons(...versions: string[]): (string | undefined)[] {
  return versions.map((version) => lacksPython(version))
}

/**
 * Why a command cannot be run in a mount namespace of its own here (`unshare --mount`, which needs root or
 * unprivileged user namespaces), or undefined when it can.
 */
export function lacksMountNamespace(): string | undefined {
  try {
    execFileSync('unshare', ['--mount', 'true'], { stdio: 'pipe' })
    return undefined
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim()
    return `no mount namespace of its own (unshare --mount: ${stderr || (error as Error).message})`
  }
}

/** Why the machine's offline package index cannot be used here, or undefined when it can. */
export function lacksLocalIndex(): string | undefined {
  try {
    localIndexUrl()
    return undefined
  } catch (error) {
    return `no local package index (${(error as Error).message.split('\n')[0] ?? ''})`
  }
}

const printed = new Set<string>()

/**
 * The reasons given, joined; printed once per test file. Straight to stderr, not through jest's console:
 * jest shows nothing of a test file whose every test is skipped, its console output included.
 */
function reasonOf(reasons: readonly (string | undefined)[]): string | undefined {
  const missing = reasons.filter((r) => r !== undefined)
  if (missing.length === 0) return undefined
  const reason = missing.join('; ')
  if (!printed.has(reason)) {
    printed.add(reason)
    const file = path.relative(process.cwd(), expect.getState().testPath ?? '?')
    process.stderr.write(`Skipped in ${file}, the machine lacks what these tests need: ${reason}\n`)
  }
  return reason
}

/** `test`, or `test.skip` with the reason printed when any reason is given. */
export function testIf(...reasons: (string | undefined)[]): typeof test | typeof test.skip {
  return reasonOf(reasons) === undefined ? test : test.skip
}

/** `describe`, or `describe.skip` with the reason printed when any reason is given. */
export function describeIf(...reasons: (string | undefined)[]): typeof describe | typeof describe.skip {
  return reasonOf(reasons) === undefined ? describe : describe.skip
}
