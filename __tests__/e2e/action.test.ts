// The action end to end, for both cache protocols: the bundled dist/ runs as a runner step against the
// project's cache service with real venv, pip and wheels; a next step then uses what it exported.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheServer } from '../../test-support/cache-server/server.js'
import {
  buildTestIndex,
  LOG,
  newRunner,
  NO_CACHE_SERVICE_WARNING,
  NODES,
  runAction,
  startServer,
  stepEnv,
  type Job,
  type Protocol,
} from '../../test-support/e2e.js'
import { describeIf, lacksPython, testIf } from '../../test-support/needs.js'
import { nextStep, type StepResult } from '../../test-support/runner.js'

const REQUIREMENTS = {
  'requirements.txt': 'sv-tool==2.0\n-r more/requirements-lib.txt\n',
  'more/requirements-lib.txt': 'sv-lib\n',
}

// Every step runs on CPython 3.11 (stepEnv puts it first on PATH).
const needed = [lacksPython('3.11')]

let index: { url: string; dir: string }
beforeAll(() => {
  index = buildTestIndex()
})

// Each protocol runs the miss on one Node and the hit on the other, so both runtimes cover both paths.
describeIf(...needed).each<[Protocol, keyof typeof NODES, keyof typeof NODES]>([
  ['v2', 'node24', 'node20'],
  ['v1', 'node20', 'node24'],
])('protocol %s (miss on %s, hit on %s)', (protocol, missNode, hitNode) => {
  let server: CacheServer
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(async () => {
    await server.close()
  })

  const env = () => stepEnv(server, protocol, index.url)

  async function expectWorkingVenv(job: Job, step: StepResult): Promise<void> {
    const venv = path.join(job.workspace, '.venv')
    expect(step.env['VIRTUAL_ENV']).toBe(venv)
    expect(step.path).toEqual([path.join(venv, 'bin')])
    const py = await nextStep(step, [
      'python',
      '-c',
      'import os, shutil, sys, sv_lib, sv_tool; print(shutil.which("python")); print(sys.prefix); print(os.environ["VIRTUAL_ENV"])',
    ])
    expect(py.stderr).toBe('')
    expect(py.stdout.trim().split('\n')).toEqual([path.join(venv, 'bin', 'python'), venv, venv])
    const tool = await nextStep(step, ['sv-tool'])
    expect(tool.code).toBe(0)
    expect(tool.stdout.trim()).toBe(`sv-tool ok 42 ${venv}`)
  }

  test('a miss builds, saves and exports; a fresh runner then hits without pip', async () => {
    const job = newRunner(REQUIREMENTS)
    const miss = await runAction(job, { env: env(), node: NODES[missNode] })
    expect(miss.code).toBe(0)
    const key = miss.outputs['cache-key'] ?? ''
    expect(key).toMatch(/^setup-venv-v2-linux-[\w.-]+-x64-cpython3\.11\.\d+-[0-9a-f]{16}-[0-9a-f]{32}$/)
    expect(miss.outputs).toEqual({
      'cache-hit': 'false',
      'cache-status': 'miss',
      'cache-key': key,
      'venv-path': path.join(job.workspace, '.venv'),
      'python-path': path.join(job.workspace, '.venv', 'bin', 'python'),
      'python-version': miss.outputs['python-version'],
      dependencies: 'requirements.txt',
      project: 'none',
    })
    expect(miss.outputs['python-version']).toMatch(/^3\.11\.\d+$/)
    expect(miss.stdout).toContain(LOG.notFound(key))
    expect(miss.stdout).toContain(LOG.saved(key))
    expect(miss.annotations.filter((a) => a.level !== 'notice')).toEqual([])
    expect(server.entries().map((e) => e.key)).toContain(key)
    expect(miss.summary).toContain('<td>Cache</td><td>miss</td>')
    await expectWorkingVenv(job, miss)

    // A fresh runner: same workspace path, no venv, and no package index reachable at the same URL.
    fs.rmSync(path.join(job.workspace, '.venv'), { recursive: true })
    const hidden = `${index.dir}.hidden`
    fs.renameSync(index.dir, hidden)
    let hit: StepResult
    try {
      hit = await runAction(job, { env: env(), node: NODES[hitNode] })
    } finally {
      fs.renameSync(hidden, index.dir)
    }
    expect(hit.code).toBe(0)
    expect(hit.outputs['cache-hit']).toBe('true')
    expect(hit.outputs['cache-status']).toBe('hit')
    expect(hit.outputs['cache-key']).toBe(key)
    expect(hit.stdout).toContain(LOG.restored(key))
    expect(hit.stdout).not.toContain('Create took')
    expect(hit.stdout).not.toContain('Install took')
    expect(hit.stdout).not.toContain('Cache saved')
    expect(hit.annotations).toEqual([])
    await expectWorkingVenv(job, hit)
  })

  test('editing a requirement file, or a file it includes, changes the key and syncs', async () => {
    const job = newRunner(REQUIREMENTS)
    const first = await runAction(job, { env: env() })
    expect(first.code).toBe(0)
    const keys = [first.outputs['cache-key']]
    for (const [file, text] of [
      ['more/requirements-lib.txt', 'sv-lib==1.0\n'],
      ['requirements.txt', 'sv-tool>=2\n-r more/requirements-lib.txt\n'],
    ] as const) {
      fs.writeFileSync(path.join(job.workspace, file), text)
      const step = await runAction(job, { env: env() })
      expect(step.code).toBe(0)
      const key = step.outputs['cache-key'] ?? ''
      expect(keys).not.toContain(key)
      keys.push(key)
      // The last entry, under the same prefix, is synced to the new requirements (incremental: true).
      expect(step.outputs['cache-status']).toBe('synced')
      expect(step.stdout).toContain('Sync took')
      expect(step.stdout).toContain(LOG.saved(key))
      await expectWorkingVenv(job, step)
    }
  })

  test('cache: false makes no cache service call', async () => {
    const job = newRunner(REQUIREMENTS)
    server.requests.length = 0
    const step = await runAction(job, { env: env(), inputs: { cache: 'false' } })
    expect(step.code).toBe(0)
    expect(step.outputs['cache-status']).toBe('disabled')
    expect(server.requests).toEqual([])
    await expectWorkingVenv(job, step)
  })

  test('a package that does not exist fails the step naming it and its file, and saves nothing', async () => {
    const job = newRunner({ 'requirements.txt': 'sv-tool\nno-such-package-xyz==1.0\n' })
    const before = server.entries().length
    const step = await runAction(job, { env: env() })
    expect(step.code).toBe(1)
    const errors = step.annotations.filter((a) => a.level === 'error').map((a) => a.message)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^pip install failed \(exit code 1\)\./)
    expect(errors[0]).toContain('no-such-package-xyz')
    expect(errors[0]).toContain("'no-such-package-xyz' is asked for in requirements.txt:2.")
    expect(server.entries()).toHaveLength(before)
    expect(fs.existsSync(path.join(job.workspace, '.venv'))).toBe(false)
  })
})

testIf(...needed)('no cache service configured: a warning and a working venv', async () => {
  const job = newRunner(REQUIREMENTS)
  const step = await runAction(job, { env: stepEnv(undefined, 'v2', index.url) })
  expect(step.code).toBe(0)
  expect(step.outputs['cache-status']).toBe('error')
  expect(step.annotations).toEqual([NO_CACHE_SERVICE_WARNING])
  const tool = await nextStep(step, ['sv-tool'])
  expect(tool.stdout).toContain('sv-tool ok 42')
})
