// A real matrix: six legs, one per interpreter 3.8-3.13, run concurrently against one cache service as a
// workflow's matrix jobs would. Each leg is a job that builds and saves, then a fresh runner (venv gone,
// same workspace path) that must restore exactly its own entry. Most legs use the matrix idiom
// `python: ${{ matrix.python }}` (a version found in the runner's tool cache); two use the setup-python
// idiom (the tool cache interpreter's directory first on PATH, no `python` input).
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheServer } from '../../test-support/cache-server/server.js'
import {
  buildTestIndex,
  LOG,
  newRunner,
  runAction,
  startServer,
  stepEnv,
  tempDir,
  type Job,
} from '../../test-support/e2e.js'
import { lacksPythons, testIf } from '../../test-support/needs.js'
import { pyenvPython } from '../../test-support/pythons.js'
import { nextStep, type StepResult } from '../../test-support/runner.js'
import { layOutToolCache, pathWithoutPyenv, pyenvVersion } from '../../test-support/toolcache.js'

interface Leg {
  /** matrix.python */
  readonly python: string
  readonly via: 'input' | 'setup-python'
}

const LEGS: readonly Leg[] = [
  { python: '3.8', via: 'input' },
  { python: '3.9', via: 'setup-python' },
  { python: '3.10', via: 'input' },
  { python: '3.11', via: 'input' },
  { python: '3.12', via: 'input' },
  { python: '3.13', via: 'setup-python' },
]

// Each leg's interpreter is this machine's pyenv CPython of that version.
const it = testIf(...lacksPythons(...LEGS.map((leg) => leg.python)))

/** Two cores: three legs at a time keeps each within its step timeout while still overlapping. */
const CONCURRENT_LEGS = 3

const REQUIREMENTS = { 'requirements.txt': 'sv-tool==2.0\n' }
const VERSION_SCRIPT = 'import sys, sv_tool; print(sys.version.split()[0]); print(sys.prefix)'

const fullVersion = pyenvVersion

interface LegRun {
  readonly leg: Leg
  readonly full: string
  readonly job: Job
  readonly miss: StepResult
  readonly hit: StepResult
}

let server: CacheServer
let index: { url: string; dir: string }
/** One tool cache for every leg, as every hosted runner of an image has the same one. */
let toolCache: string
let runs: LegRun[]

function binDirOf(full: string): string {
  return path.join(toolCache, 'Python', full, 'x64', 'bin')
}

function legStep(leg: Leg, full: string): { env: Record<string, string>; inputs: Record<string, string> } {
  const base = pathWithoutPyenv()
  const env = {
    ...stepEnv(server, 'v2', index.url),
    RUNNER_TOOL_CACHE: toolCache,
    PATH: leg.via === 'setup-python' ? `${binDirOf(full)}${path.delimiter}${base}` : base,
  }
  return { env, inputs: leg.via === 'input' ? { python: leg.python } : {} }
}

async function runLeg(leg: Leg): Promise<LegRun> {
  const full = fullVersion(leg.python)
  const job = newRunner(REQUIREMENTS)
  const miss = await runAction(job, legStep(leg, full))
  // The next workflow run: a fresh runner, the same workspace path, no venv.
  fs.rmSync(path.join(job.workspace, '.venv'), { recursive: true, force: true })
  const hit = await runAction(job, legStep(leg, full))
  return { leg, full, job, miss, hit }
}

/** Runs `fn` over `items`, at most `limit` at once, keeping the order of `items` in the result. */
async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) results[i] = await fn(items[i] as T)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}

beforeAll(async () => {
  index = buildTestIndex()
  server = await startServer()
  toolCache = tempDir('toolcache')
  layOutToolCache(
    toolCache,
    LEGS.map((leg) => ({ version: fullVersion(leg.python), python: pyenvPython(leg.python) })),
  )
  runs = await mapLimit(LEGS, CONCURRENT_LEGS, runLeg)
}, 400_000)

afterAll(async () => {
  await server.close()
})

it('six legs, six keys: each miss builds from its own interpreter and saves its own entry', () => {
  for (const { leg, full, miss } of runs) {
    const key = miss.outputs['cache-key'] ?? ''
    expect({ leg, code: miss.code, status: miss.outputs['cache-status'] }).toEqual({
      leg,
      code: 0,
      status: 'miss',
    })
    expect(miss.outputs['python-version']).toBe(full)
    expect(key).toMatch(
      new RegExp(
        `^setup-venv-v2-linux-[\\w.-]+-x64-cpython${full.replace(/\./g, '\\.')}-[0-9a-f]{16}-[0-9a-f]{32}$`,
      ),
    )
    expect(miss.stdout).toContain(LOG.notFound(key))
    expect(miss.stdout).toContain(LOG.saved(key))
    if (leg.via === 'input') {
      const from = path.join(binDirOf(full), 'python3')
      expect(miss.stdout).toContain(`Input 'python' ${leg.python}: Python ${full} at ${from} (tool cache)`)
    } else {
      expect(miss.stdout).not.toContain("Input 'python'")
    }
  }
  // Where PATH has another interpreter of the leg's version too (Debian's python3.11 here, Ubuntu's
  // python3.12 in CI), the one picked is the highest.
  for (const { leg, full, miss } of runs) {
    const among = /the highest usable of ([\d., ]+)\./.exec(miss.stdout)?.[1]?.split(', ') ?? [full]
    expect({ leg, picked: among[0] }).toEqual({ leg, picked: full })
  }
  const keys = runs.map((r) => r.miss.outputs['cache-key'])
  expect(new Set(keys).size).toBe(LEGS.length)
  expect(server.entries().map((e) => e.key)).toEqual(expect.arrayContaining(keys))
})

it("each leg's fresh runner hits its own entry, and its next step runs the leg's Python from the venv", async () => {
  for (const { leg, full, job, miss, hit } of runs) {
    const key = miss.outputs['cache-key'] ?? ''
    expect({ leg, code: hit.code, hit: hit.outputs['cache-hit'] }).toEqual({ leg, code: 0, hit: 'true' })
    expect(hit.outputs['cache-key']).toBe(key)
    expect(hit.stdout).toContain(LOG.restored(key))
    expect(hit.stdout).not.toContain('-m venv')
    expect(hit.annotations.filter((a) => a.level !== 'notice')).toEqual([])
    const py = await nextStep(hit, ['python', '-c', VERSION_SCRIPT])
    expect(py.stdout.trim().split('\n')).toEqual([full, path.join(job.workspace, '.venv')])
    const tool = await nextStep(hit, ['sv-tool'])
    expect(tool.stdout.trim()).toBe(`sv-tool ok 42 ${path.join(job.workspace, '.venv')}`)
  }
})

it('switching the interpreter under the same path never hands over the old venv', async () => {
  // The 3.13 leg's runner, its venv in place; the workflow now sets up 3.12 instead (PATH only: the
  // action's inputs are unchanged).
  const run313 = runs.find((r) => r.leg.python === '3.13')
  if (run313 === undefined) throw new Error('no 3.13 leg')
  const key313 = run313.miss.outputs['cache-key'] ?? ''
  const full312 = fullVersion('3.12')
  const as312 = await runAction(run313.job, legStep({ python: '3.12', via: 'setup-python' }, full312))
  expect(as312.code).toBe(0)
  const key312 = as312.outputs['cache-key'] ?? ''
  expect(key312).not.toBe(key313)
  expect(as312.stdout).toContain(`Removing the venv already at ${path.join(run313.job.workspace, '.venv')}`)
  expect(as312.outputs['cache-status']).toBe('miss')
  expect(as312.stdout).toContain(LOG.notFound(key312))
  expect(as312.stdout).not.toContain('Cache restored')
  let py = await nextStep(as312, ['python', '-c', VERSION_SCRIPT])
  expect(py.stdout.split('\n')[0]).toBe(full312)

  // And back: the 3.13 entry is restored, and 3.13 runs.
  const back = await runAction(run313.job, legStep(run313.leg, run313.full))
  expect(back.outputs['cache-status']).toBe('hit')
  expect(back.outputs['cache-key']).toBe(key313)
  py = await nextStep(back, ['python', '-c', VERSION_SCRIPT])
  expect(py.stdout.split('\n')[0]).toBe(run313.full)
})
