// `python: '3.12'`: the bundled action finds the interpreter in the runner's tool cache (RUNNER_TOOL_CACHE,
// the job's toolcache directory here) laid out as actions/setup-python leaves it, with links to this
// machine's real interpreters. The step's PATH has no pyenv, as on a runner without a setup step.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheServer } from '../../test-support/cache-server/server.js'
import { buildTestIndex, LOG, newRunner, runAction, startServer, stepEnv } from '../../test-support/e2e.js'
import { lacksPythons, testIf } from '../../test-support/needs.js'
import { pyenvPython } from '../../test-support/pythons.js'
import { nextStep } from '../../test-support/runner.js'
import { layOutToolCache, pathWithoutPyenv, pyenvVersion } from '../../test-support/toolcache.js'

// This machine's versions (pyenv's here: 3.11.7, 3.12.1, 3.13.0; whatever setup-python installed in CI).
const needed = lacksPythons('3.11', '3.12', '3.13')
const it = testIf(...needed)
/** The full version of this machine's `minor`; '' where an interpreter is missing (every test is skipped then). */
const versionOf = (minor: string) => (needed.some((r) => r !== undefined) ? '' : pyenvVersion(minor))
const V311 = versionOf('3.11')
const V312 = versionOf('3.12')
const V313 = versionOf('3.13')

let server: CacheServer
let index: { url: string; dir: string }
beforeAll(async () => {
  index = buildTestIndex()
  server = await startServer()
})
afterAll(async () => {
  await server.close()
})

/** A fresh runner whose tool cache holds a 3.11, two 3.12s, an unfinished 3.12.99 and a 3.13. */
function runnerWithToolCache() {
  const job = newRunner({ 'requirements.txt': 'sv-tool==2.0\n' })
  const toolCache = path.join(job.root, 'toolcache') // what the step runner sets RUNNER_TOOL_CACHE to
  layOutToolCache(toolCache, [
    { version: V311, python: pyenvPython('3.11') },
    // This machine has one 3.12, so the lower 3.12.0 links to it too: which directory was picked shows
    // in the interpreter's path.
    { version: '3.12.0', python: pyenvPython('3.12') },
    { version: V312, python: pyenvPython('3.12') },
    { version: '3.12.99', python: pyenvPython('3.12'), complete: false },
    { version: V313, python: pyenvPython('3.13') },
  ])
  return { job, toolCache, env: { ...stepEnv(server, 'v2', index.url), PATH: pathWithoutPyenv() } }
}

it("python: '3.12' builds the venv from the highest finished 3.12 in the tool cache", async () => {
  const { job, toolCache, env } = runnerWithToolCache()
  const picked = path.join(toolCache, 'Python', V312, 'x64', 'bin', 'python3')
  const step = await runAction(job, { env, inputs: { python: '3.12' } })
  expect(step.code).toBe(0)
  // (A python3.12 on PATH, older than the tool cache's, may be listed too: Ubuntu 24.04 has one.)
  expect(step.stdout).toContain(
    `Input 'python' 3.12: Python ${V312} at ${picked} (tool cache), the highest usable of ${V312}, `,
  )
  expect(step.stdout).toMatch(/the highest usable of [\d., ]*3\.12\.0\./)
  expect(step.outputs['python-version']).toBe(V312)
  const key = step.outputs['cache-key'] ?? ''
  expect(key).toMatch(new RegExp(`-x64-cpython${V312.replace(/\./g, '\\.')}-[0-9a-f]{16}-[0-9a-f]{32}$`))
  expect(step.stdout).toContain(LOG.saved(key))
  // The venv was made by that interpreter, through that path.
  const cfg = fs.readFileSync(path.join(job.workspace, '.venv', 'pyvenv.cfg'), 'utf8')
  expect(cfg).toContain(`home = ${path.dirname(picked)}\n`)
  const py = await nextStep(step, [
    'python',
    '-c',
    'import sys, sv_tool; print(sys.version.split()[0], sys.prefix)',
  ])
  expect(py.stdout.trim()).toBe(`${V312} ${path.join(job.workspace, '.venv')}`)

  // A fresh runner with the setup-python idiom instead (the install's bin/ first on PATH, no `python`
  // input): the same interpreter by the same path, so the same key, and the entry just saved is restored.
  fs.rmSync(path.join(job.workspace, '.venv'), { recursive: true })
  const pathFirst = `${path.dirname(picked)}${path.delimiter}${env.PATH}`
  const viaPath = await runAction(job, { env: { ...env, PATH: pathFirst } })
  expect(viaPath.outputs['cache-key']).toBe(key)
  expect(viaPath.outputs['cache-hit']).toBe('true')
  expect(viaPath.stdout).not.toContain("Input 'python'")

  // Both at once, as a workflow with setup-python and `python: '3.12'` has it: PATH's bin/python3.12 is the
  // tool cache's interpreter, named by its tool cache path, so again the same key.
  fs.rmSync(path.join(job.workspace, '.venv'), { recursive: true })
  const both = await runAction(job, { env: { ...env, PATH: pathFirst }, inputs: { python: '3.12' } })
  expect(both.stdout).toContain(`Input 'python' 3.12: Python ${V312} at ${picked} (tool cache)`)
  expect(both.outputs['cache-key']).toBe(key)
  expect(both.outputs['cache-hit']).toBe('true')
})

it("python: '3.99' fails before anything is built, listing the interpreters it found", async () => {
  const { job, toolCache, env } = runnerWithToolCache()
  const entries = server.entries().length
  const step = await runAction(job, { env, inputs: { python: '3.99' } })
  expect(step.code).toBe(1)
  const errors = step.annotations.filter((a) => a.level === 'error').map((a) => a.message)
  expect(errors).toHaveLength(1)
  const message = errors[0] ?? ''
  const inCache = (v: string) =>
    `${v} at ${path.join(toolCache, 'Python', v, 'x64', 'bin', 'python3')} (tool cache)`
  expect(message).toContain(
    `Input 'python': no Python 3.99 found. Looked at python3.99 on PATH and the tool cache ${toolCache}/Python (x64).`,
  )
  for (const v of [V313, V312, V311]) expect(message).toContain(inCache(v))
  // The directory named 3.12.0 holds this machine's 3.12: the lookup asks the interpreter, not the name.
  expect(message).toContain(
    `3.12.0 at ${path.join(toolCache, 'Python', '3.12.0', 'x64', 'bin', 'python3')} (it reports ${V312})`,
  )
  expect(message).toContain('3.12.99 in the tool cache (unfinished install: no x64.complete)')
  expect(message).toContain("Add actions/setup-python with python-version: '3.99' before this step")
  expect(fs.existsSync(path.join(job.workspace, '.venv'))).toBe(false)
  expect(server.entries()).toHaveLength(entries)
})
