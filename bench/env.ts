// What every run gets. The one environment both sides of every comparison get for pip: the local index, no pip config files
// (this machine's lists an unreachable index and a constraints file), no pip cache, the same interpreter
// first on PATH. The action's step gets it on top of the runner's variables; the plain commands get it on
// top of the same variables the runner passes through from this process.
import * as os from 'node:os'
import * as path from 'node:path'
import { INHERITED_VARS } from '../test-support/runner.js'

export interface BenchEnv {
  /** The action bundle the steps run (a snapshot of dist/index.js, see bundle.ts). */
  readonly entry: string
  /** The base interpreter both sides use. */
  readonly python: string
  readonly indexUrl: string
  /** PATH and PIP_* settings, identical for the action and the plain commands. */
  readonly pip: Readonly<Record<string, string>>
  /** What a plain command runs with: the runner's inherited variables plus `pip`. */
  readonly plain: Readonly<Record<string, string>>
}

export function benchEnv(entry: string, python: string, indexUrl: string): BenchEnv {
  const pip = {
    PATH: `${path.dirname(python)}${path.delimiter}${process.env['PATH'] ?? ''}`,
    PIP_INDEX_URL: indexUrl,
    PIP_CONFIG_FILE: os.devNull,
    PIP_NO_CACHE_DIR: '1',
    // The action sets these two for its own pip install; the plain side gets them too.
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_INPUT: '1',
  }
  const inherited: Record<string, string> = {}
  for (const name of INHERITED_VARS) {
    const value = process.env[name]
    if (value !== undefined) inherited[name] = value
  }
  return { entry, python, indexUrl, pip, plain: { ...inherited, ...pip } }
}
