// The action, phase by phase: inputs -> plan -> restore -> check -> build -> export -> save.
import * as core from '@actions/core'
import { cacheUnavailable, restoreVenv, saveVenv } from './cache.js'
import { cachePolicy } from './policy.js'
import { readContext, type RunnerContext } from './context.js'
import { UsageError } from './errors.js'
import { readInputs, type Inputs } from './inputs.js'
import { locatePython, probeBasePython } from './interpreter.js'
import { compileAfterInstall, hasWork, install } from './pip.js'
import { credentialsIn, indexSettings } from './pipconfig.js'
import { baseDirectory, makePlan, type Plan } from './plan.js'
import { pipConfigFiles } from './platform.js'
import { applyExports, exportsFor, Timeline, writeSummary, type CacheStatus } from './report.js'
import { findRequirementFiles } from './requirements.js'
import { compileEarly, compileRest, type EarlyCompile } from './compile.js'
import {
  checkBuilt,
  createVenv,
  foreignEntries,
  inspectTarget,
  readStamp,
  removeVenv,
  restoredProblem,
  type VenvProblem,
} from './venv.js'

export async function run(): Promise<void> {
  try {
    await setupVenv(readContext(), readInputs())
  } catch (error) {
    // A UsageError is a message for the user; anything else is our bug, shown with its stack.
    core.setFailed(
      error instanceof UsageError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error),
    )
  }
}

async function setupVenv(ctx: RunnerContext, inputs: Inputs): Promise<void> {
  const timeline = new Timeline()
  const plan = await timeline.phase('Plan', () => planVenv(ctx, inputs))
  // Decided before anything is changed: a path holding something other than a venv is an error.
  const target = inspectTarget(plan.venvDir, plan.layout.pyvenvCfg)
  const policy = usableCache(plan, inputs, ctx)

  let status: CacheStatus = policy.unavailable ? 'error' : policy.restore || policy.save ? 'miss' : 'disabled'
  if (target === 'venv') {
    const foreign = foreignEntries(plan.venvDir)
    if (foreign.length > 0) {
      core.warning(
        `The venv already at ${plan.venvDir} also holds what a venv does not make: ${foreign.join(', ')}. ` +
          `It is deleted with the venv, which is replaced by the cached or a new one. Keep such files outside 'path'.`,
      )
    } else
      core.info(`Removing the venv already at ${plan.venvDir}: it is replaced by the cached or a new one.`)
    await removeVenv(plan.venvDir)
  }
  let restoreFailed = false
  let problem: VenvProblem | undefined
  if (policy.restore) {
    const outcome = await timeline.phase('Restore', () => restoreVenv(plan, false))
    restoreFailed = outcome.kind === 'failed'
    if (outcome.kind === 'hit') ({ status, problem } = await checkRestored(plan, timeline))
    else if (outcome.kind === 'failed') status = 'error'
    // A failed, partial or prefix-matched restore may have left files: never build on top of them.
    if (status !== 'hit') await removeVenv(plan.venvDir)
  }
  if (status !== 'hit') await build(plan, timeline)

  await timeline.phase('Export', () => {
    applyExports(exportsFor(plan, status))
    return Promise.resolve()
  })
  if (policy.save && status !== 'hit') {
    const saved = await timeline.phase('Save', () =>
      saveVenv(plan, { mayRead: policy.restore, restoreFailed }),
    )
    if (problem !== undefined && saved === 'exists') warnUnreplaceable(plan, problem)
  }
  await writeSummary(plan, status, timeline, readStamp(plan)?.bytes)
}

/** The cache operations this run performs, with one log line for whatever is held back. */
function usableCache(plan: Plan, inputs: Inputs, ctx: RunnerContext) {
  const policy = cachePolicy(plan.cache, inputs.cachePrivilegedEvents, ctx.env)
  if (policy.reason !== undefined) core.info(policy.reason)
  if (!policy.restore && !policy.save) return { ...policy, unavailable: false }
  const unavailable = cacheUnavailable()
  if (unavailable === undefined) return { ...policy, unavailable: false }
  core.warning(`The venv is built without the cache: ${unavailable}.`)
  return { restore: false, save: false, reason: unavailable, unavailable: true }
}

/**
 * After a rebuild whose save found the broken entry still there (entries cannot be replaced): what the
 * user can do. A new suffix helps only when the entry itself is at fault; when this runner's base
 * interpreter is not the one the entry was built with, a new entry would be made and then fail on the
 * other runners in the same way.
 */
function warnUnreplaceable(plan: Pick<Plan, 'key' | 'basePython'>, problem: VenvProblem): void {
  core.warning(
    problem.inEntry
      ? `The cache entry under key ${plan.key} is broken, and entries cannot be replaced, so every run with these ` +
          `inputs rebuilds the venv. To move on, set a new 'cache-suffix' (or delete the entry: gh cache delete ${plan.key}).`
      : `The venv in the cache entry under key ${plan.key} does not fit this runner (${problem.cause}), so every ` +
          `run here rebuilds it. The entry itself is sound: the base interpreter at ${plan.basePython.executable} ` +
          `differs from the one it was built with at the same path. Give runners that differ so a 'cache-suffix' of their own.`,
  )
}

/** A restored venv is handed over only if it passes its check; otherwise it is rebuilt, with a warning. */
async function checkRestored(
  plan: Plan,
  timeline: Timeline,
): Promise<{ status: CacheStatus; problem?: VenvProblem }> {
  const problem = await timeline.phase('Check', () => restoredProblem(plan))
  if (problem === undefined) return { status: 'hit' }
  core.warning(`The restored venv cannot be used: ${problem.cause}. It is removed and built again.`)
  return { status: 'rebuilt', problem }
}

async function planVenv(ctx: RunnerContext, inputs: Inputs): Promise<Plan> {
  const baseDir = baseDirectory(ctx, inputs)
  const python = await probeBasePython(await locatePython(ctx.os, inputs.python, baseDir, ctx.env), ctx.os)
  const requirements = await findRequirementFiles(inputs.requirements, baseDir, ctx.workspace)
  const index = indexSettings(pipConfigFiles(ctx.os, ctx.env, ctx.home), ctx.env)
  for (const secret of credentialsIn([...inputs.pipArgs, ...Object.values(ctx.env)].join('\n'))) {
    core.setSecret(secret)
  }
  const plan = makePlan(ctx, inputs, python, requirements, index)
  core.info(`Python: ${python.implementation} ${python.version} at ${python.executable}`)
  core.info(`Venv: ${plan.venvDir}`)
  core.info(`Requirement files: ${requirements.files.map((f) => f.path).join(', ') || 'none'}`)
  core.info(`Cache key: ${plan.key}`)
  return plan
}

async function build(plan: Plan, timeline: Timeline): Promise<void> {
  let early: EarlyCompile | undefined
  try {
    const seed = await timeline.phase('Create', () => createVenv(plan))
    const compile = compileAfterInstall(plan)
    // The seeded pip (not compiled yet) compiles on all cores while pip installs the requirements.
    if (seed && compile && hasWork(plan)) early = await compileEarly(plan)
    if (hasWork(plan)) await timeline.phase('Install', () => install(plan, seed))
    if (compile) await timeline.phase('Compile', () => compileRest(plan, early))
    const problem = await timeline.phase('Check', () => checkBuilt(plan))
    if (problem !== undefined) throw new Error(`The venv just built cannot be used: ${problem}`)
  } catch (error) {
    // A half-built venv must not be mistaken for a good one by a later step or run; nor may a compile
    // process still be writing into the directory being removed.
    await early?.done
    await removeVenv(plan.venvDir)
    throw error
  }
}
