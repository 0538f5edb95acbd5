// Restored venvs that do not work, end to end: each case is built for real (a venv really made from another
// interpreter, really missing a file, really moved), stored under the exact key the action asks for with
// the real @actions/cache in this process, and restored by the bundled action. It must find the problem
// before handing the venv over, remove it, rebuild it, name the cause in a warning, say cache-hit false and
// cache-status rebuilt, and, since the entry under the exact key is itself the broken one and entries cannot
// be replaced, tell how to move on.
//
// The key holds the base interpreter's path, version and build and the venv's path, so an entry made by
// this action for these inputs cannot point to another interpreter or path: the interpreter and path cases
// arrive only in an entry that claims a key it was not built for (a bug, an older format, a poisoned
// cache). Those entries are made by building the venv for real from the other interpreter and changing the
// one field that claims the key: the stamp's `key`.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import * as cache from '@actions/cache'
import {
  annotationsOf,
  entriesOlderThan,
  LOG,
  newRunner,
  runAction,
  SMALL_REQUIREMENTS,
  tempDir,
  venvInUse,
  workingVenv,
  type Job,
} from '../../test-support/e2e.js'
import { seededRunner, useIndexAndServer } from '../../test-support/e2e-jest.js'
import { lacksPython, testIf } from '../../test-support/needs.js'
import { pyenvPython } from '../../test-support/pythons.js'
import type { StepResult } from '../../test-support/runner.js'

const STAMP = '.setup-venv.json'

// Every step runs on CPython 3.11 (stepEnv puts it first on PATH); one case builds from 3.12 too.
const it = testIf(lacksPython('3.11'))

const local = useIndexAndServer()
/** The runner most cases share: its venv, and the key the action computes for it with default inputs. */
let job: Job
let venv: string
let key: string
const env = local.env

// Runs after the index and server hooks, which useIndexAndServer() registered first.
beforeAll(async () => {
  ;({ job, venv, key } = await seededRunner(env()))
})

/** A good venv at `venv` built for `key`, to break: the one the previous case rebuilt, or a new one. */
async function goodVenv(): Promise<void> {
  if (fs.existsSync(venv)) return
  // Read-only: whatever is stored under the key stays as it is.
  const step = await runAction(job, { env: { ...env(), ACTIONS_CACHE_MODE: 'read' } })
  expect(step.code).toBe(0)
}

function sitePackages(venvDir: string): string {
  const lib = path.join(venvDir, 'lib')
  const [python] = fs.readdirSync(lib).filter((d) => d.startsWith('python'))
  return path.join(lib, python ?? 'python?', 'site-packages')
}

/** Rewrites the one field of the stamp that says which key the venv was built for. */
function claimKey(venvDir: string, claimed: string): void {
  const file = path.join(venvDir, STAMP)
  const stamp = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  fs.writeFileSync(file, `${JSON.stringify({ ...stamp, key: claimed }, null, 2)}\n`)
}

/**
 * Stores the venv at `venvDir` as it is now under `entryKey`, replacing what is there, then removes it from
 * disk (a fresh runner). It is saved by the real library in this process as the step saves it: the same
 * absolute path, compression and workspace, so the action's restore asks for exactly this entry.
 */
async function storeAs(entryKey: string, venvDir: string, workspace: string): Promise<void> {
  local.server.deleteKey(entryKey)
  const names = [
    'ACTIONS_CACHE_URL',
    'ACTIONS_RESULTS_URL',
    'ACTIONS_CACHE_SERVICE_V2',
    'ACTIONS_RUNTIME_TOKEN',
  ]
  const others = ['ACTIONS_CACHE_MODE', 'GITHUB_SERVER_URL', 'GITHUB_WORKSPACE', 'RUNNER_TEMP']
  const saved = Object.fromEntries([...names, ...others].map((n) => [n, process.env[n]]))
  const write = process.stdout.write.bind(process.stdout)
  let log = ''
  try {
    for (const n of [...names, ...others]) Reflect.deleteProperty(process.env, n)
    Object.assign(process.env, local.server.envV2(), {
      GITHUB_WORKSPACE: workspace,
      RUNNER_TEMP: tempDir('save-temp'),
    })
    process.stdout.write = (chunk: string | Uint8Array) => {
      log += String(chunk)
      return true
    }
    const id = await cache.saveCache([venvDir], entryKey)
    if (id === -1 || /^::(warning|error)/m.test(log)) throw new Error(`saving ${entryKey} failed:\n${log}`)
  } finally {
    process.stdout.write = write
    for (const [n, v] of Object.entries(saved)) {
      if (v === undefined) Reflect.deleteProperty(process.env, n)
      else process.env[n] = v
    }
  }
  expect(local.server.entries().filter((e) => e.key === entryKey && e.finalized)).toHaveLength(1)
  fs.rmSync(venvDir, { recursive: true })
}

const stuck = (k: string) =>
  `The cache entry under key ${k} is broken, and entries cannot be replaced, so every run with these ` +
  `inputs rebuilds the venv. To move on, set a new 'cache-suffix' (or delete the entry: gh cache delete ${k}).`

/** When the runner, not the entry, is at fault, a new suffix would not help, and the warning says so. */
const misfit = (k: string, cause: string, python: string) =>
  `The venv in the cache entry under key ${k} does not fit this runner (${cause}), so every run here ` +
  `rebuilds it. The entry itself is sound: the base interpreter at ${python} differs from the one it was ` +
  `built with at the same path. Give runners that differ so a 'cache-suffix' of their own.`

/**
 * Runs the action where the broken entry is stored under `entryKey` and checks the common outcome:
 * restored, found broken for `cause`, removed, rebuilt from scratch, told, and the venv handed over works.
 */
async function expectRebuilt(
  cause: RegExp,
  where: { job: Job; key: string; inputs?: Record<string, string> } = { job, key },
  advice: (key: string) => string = stuck,
): Promise<StepResult> {
  const venvDir = path.join(where.job.workspace, '.venv')
  const entry = local.server.entries().find((e) => e.key === where.key)
  await sleep(1100) // whatever the restore extracts is then older than the step
  const started = Date.now()
  const step = await runAction(where.job, { env: env(), inputs: where.inputs ?? {} })
  expect(step.code).toBe(0)
  expect(step.stdout).toContain(LOG.restored(where.key))
  expect(step.outputs['cache-key']).toBe(where.key)
  expect(step.outputs['cache-hit']).toBe('false')
  expect(step.outputs['cache-status']).toBe('rebuilt')
  expect(annotationsOf(step, 'error')).toEqual([])
  const warnings = annotationsOf(step, 'warning')
  expect(warnings).toHaveLength(2)
  expect(warnings[0]).toMatch(/^The restored venv cannot be used: .*\. It is removed and built again\.$/)
  expect(warnings[0]).toMatch(cause)
  expect(warnings[1]).toBe(advice(where.key))
  // Removed and built again: nothing the restore extracted is left.
  expect(entriesOlderThan(venvDir, started)).toEqual([])
  // The broken entry is still the only one: it cannot be replaced.
  expect(local.server.entries().filter((e) => e.key === where.key)).toEqual([entry])
  expect(await venvInUse(step)).toEqual(workingVenv(venvDir))
  return step
}

it("the venv's own interpreter is missing", async () => {
  await goodVenv()
  const bin = path.join(venv, 'bin')
  for (const name of fs.readdirSync(bin).filter((n) => n.startsWith('python')))
    fs.rmSync(path.join(bin, name))
  await storeAs(key, venv, job.workspace)
  await expectRebuilt(/: its interpreter .*\/\.venv\/bin\/python is missing\./)
})

it('a package file was changed after the build (same size, new time)', async () => {
  await goodVenv()
  const file = path.join(sitePackages(venv), 'sv_lib', '__init__.py')
  expect(fs.readFileSync(file, 'utf8')).toBe('VALUE = 42\n')
  const built = fs.statSync(file)
  fs.writeFileSync(file, 'VALUE = 43\n')
  // A later second than the build wrote, whatever the clock says now: the manifest keeps whole-second
  // mtimes (as tar does), and a build that takes under a second could leave the edit in the same one.
  fs.utimesSync(file, built.atime, new Date(built.mtimeMs + 2000))
  await storeAs(key, venv, job.workspace)
  // The next step sees 42 again (checked by workingVenv): the changed file was not handed over.
  await expectRebuilt(/: its files changed after it was built/)
})

it('a package file is missing', async () => {
  await goodVenv()
  fs.rmSync(path.join(sitePackages(venv), 'sv_tool', '__init__.py'))
  await storeAs(key, venv, job.workspace)
  await expectRebuilt(/: its files changed after it was built/)
})

it('the base interpreter it points to (home in pyvenv.cfg) was removed', async () => {
  // A runner's Python at another place, which the venv is built from and which is then removed.
  const moved = tempDir('moved-python')
  fs.mkdirSync(path.join(moved, 'bin'))
  const python = path.join(moved, 'bin', 'python3')
  fs.symlinkSync(fs.realpathSync(pyenvPython('3.11')), python)
  fs.rmSync(venv, { recursive: true, force: true })
  const built = await runAction(job, { env: { ...env(), ACTIONS_CACHE_MODE: 'read' }, inputs: { python } })
  expect(built.code).toBe(0)
  expect(fs.readFileSync(path.join(venv, 'pyvenv.cfg'), 'utf8')).toContain(`home = ${path.dirname(python)}\n`)
  claimKey(venv, key)
  fs.rmSync(moved, { recursive: true })
  await storeAs(key, venv, job.workspace)
  await expectRebuilt(
    new RegExp(
      `: the base interpreter it points to \\(home = ${path.dirname(python)} in pyvenv.cfg\\) is missing`,
    ),
    { job, key },
    (k) =>
      misfit(
        k,
        `the base interpreter it points to (home = ${path.dirname(python)} in pyvenv.cfg) is missing`,
        pyenvPython('3.11'),
      ),
  )
})

testIf(lacksPython('3.11'), lacksPython('3.12'))(
  'the base interpreter at its path was replaced by another version',
  async () => {
    // `python` is a path whose interpreter changes: 3.12 when the venv was built, 3.11 now.
    const place = tempDir('python-path')
    fs.mkdirSync(path.join(place, 'bin'))
    const python = path.join(place, 'bin', 'python3')
    const pointTo = (version: string) => {
      fs.rmSync(python, { force: true })
      fs.symlinkSync(fs.realpathSync(pyenvPython(version)), python)
    }
    pointTo('3.11')
    const first = await runAction(job, { env: env(), inputs: { python } })
    expect(first.code).toBe(0)
    const ownKey = first.outputs['cache-key'] ?? ''
    expect(first.stdout).toContain(LOG.saved(ownKey))
    pointTo('3.12')
    fs.rmSync(venv, { recursive: true })
    const built = await runAction(job, { env: { ...env(), ACTIONS_CACHE_MODE: 'read' }, inputs: { python } })
    expect(built.code).toBe(0)
    expect(built.outputs['python-version']).toMatch(/^3\.12\./)
    claimKey(venv, ownKey)
    pointTo('3.11')
    await storeAs(ownKey, venv, job.workspace)
    await expectRebuilt(/3\.12/, { job, key: ownKey, inputs: { python } }, (k) =>
      misfit(
        k,
        `it was built for Python ${built.outputs['python-version'] ?? ''} (version in pyvenv.cfg), not ${first.outputs['python-version'] ?? ''}`,
        python,
      ),
    )
  },
)

it('a cache-suffix moves on from a broken entry: a miss that saves, then a hit', async () => {
  await goodVenv()
  fs.writeFileSync(path.join(sitePackages(venv), 'sv_lib', '__init__.py'), 'VALUE = 43\n')
  await storeAs(key, venv, job.workspace)
  const inputs = { 'cache-suffix': 'fresh-start' }
  const moved = await runAction(job, { env: env(), inputs })
  expect(moved.code).toBe(0)
  const newKey = moved.outputs['cache-key'] ?? ''
  expect(newKey).toMatch(/-fresh-start-[0-9a-f]{32}$/)
  expect(newKey).not.toBe(key)
  expect(moved.outputs['cache-status']).toBe('miss')
  expect(moved.stdout).toContain(LOG.saved(newKey))
  expect(moved.annotations).toEqual([])
  fs.rmSync(venv, { recursive: true })
  const hit = await runAction(job, { env: env(), inputs })
  expect(hit.outputs['cache-status']).toBe('hit')
  expect(hit.outputs['cache-hit']).toBe('true')
  expect(await venvInUse(hit)).toEqual(workingVenv(venv))
})

it('deleting the broken entry moves on: the next run saves a good one, then hits', async () => {
  await goodVenv()
  fs.writeFileSync(path.join(sitePackages(venv), 'sv_lib', '__init__.py'), 'VALUE = 43\n')
  await storeAs(key, venv, job.workspace)
  expect(local.server.deleteKey(key)).toBe(1)
  const rebuilt = await runAction(job, { env: env() })
  expect(rebuilt.outputs['cache-status']).toBe('miss')
  expect(rebuilt.stdout).toContain(LOG.saved(key))
  expect(rebuilt.annotations).toEqual([])
  fs.rmSync(venv, { recursive: true })
  const hit = await runAction(job, { env: env() })
  expect(hit.outputs['cache-status']).toBe('hit')
  expect(await venvInUse(hit)).toEqual(workingVenv(venv))
})

it('the venv was restored for another absolute path', async () => {
  // Another runner whose workspace is elsewhere; the venv stored under its key is one built (and
  // working) in the first runner's workspace, moved over unchanged.
  const other = newRunner(SMALL_REQUIREMENTS)
  const otherVenv = path.join(other.workspace, '.venv')
  const first = await runAction(other, { env: env() })
  expect(first.code).toBe(0)
  const otherKey = first.outputs['cache-key'] ?? ''
  await goodVenv()
  fs.rmSync(otherVenv, { recursive: true })
  fs.renameSync(venv, otherVenv)
  await storeAs(otherKey, otherVenv, other.workspace)
  await expectRebuilt(new RegExp(`built for another path \\(${venv}\\)`), { job: other, key: otherKey })
})

it('an older entry that fails its check is never synced: a fresh build, one warning', async () => {
  await goodVenv()
  // An entry under the same prefix (another set of requirements), whose files were changed after its build.
  const older = `${key.slice(0, -32)}${'0'.repeat(32)}`
  claimKey(venv, older)
  fs.writeFileSync(path.join(sitePackages(venv), 'sv_lib', '__init__.py'), 'VALUE = 43\n')
  await storeAs(older, venv, job.workspace)
  fs.writeFileSync(path.join(job.workspace, 'requirements.txt'), 'sv-tool==2.0\nsv-lib==1.0\n')
  try {
    const step = await runAction(job, { env: env() })
    expect(step.code).toBe(0)
    expect(step.outputs['cache-status']).toBe('miss')
    expect(annotationsOf(step, 'warning')).toEqual([
      `The nearest cache entry (${older}) cannot be synced: its files changed after it was built (the manifest in its stamp differs). The venv is built from scratch.`,
    ])
    expect(step.stdout).toContain('Create took')
    expect(await venvInUse(step)).toEqual(workingVenv(venv))
  } finally {
    fs.writeFileSync(
      path.join(job.workspace, 'requirements.txt'),
      SMALL_REQUIREMENTS['requirements.txt'] ?? '',
    )
  }
})
