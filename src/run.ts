// The action, phase by phase: inputs -> plan -> restore -> check -> build or sync -> export -> save ->
// projects. Nothing after Save enters the cache: the local projects are installed last.
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import { build } from './build.js'
import { cacheUnavailable, libraryClient, restoreVenv, saveVenv } from './cache.js'
import { readContext, type RunnerContext } from './context.js'
import { UsageError } from './errors.js'
import { readInputs, type Inputs } from './inputs.js'
import { describeChanges, startResolution, syncNearest } from './incremental.js'
import { locatePython, probeBasePython } from './interpreter.js'
import { credentialsIn, readPipSettings } from './pipconfig.js'
import { baseDirectory, makePlan, type Plan } from './plan.js'
import { pipConfigFiles } from './platform.js'
import { cachePolicy } from './policy.js'
import { installProjects } from './project.js'
import {
  applyExports,
  describeDependencies,
  describeHoldings,
  describeProjects,
  exportsFor,
  outcomeHead,
  outcomeLine,
  Timeline,
  writeSummary,
  type CacheOutcome,
} from './report.js'
import { findDependencies } from './sources.js'
import type { Resolution } from './sync.js'
import {
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
  const policy = usableCache(inputs, ctx)
  if (inputs.failOnCacheMiss && !policy.restore) {
    throw new UsageError(
      `Input 'fail-on-cache-miss' is true, but nothing is restored in this run (${policy.reason ?? 'the cache is off'}). ` +
        `Allow the restore, or set 'fail-on-cache-miss: false'.`,
    )
  }
  if (target === 'venv') await timeline.phase('Replace', () => replaceExisting(plan.venvDir))

  let outcome: CacheOutcome = {
    status: policy.unavailable ? 'error' : policy.restore || policy.save ? 'miss' : 'disabled',
  }
  let problem: VenvProblem | undefined
  let nearest: string | undefined
  let resolving: Promise<Resolution | undefined> | undefined
  if (policy.restore) {
    const restored = await timeline.phase('Restore', () =>
      restoreVenv(plan, inputs.incremental && !inputs.failOnCacheMiss, libraryClient, () => {
        // An older entry is on its way: what the sync will need from pip is resolved beside the download.
        resolving = startResolution(plan)
      }),
    )
    if (restored.kind === 'hit') {
      problem = await timeline.phase('Check', () => restoredProblem(plan))
      if (problem === undefined) outcome = { status: 'hit', archiveBytes: restored.archiveBytes }
      else {
        core.warning(`The restored venv cannot be used: ${problem.cause}. It is removed and built again.`)
        outcome = { status: 'rebuilt' }
      }
    } else if (restored.kind === 'failed') outcome = { status: 'error' }
    else if (restored.kind === 'nearest') nearest = restored.key
    // A failed, partial or prefix-matched restore may have left files: never build on top of them.
    if (outcome.status !== 'hit' && nearest === undefined) await removeVenv(plan.venvDir)
  }
  if (outcome.status !== 'hit' && inputs.failOnCacheMiss) {
    throw new UsageError(
      `No usable cache entry for key ${plan.key}, and 'fail-on-cache-miss' is true: the venv is not built here. ` +
        `Run the job that builds and saves it first, or set 'fail-on-cache-miss: false'.`,
    )
  }
  if (nearest !== undefined) {
    const synced = await syncNearest(plan, nearest, timeline, resolving)
    if (synced !== undefined)
      outcome = { status: 'synced', syncedFrom: nearest, changes: describeChanges(synced) }
  }
  if (outcome.status !== 'hit' && outcome.status !== 'synced') await build(plan, timeline)

  const stamp = readStamp(plan)
  const venv = { bytes: stamp?.bytes, distributions: stamp?.distributions }
  await timeline.phase('Export', () => {
    applyExports(exportsFor(plan, outcome.status))
    if (venv.distributions !== undefined) core.info(`The venv holds ${describeHoldings(venv.distributions)}.`)
    return Promise.resolve()
  })
  if (policy.save && outcome.status !== 'hit') {
    const saved = await timeline.phase('Save', () =>
      saveVenv(plan, { mayRead: policy.restore, restoreFailed: outcome.status === 'error' }),
    )
    outcome = { ...outcome, saved: saved.kind, archiveBytes: saved.archiveBytes }
    if (problem !== undefined && saved.kind === 'exists') warnUnreplaceable(plan, problem)
  }
  if (plan.dependencies.projects.length > 0) await timeline.phase('Project', () => installProjects(plan))

  const head = outcomeHead(outcome, timeline.elapsedMs())
  core.info(outcomeLine(plan, head, venv))
  await writeSummary(plan, outcome, head, timeline, venv)
}

/** The cache operations this run performs, with one log line for whatever is held back. */
function usableCache(inputs: Inputs, ctx: RunnerContext) {
  const policy = cachePolicy(inputs, ctx.env)
  if (policy.reason !== undefined) core.info(policy.reason)
  if (!policy.restore && !policy.save) return { ...policy, unavailable: false }
  const unavailable = cacheUnavailable()
  if (unavailable === undefined) return { ...policy, unavailable: false }
  core.warning(`The venv is built without the cache: ${unavailable}.`)
  return { restore: false, save: false, reason: unavailable, unavailable: true }
}

/** A venv at `path` from an earlier step or run is replaced; what a venv does not make is named first. */
async function replaceExisting(venvDir: string): Promise<void> {
  const foreign = foreignEntries(venvDir)
  if (foreign.length > 0) {
    core.warning(
      `The venv already at ${venvDir} also holds what a venv does not make: ${foreign.join(', ')}. ` +
        `It is deleted with the venv, which is replaced by the cached or a new one. Keep such files outside 'path'.`,
    )
  } else core.info(`Removing the venv already at ${venvDir}: it is replaced by the cached or a new one.`)
  await removeVenv(venvDir)
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

async function planVenv(ctx: RunnerContext, inputs: Inputs): Promise<Plan> {
  const baseDir = baseDirectory(ctx, inputs)
  const python = await probeBasePython(await locatePython(ctx.os, inputs.python, baseDir, ctx.env), ctx.os)
  const pipSettings = readPipSettings(pipConfigFiles(ctx.os, ctx.env, ctx.home), ctx.env)
  const secrets = [...inputs.pipArgs, ...Object.values(ctx.env), ...pipSettings.map((s) => s.value)]
  for (const secret of credentialsIn(secrets.join('\n'))) core.setSecret(secret)
  const runnerTemp = ctx.env['RUNNER_TEMP'] || os.tmpdir()
  const dependencies = await findDependencies(inputs, {
    baseDir,
    workspace: ctx.workspace,
    pipSettings,
    copyDir: path.join(runnerTemp, `setup-venv-${process.pid}`),
  })
  const plan = makePlan(ctx, inputs, python, dependencies, pipSettings)
  core.info(`Python: ${python.implementation} ${python.version} at ${python.executable}`)
  core.info(`Venv: ${plan.venvDir}`)
  core.info(`Dependencies: ${describeDependencies(dependencies)}`)
  if (dependencies.projects.length > 0)
    core.info(`Installed after the venv is ready: ${describeProjects(dependencies)}`)
  core.info(`Cache key: ${plan.key}`)
  return plan
}
