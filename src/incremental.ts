// An incremental miss: the newest older entry under the key's prefix, restored, is checked as a hit is and
// synced to exactly what a fresh build gives (sync.ts), or given up with one line, the venv removed and the
// caller building afresh.
import * as core from '@actions/core'
import { installBackendRequires } from './build.js'
import { compileRest } from './compile.js'
import { compileAfterInstall, dependencyArgs, pipEnv, writeCopies } from './pip.js'
import type { Plan } from './plan.js'
import { backendRequires } from './project.js'
import type { Timeline } from './report.js'
import { pipCommand } from './seed.js'
import { resolveTarget, syncVenv, type Resolution, type SyncChanges } from './sync.js'
import { checkBuilt, removeVenv, restoredProblem } from './venv.js'

/**
 * Brings the older venv restored from `from` to exactly what a fresh build gives (sync.ts proves it), or
 * gives up with one line: the venv is then removed and built fresh. The restored venv must pass the same
 * check as a hit (its own entry's key) before anything is changed in it.
 */
export async function syncNearest(
  plan: Plan,
  from: string,
  timeline: Timeline,
  resolved?: Promise<Resolution | undefined>,
): Promise<SyncChanges | undefined> {
  const problem = await timeline.phase('Check', () => restoredProblem(plan, from))
  if (problem !== undefined) {
    core.warning(
      `The nearest cache entry (${from}) cannot be synced: ${problem.cause}. The venv is built from scratch.`,
    )
    await removeVenv(plan.venvDir)
    return undefined
  }
  try {
    const changes = await timeline.phase('Sync', async () => {
      writeCopies(plan.dependencies)
      const pip = pipCommand(plan.layout, undefined)
      const synced = await syncVenv({
        python: plan.layout.python,
        pip,
        installArgs: dependencyArgs(plan),
        seeded: seededPins(plan),
        // What the backends asked for when the entry was built: the install after the sync finds it there.
        keep: await backendRequires(plan).catch(() => []),
        reinstalls: plan.pipReinstalls,
        cwd: plan.baseDir,
        env: pipEnv(),
        resolved,
      })
      const more = await installBackendRequires(plan, pip)
      return { synced, changed: more || changeLists(synced).some(([, names]) => names.length > 0) }
    })
    // Nothing changed, nothing to compile: every file is the restored entry's, compiled when it was built.
    if (changes.changed && compileAfterInstall(plan)) await timeline.phase('Compile', () => compileRest(plan))
    const built = await timeline.phase('Check', () => checkBuilt(plan))
    if (built !== undefined) throw new Error(`the synced venv cannot be used: ${built}`)
    return changes.synced
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error)
    core.warning(`Syncing the venv from ${from} failed: ${why}. The venv is built from scratch.`)
    await removeVenv(plan.venvDir)
    return undefined
  }
}

/** What a fresh venv holds before the dependencies: what ensurepip seeds, or the `pip-version` pip. */
function seededPins(plan: Pick<Plan, 'basePython' | 'pipVersion'>): string[] {
  return plan.basePython.seeded.map((pin) =>
    plan.pipVersion !== undefined && pin.startsWith('pip==') ? `pip==${plan.pipVersion}` : pin,
  )
}

/** What a sync changed, by kind, in the order the log names them. */
function changeLists(changes: SyncChanges): [string, readonly string[]][] {
  return [
    ['installed', changes.installed],
    ['upgraded', changes.upgraded],
    ['downgraded', changes.downgraded],
    ['removed', changes.removed],
    ['reinstalled from another file', changes.reinstalled],
  ]
}

export function describeChanges(changes: SyncChanges): string {
  return (
    changeLists(changes)
      .filter(([, names]) => names.length > 0)
      .map(([what, names]) => `${names.length} ${what} (${names.join(', ')})`)
      .join(', ') || 'nothing changed'
  )
}

// Runs the base interpreter's pip when it is the given version (argv[1]), else exits 3 without running it.
// The working directory is left off sys.path: a project's own module must not stand in for pip's imports.
const PIP_OF_VERSION = `
import os, runpy, sys
sys.path = [p for p in sys.path if p not in ('', os.getcwd())]
import pip
if pip.__version__ != sys.argv[1]:
    sys.exit(3)
sys.argv = ['pip'] + sys.argv[2:]
runpy.run_module('pip', run_name='__main__', alter_sys=True)
`

/**
 * Starts resolving what a fresh build would install, while the older venv is still being restored: by the
 * base interpreter's pip when it is the version the venv has (the bundled one), which resolves as the
 * venv's own would (the same Python, the same pip; --ignore-installed leaves out what either holds).
 * Undefined, or a promise that gives undefined, when that cannot be: the sync resolves itself then.
 */
export function startResolution(
  plan: Pick<Plan, 'pipVersion' | 'basePython' | 'dependencies' | 'pipArgs' | 'baseDir'>,
): Promise<Resolution | undefined> | undefined {
  const version = plan.basePython.ensurepip
  if (plan.pipVersion !== undefined || version === null) return undefined
  try {
    writeCopies(plan.dependencies)
  } catch {
    return undefined // the sync writes them again, and says what went wrong
  }
  return resolveTarget([plan.basePython.executable, '-c', PIP_OF_VERSION, version], {
    installArgs: dependencyArgs(plan),
    cwd: plan.baseDir,
    env: pipEnv(),
  })
}
