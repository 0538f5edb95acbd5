// Builds the venv from nothing on a miss: create it with pip seeded, install the pip-version pip and the
// dependencies, compile on all cores, check. A half-built venv never survives a failure.
import * as core from '@actions/core'
import type { Argv } from './command.js'
import { compileEarly, compileRest, type EarlyCompile } from './compile.js'
import { compileAfterInstall, hasWork, install, installPip, installSpecs } from './pip.js'
import type { Plan } from './plan.js'
import { backendRequires } from './project.js'
import type { Timeline } from './report.js'
import { pipCommand, type Seeded } from './seed.js'
import { checkBuilt, createVenv, removeVenv } from './venv.js'

export async function build(plan: Plan, timeline: Timeline): Promise<void> {
  let early: EarlyCompile | undefined
  try {
    let seeded: Seeded | undefined = await timeline.phase('Create', () => createVenv(plan))
    if (plan.pipVersion !== undefined) {
      await timeline.phase('Pip', () => installPip(plan, pipCommand(plan.layout, seeded?.runner)))
      seeded = undefined // the venv's own pip from now on, as in a plain build with that pip
    }
    const compile = compileAfterInstall(plan)
    const work = hasWork(plan)
    // The seeded pip (not compiled yet) compiles on all cores while pip installs the requirements.
    if (seeded && compile && work) early = await compileEarly(plan)
    if (work) {
      const pip = pipCommand(plan.layout, seeded?.runner)
      await timeline.phase('Install', async () => {
        await install(plan, pip)
        await installBackendRequires(plan, pip)
      })
    }
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

/**
 * What the projects' build backends need beyond [build-system] requires, so they build on a hit too.
 * Whether pip installed anything (after a sync it usually finds them there).
 */
export async function installBackendRequires(plan: Plan, pip: Argv): Promise<boolean> {
  const extra = await backendRequires(plan)
  if (extra.length === 0) return false
  core.info(`The build backends also need: ${extra.join(', ')}`)
  return installSpecs(plan, pip, extra)
}
