// restoredProblem (src/venv.ts): every cause it gives for a restored venv that cannot be handed over, each
// with the right `inEntry` (the entry itself is at fault, so a new cache-suffix helps; or this runner's base
// interpreter is not the one the venv was made from). On a real venv: one `python -m venv --without-pip` of
// a pyenv CPython 3.11, copied to a path of its own for each case (a venv's prefix follows its pyvenv.cfg),
// stamped there by checkBuilt as a build stamps it, then broken in one way.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import type { RunnerContext } from '../../src/context.js'
import { makePlan, type Plan } from '../../src/plan.js'
import { probePython, probeVenvPython, type PythonFacts } from '../../src/probe.js'
import { checkBuilt, restoredProblem, type VenvProblem } from '../../src/venv.js'
import { testDependencies, testInputs } from '../../test-support/fixtures.js'
import { describeIf, lacksPython, testIf } from '../../test-support/needs.js'
import { pyenvPython } from '../../test-support/pythons.js'

const STAMP = '.setup-venv.json'

let root: string
let template: string
let base: PythonFacts

/** A good venv at a path of its own, stamped for its plan: restoredProblem finds nothing wrong with it. */
async function goodVenv(name: string): Promise<Plan> {
  const workspace = path.join(root, name)
  const ctx: RunnerContext = {
    os: 'linux',
    env: {},
    workspace,
    home: os.homedir(),
    osRelease: undefined,
    kernelRelease: os.release(),
  }
  const plan = makePlan(ctx, testInputs(), base, testDependencies(), [])
  fs.cpSync(template, plan.venvDir, { recursive: true, verbatimSymlinks: true })
  expect(await checkBuilt(plan)).toBeUndefined()
  return plan
}

function editStamp(plan: Plan, fields: Record<string, unknown>): void {
  const file = path.join(plan.venvDir, STAMP)
  const stamp = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>
  fs.writeFileSync(file, JSON.stringify({ ...stamp, ...fields }))
}

/** Rewrites pyvenv.cfg's `name = ...` line (or drops it, for undefined). */
function editCfg(plan: Plan, name: string, value: string | undefined): void {
  const file = plan.layout.pyvenvCfg
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  const edited = lines.flatMap((l) =>
    l.startsWith(`${name} =`) ? (value === undefined ? [] : [`${name} = ${value}`]) : [l],
  )
  expect(edited).not.toEqual(lines)
  fs.writeFileSync(file, edited.join('\n'))
}

/** The venv's `python` replaced by a script. */
function replaceInterpreter(plan: Plan, script: string): void {
  fs.rmSync(plan.layout.python)
  fs.writeFileSync(plan.layout.python, `#!/bin/sh\n${script}\n`, { mode: 0o755 })
}

/**
 * The stamp's manifest made to match the venv as it is now, as in an entry that claims to be sound (a bug,
 * a poisoned cache): the check then gets past the files to what the interpreter reports.
 */
async function restamp(plan: Plan): Promise<void> {
  const { binDir, pyvenvCfg } = plan.layout
  const facts = await probeVenvPython(plan.layout.python, {
    dir: plan.venvDir,
    binDir,
    pyvenvCfg,
    stampFile: STAMP,
  })
  editStamp(plan, { manifest: facts.manifest })
}

const inEntry = (cause: string): VenvProblem => ({ cause, inEntry: true })
const onRunner = (cause: string): VenvProblem => ({ cause, inEntry: false })

describeIf(lacksPython('3.11'))('restoredProblem', () => {
  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-venv-unit-venv-'))
    template = path.join(root, 'template')
    execFileSync(pyenvPython('3.11'), ['-m', 'venv', '--without-pip', template])
  })
  beforeAll(async () => {
    base = await probePython(pyenvPython('3.11'))
  })
  afterAll(() => {
    fs.rmSync(root, { recursive: true, force: true })
  })

  test('a sound venv, stamped by its build: nothing', async () => {
    const plan = await goodVenv('sound')
    expect(await restoredProblem(plan)).toBeUndefined()
  })

  const cases: [string, (plan: Plan) => void | Promise<void>, (plan: Plan) => VenvProblem][] = [
    [
      'no stamp',
      (plan) => {
        fs.rmSync(path.join(plan.venvDir, STAMP))
      },
      () => inEntry(`it has no readable ${STAMP} stamp`),
    ],
    [
      'a stamp that is not JSON',
      (plan) => {
        fs.writeFileSync(path.join(plan.venvDir, STAMP), '{')
      },
      () => inEntry(`it has no readable ${STAMP} stamp`),
    ],
    [
      'a stamp for another path',
      (plan) => {
        editStamp(plan, { venvPath: '/elsewhere/.venv', key: 'another' })
      },
      () => inEntry('it was built for another path (/elsewhere/.venv)'),
    ],
    [
      'a stamp for another key',
      (plan) => {
        editStamp(plan, { key: `${plan.keyPrefix}another` })
      },
      (plan) => inEntry(`its stamp names another key (${plan.keyPrefix}another)`),
    ],
    [
      'no pyvenv.cfg',
      (plan) => {
        fs.rmSync(plan.layout.pyvenvCfg)
      },
      () => inEntry('its pyvenv.cfg is missing or names no home'),
    ],
    [
      'a pyvenv.cfg without home',
      (plan) => {
        editCfg(plan, 'home', undefined)
      },
      () => inEntry('its pyvenv.cfg is missing or names no home'),
    ],
    [
      'a home that is missing',
      (plan) => {
        editCfg(plan, 'home', path.join(root, 'gone', 'bin'))
      },
      () =>
        onRunner(
          `the base interpreter it points to (home = ${path.join(root, 'gone', 'bin')} in pyvenv.cfg) is missing`,
        ),
    ],
    [
      'a home of another base interpreter',
      (plan) => {
        editCfg(plan, 'home', root)
      },
      () =>
        onRunner(
          `it points to another base interpreter (home = ${root} in pyvenv.cfg, not ${path.dirname(base.executable)})`,
        ),
    ],
    [
      'built for another version',
      (plan) => {
        editCfg(plan, 'version', '3.11.0')
      },
      () => onRunner(`it was built for Python 3.11.0 (version in pyvenv.cfg), not ${base.version}`),
    ],
    [
      'its interpreter missing',
      (plan) => {
        fs.rmSync(plan.layout.python)
      },
      (plan) => inEntry(`its interpreter ${plan.layout.python} is missing`),
    ],
    [
      'its interpreter does not start',
      (plan) => {
        replaceInterpreter(plan, 'echo broken >&2; exit 3')
      },
      (plan) =>
        onRunner(
          `its interpreter does not start: Python at '${plan.layout.python}' failed to start (exit 3): broken`,
        ),
    ],
    [
      'a file added after the build',
      (plan) => {
        fs.writeFileSync(path.join(plan.venvDir, 'lib', 'python3.11', 'site-packages', 'added.py'), '')
      },
      () => inEntry('its files changed after it was built (the manifest in its stamp differs)'),
    ],
    [
      'an interpreter with the prefix of another',
      async (plan) => {
        // Starts the base interpreter itself, whose prefix is its own, not the venv's.
        replaceInterpreter(plan, `exec '${base.executable}' "$@"`)
        await restamp(plan)
      },
      (plan) => onRunner(`its interpreter's prefix is ${base.prefix}, not ${plan.venvDir}`),
    ],
  ]
  test.each(cases)('%s', async (name, breakIt, expected) => {
    const plan = await goodVenv(name.replace(/\W+/g, '-'))
    await breakIt(plan)
    expect(await restoredProblem(plan)).toEqual(expected(plan))
  })

  test('the stamp of the planned key, checked for an older entry (a sync): another key', async () => {
    const plan = await goodVenv('nearest')
    const older = `${plan.keyPrefix}00000000000000000000000000000000`
    expect(await restoredProblem(plan, older)).toEqual(inEntry(`its stamp names another key (${plan.key})`))
  })

  testIf(lacksPython('3.12'))('an interpreter of another version', async () => {
    const plan = await goodVenv('other-version')
    const other = await probePython(pyenvPython('3.12'))
    replaceInterpreter(plan, `exec '${other.executable}' "$@"`)
    await restamp(plan)
    expect(await restoredProblem(plan)).toEqual(
      onRunner(`its interpreter is Python ${other.version}, not ${base.version}`),
    )
  })
})
