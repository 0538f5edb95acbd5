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
import { checkBuilt, createVenv, inspectTarget, readStamp, removeVenv, restoredProblem } from './venv.js'

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
    core.info(`Removing the venv already at ${plan.venvDir}: it is replaced by the cached or a new one.`)
    await removeVenv(plan.venvDir)
  }
  let restoreFailed = false
  if (policy.restore) {
    const outcome = await timeline.phase('Restore', () => restoreVenv(plan))
    restoreFailed = outcome === 'failed'
    if (outcome === 'hit') status = await checkRestored(plan, timeline)
    else if (outcome === 'failed') status = 'error'
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
    if (status === 'rebuilt' && saved === 'exists') {
      core.warning(
        `The cache entry under key ${plan.key} is broken, and entries cannot be replaced, so every run with these ` +
          `inputs rebuilds the venv. To move on, set a new 'cache-suffix' (or delete the entry: gh cache delete ${plan.key}).`,
      )
    }
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

/** A restored venv is handed over only if it passes its check; otherwise it is rebuilt, with a warning. */
async function checkRestored(plan: Plan, timeline: Timeline): Promise<CacheStatus> {
  const problem = await timeline.phase('Check', () => restoredProblem(plan))
  if (problem === undefined) return 'hit'
  core.warning(`The restored venv cannot be used: ${problem}. It is removed and built again.`)
  return 'rebuilt'
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
