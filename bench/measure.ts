// One timed run of each kind: the bundled action as a whole runner-step process, and a plain command.
// Both are timed the same way, by test-support/runner.ts's launch (spawn to exit, as the parent sees it).
import { existsSync } from 'node:fs'
import { ACTION_YML, launch, NODE24, runStep } from '../test-support/runner.js'
import type { BenchEnv } from './env.js'
import { removeVenv, type Job } from './job.js'
import { parsePhases, type Phases } from './phases.js'

/** action.yml runs the bundle with `using: node24`; the vendored Node 24 is that runtime here. */
export const ACTION_NODE = existsSync(NODE24) ? NODE24 : process.execPath

const TIMEOUT_MS = 15 * 60_000

export interface ActionRun {
  readonly ms: number
  readonly phases: Phases
  readonly log: string
  readonly key: string
}

/** The `cache-status` a run must end with. */
export type Expected = 'hit' | 'miss' | 'synced'

/**
 * The action on a fresh runner (venv absent); fails unless it ends with `expect` and without warnings, and
 * unless it saved exactly when it should have: after a miss or sync, unless `save-cache: false`.
 */
export async function runAction(
  job: Job,
  env: BenchEnv,
  cacheEnv: Readonly<Record<string, string>>,
  expect: Expected,
  inputs: Readonly<Record<string, string>> = {},
): Promise<ActionRun> {
  removeVenv(job)
  const step = await runStep({
    root: job.root,
    node: ACTION_NODE,
    entry: env.entry,
    // A copied entry gets no input defaults unless told where action.yml is.
    actionYml: ACTION_YML,
    inputs: { ...inputs },
    env: { ...cacheEnv, ...env.pip },
    timeoutMs: TIMEOUT_MS,
  })
  const log = `${step.stdout}\n${step.stderr}`
  const status = step.outputs['cache-status']
  const warnings = step.annotations.filter((a) => a.level !== 'notice').map((a) => a.message)
  const shouldSave = expect !== 'hit' && inputs['save-cache'] !== 'false'
  const saved = /^Cache saved with key: /m.test(log)
  const problem =
    step.code !== 0
      ? `exit code ${String(step.code)}`
      : status !== expect
        ? `cache-status '${String(status)}', expected '${expect}'`
        : warnings.length > 0
          ? `warnings: ${warnings.join(' | ')}`
          : shouldSave !== saved
            ? shouldSave
              ? `the ${expect} did not save the venv`
              : 'the venv was saved, with nothing to save'
            : undefined
  if (problem !== undefined) throw new Error(`The action run failed (${problem}):\n${log.slice(-4000)}`)
  return { ms: step.durationMs, phases: parsePhases(step.stdout), log, key: step.outputs['cache-key'] ?? '' }
}

/** A command without a shell; fails on a non-zero exit. */
export async function timeCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<number> {
  const res = await launch(argv, { ...env }, cwd, TIMEOUT_MS)
  if (res.code !== 0) {
    throw new Error(
      `${argv.join(' ')} exited ${String(res.code)}:\n${res.stdout.slice(-2000)}${res.stderr.slice(-2000)}`,
    )
  }
  return res.durationMs
}

/** What a workflow without the action runs, in the workspace: a venv, then pip install of the same file. */
export const PLAIN_COMMAND = 'python -m venv .venv && .venv/bin/pip install -r requirements.txt'

export function runPlain(job: Job, env: BenchEnv): Promise<number> {
  removeVenv(job)
  // `python` is the same interpreter the action uses, named by path so PATH lookups cannot differ.
  const script = PLAIN_COMMAND.replace(/^python /, '"$0" ')
  return timeCommand(['sh', '-c', script, env.python], env.plain, job.workspace)
}
