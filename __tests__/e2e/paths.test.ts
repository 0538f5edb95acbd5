// Paths as users have them: spaces, a quote and non-ASCII letters in the workspace, the venv path, the
// working directory, the interpreter's path and the tool cache; and a base interpreter that is itself a
// venv's (two uses of the action in one job). Miss, hit on a fresh runner, and the next step each time.
import * as fs from 'node:fs'
import * as path from 'node:path'
import {
  annotationsOf,
  LOG,
  newRunner,
  runAction,
  SMALL_REQUIREMENTS,
  tempDir,
  type Job,
} from '../../test-support/e2e.js'
import { useIndexAndServer } from '../../test-support/e2e-jest.js'
import { describeIf, lacksPython, testIf } from '../../test-support/needs.js'
import { pyenvPython } from '../../test-support/pythons.js'
import { nextStep, type StepResult } from '../../test-support/runner.js'
import { layOutToolCache, pathWithoutPyenv, pyenvVersion } from '../../test-support/toolcache.js'

// Every step runs on CPython 3.11 (stepEnv puts it first on PATH, or the tool cache links to it).
const needed = [lacksPython('3.11')]

const fixture = useIndexAndServer()
const env = () => fixture.env()

/** A runner whose every directory sits under a folder named with a space, a quote and non-ASCII letters. */
function spacedRunner(files: Record<string, string>): Job {
  const root = path.join(tempDir('paths'), "actions runner's ünïcode")
  const workspace = path.join(root, 'workspace')
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true })
    fs.writeFileSync(path.join(workspace, rel), text)
  }
  return { root, workspace }
}

/** Runs the step with the package index out of reach, as a fresh runner that must not need it. */
async function withoutIndex<T>(fn: () => Promise<T>): Promise<T> {
  const dir = fixture.index.dir
  const hidden = `${dir}.hidden`
  fs.renameSync(dir, hidden)
  try {
    return await fn()
  } finally {
    fs.renameSync(hidden, dir)
  }
}

async function expectUsable(step: StepResult, venv: string): Promise<void> {
  expect(step.env['VIRTUAL_ENV']).toBe(venv)
  const py = await nextStep(step, [
    'python',
    '-c',
    'import shutil, sys, sv_tool; print(shutil.which("python")); print(sys.prefix)',
  ])
  expect(py.stderr).toBe('')
  expect(py.stdout.trim().split('\n')).toEqual([path.join(venv, 'bin', 'python'), venv])
  // A console script whose interpreter path holds a space (pip writes a /bin/sh trampoline for it).
  const tool = await nextStep(step, ['sv-tool'])
  expect(tool.stderr).toBe('')
  expect(tool.stdout.trim()).toBe(`sv-tool ok 42 ${venv}`)
}

testIf(...needed)(
  'spaces, a quote and non-ASCII in every path: miss, then a hit on a fresh runner',
  async () => {
    const job = spacedRunner({ 'sub dir/requirements.txt': 'sv-tool==2.0\n' })
    const version = pyenvVersion('3.11')
    const [toolCachePython] = layOutToolCache(path.join(job.root, 'toolcache'), [
      { version, python: pyenvPython('3.11') },
    ])
    // No pyenv on PATH: the tool cache's 3.11 (under the spaced root) is the highest 3.11 there is, and must
    // be picked over the system's.
    const stepEnv = { ...env(), PATH: pathWithoutPyenv() }
    const inputs = { python: '3.11', path: 'my venv', 'working-directory': 'sub dir' }
    const venv = path.join(job.workspace, 'sub dir', 'my venv')

    const miss = await runAction(job, { env: stepEnv, inputs })
    expect(miss.stderr).toBe('')
    expect(miss.code).toBe(0)
    expect(annotationsOf(miss, 'error')).toEqual([])
    expect(annotationsOf(miss, 'warning')).toEqual([])
    expect(miss.outputs['python-version']).toBe(version)
    expect(miss.outputs['venv-path']).toBe(venv)
    expect(miss.stdout).toContain(`Input 'python' 3.11: Python ${version} at ${toolCachePython} (tool cache)`)
    expect(fs.readFileSync(path.join(venv, 'pyvenv.cfg'), 'utf8')).toContain(
      `home = ${path.dirname(toolCachePython ?? '')}`,
    )
    const key = miss.outputs['cache-key'] ?? ''
    expect(miss.stdout).toContain(LOG.saved(key))
    await expectUsable(miss, venv)

    fs.rmSync(venv, { recursive: true })
    const hit = await withoutIndex(() => runAction(job, { env: stepEnv, inputs }))
    expect(hit.code).toBe(0)
    expect(hit.annotations).toEqual([])
    expect(hit.outputs['cache-status']).toBe('hit')
    expect(hit.outputs['cache-key']).toBe(key)
    await expectUsable(hit, venv)
  },
)

describeIf(...needed)("a venv's interpreter as the base", () => {
  let base: string
  beforeAll(() => {
    base = pyenvPython('3.11')
  })

  /** Two uses of the action in one job, the second with `python` left empty. */
  async function twoUses(job: Job): Promise<[StepResult, StepResult]> {
    const lint = await runAction(job, { env: env(), inputs: { path: '.venv-lint' } })
    expect(lint.code).toBe(0)
    const test = await runAction(job, { env: env(), inputs: { path: '.venv-test' }, prev: lint })
    expect(test.code).toBe(0)
    return [lint, test]
  }

  test('the second of two uses is built from the real base, and both hit in a later job', async () => {
    const job = newRunner(SMALL_REQUIREMENTS)
    const [lint, test] = await twoUses(job)
    const lintVenv = path.join(job.workspace, '.venv-lint')
    expect(test.stdout).toContain(`(the base of the venv at ${lintVenv})`)
    expect(test.stdout).toContain(
      `Python ${pyenvVersion('3.11')} at ${base} (the base of the venv at ${lintVenv})`,
    )
    for (const venv of ['.venv-lint', '.venv-test']) {
      expect(fs.readFileSync(path.join(job.workspace, venv, 'pyvenv.cfg'), 'utf8')).toContain(
        `home = ${path.dirname(base)}\n`,
      )
    }
    expect(test.annotations).toEqual([])

    // A later job on a fresh runner: both venvs come from the cache.
    for (const venv of ['.venv-lint', '.venv-test'])
      fs.rmSync(path.join(job.workspace, venv), { recursive: true })
    const [lintHit, testHit] = await withoutIndex(() => twoUses(job))
    for (const [step, first] of [
      [lintHit, lint],
      [testHit, test],
    ] as const) {
      expect(step.annotations).toEqual([])
      expect(step.outputs['cache-status']).toBe('hit')
      expect(step.outputs['cache-key']).toBe(first.outputs['cache-key'])
    }
    await expectUsable(testHit, path.join(job.workspace, '.venv-test'))
  })

  test("python given as another venv's interpreter resolves to that venv's base", async () => {
    const job = newRunner(SMALL_REQUIREMENTS)
    const other = await runAction(job, { env: env(), inputs: { path: '.venv-other', cache: 'false' } })
    expect(other.code).toBe(0)
    const step = await runAction(job, { env: env(), inputs: { python: '.venv-other/bin/python' } })
    expect(step.code).toBe(0)
    expect(step.stdout).toContain(`(the base of the venv at ${path.join(job.workspace, '.venv-other')})`)
    expect(fs.readFileSync(path.join(job.workspace, '.venv', 'pyvenv.cfg'), 'utf8')).toContain(
      `home = ${path.dirname(base)}\n`,
    )
    // The same key as a step that names the base by the same name: the other venv is not part of it.
    const direct = await runAction(job, {
      env: env(),
      inputs: { python: path.join(path.dirname(base), 'python') },
    })
    expect(direct.outputs['cache-key']).toBe(step.outputs['cache-key'])
    expect(direct.outputs['cache-status']).toBe('hit')
  })
})
