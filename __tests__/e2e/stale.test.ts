// A hit only when the venv is what a fresh build would give. End to end, with the bundled action as a
// runner step, real pip and real wheels, against the project's cache service: each setup below used to get
// a stale venv from the cache; each run here changes one thing and checks what the next step sees.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheServer } from '../../test-support/cache-server/server.js'
import {
  annotationsOf,
  newRunner,
  runAction,
  snapshot,
  startServer,
  tempDir,
  type Job,
} from '../../test-support/e2e.js'
import { describeIf, lacksLocalIndex, lacksPython } from '../../test-support/needs.js'
import { localIndexUrl, pyenvPython } from '../../test-support/pythons.js'
import { nextStep, type StepResult } from '../../test-support/runner.js'
import { buildIndex, buildWheel, wheelFromIndex } from '../../test-support/wheels.js'

const needed = [lacksPython('3.11'), lacksLocalIndex()]
const group = describeIf(...needed)

const FLIT = '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'

/** A local flit project `lp` whose module says which version of its source runs. */
function localProject(dir: string, dependencies: string[]): Record<string, string> {
  const deps = dependencies.map((d) => `"${d}"`).join(', ')
  return {
    [`${dir}/pyproject.toml`]: `${FLIT}\n[project]\nname = "lp"\nversion = "1.0"\ndescription = "local"\ndependencies = [${deps}]\n`,
    [`${dir}/lp/__init__.py`]: 'SOURCE = "first"\n',
  }
}

group('what the key covers, and what is installed fresh every run', () => {
  let server: CacheServer
  let index: { url: string; dir: string }
  let wheelDir: string
  beforeAll(async () => {
    index = { dir: tempDir('stale-index'), url: '' }
    wheelDir = path.join(index.dir, 'wheels')
    fs.mkdirSync(wheelDir)
    const wheels = [
      buildWheel(wheelDir, { name: 'sv-lib', version: '1.0', code: 'VALUE = "1.0"\n' }),
      buildWheel(wheelDir, { name: 'sv-lib', version: '2.0', code: 'VALUE = "2.0"\n' }),
      buildWheel(wheelDir, { name: 'sv-extra', version: '1.0' }),
      // A real build backend and pip, so that a fresh runner can be left with no index at all.
      wheelFromIndex(localIndexUrl(), 'flit-core'),
      wheelFromIndex(localIndexUrl(), 'pip'),
    ]
    index.url = buildIndex(index.dir, wheels)
    server = await startServer()
  })
  afterAll(async () => {
    await server.close()
  })

  function env(more: Record<string, string> = {}): Record<string, string> {
    return {
      ...server.envV2(),
      PATH: `${path.dirname(pyenvPython('3.11'))}${path.delimiter}${process.env['PATH'] ?? ''}`,
      PIP_INDEX_URL: index.url,
      PIP_CONFIG_FILE: '/dev/null',
      PIP_NO_CACHE_DIR: '1',
      ...more,
    }
  }

  async function step(job: Job, inputs: Record<string, string> = {}, more: Record<string, string> = {}) {
    const result = await runAction(job, { env: env(more), inputs })
    if (result.code !== 0) throw new Error(`step failed:\n${result.stdout}\n${result.stderr}`)
    return result
  }

  async function python(result: StepResult, code: string): Promise<string> {
    const out = await nextStep(result, ['python', '-c', code])
    return `${out.stdout.trim()}${out.stderr.trim() === '' ? '' : ` ${out.stderr.trim().split('\n').pop() ?? ''}`}`
  }

  /** Runs `fn` as on a fresh runner: the venv gone, the dependency index out of reach. */
  async function fresh<T>(job: Job, fn: () => Promise<T>): Promise<T> {
    fs.rmSync(path.join(job.workspace, '.venv'), { recursive: true, force: true })
    fs.renameSync(index.dir, `${index.dir}.hidden`)
    try {
      return await fn()
    } finally {
      fs.renameSync(`${index.dir}.hidden`, index.dir)
    }
  }

  test('-e . in requirements.txt: a dependency added to its pyproject.toml changes the key', async () => {
    const job = newRunner({ 'requirements.txt': '-e ./lp\n', ...localProject('lp', ['sv-lib==1.0']) })
    const first = await step(job)
    expect(first.outputs['project']).toBe(`requirements.txt:1: ${path.join(job.workspace, 'lp')} (editable)`)
    expect(await python(first, 'import lp, sv_lib; print(lp.SOURCE, sv_lib.VALUE)')).toBe('first 1.0')
    // Unchanged: a hit with the index out of reach, the project installed again.
    const hit = await fresh(job, () => step(job))
    expect(hit.outputs['cache-status']).toBe('hit')
    expect(await python(hit, 'import lp; print(lp.SOURCE)')).toBe('first')
    // A new dependency of the local project: a new key, and it is there.
    const file = path.join(job.workspace, 'lp', 'pyproject.toml')
    fs.writeFileSync(
      file,
      fs.readFileSync(file, 'utf8').replace('"sv-lib==1.0"', '"sv-lib==1.0", "sv-extra"'),
    )
    const moved = await step(job)
    expect(moved.outputs['cache-key']).not.toBe(first.outputs['cache-key'])
    expect(await python(moved, 'import sv_extra; print("ok")')).toBe('ok')
  })

  test('. (a regular install) in requirements.txt: a source change is seen on a hit', async () => {
    const job = newRunner({ 'requirements.txt': './lp\n', ...localProject('lp', []) })
    const first = await step(job)
    expect(await python(first, 'import lp; print(lp.SOURCE)')).toBe('first')
    fs.writeFileSync(path.join(job.workspace, 'lp', 'lp', '__init__.py'), 'SOURCE = "second"\n')
    const hit = await fresh(job, () => step(job))
    expect(hit.outputs['cache-status']).toBe('hit')
    expect(await python(hit, 'import lp; print(lp.SOURCE, lp.__file__)')).toMatch(/^second .*site-packages/)
  })

  test('--find-links ./wheels: a newer wheel dropped in changes the key', async () => {
    const job = newRunner({ 'requirements.txt': '--find-links ./wheels\nsv-lib\n' })
    const links = path.join(job.workspace, 'wheels')
    fs.mkdirSync(links)
    fs.copyFileSync(
      path.join(wheelDir, 'sv_lib-1.0-py3-none-any.whl'),
      path.join(links, 'sv_lib-1.0-py3-none-any.whl'),
    )
    const noIndex = { PIP_INDEX_URL: '', PIP_NO_INDEX: '1' }
    const first = await step(job, {}, noIndex)
    expect(await python(first, 'import sv_lib; print(sv_lib.VALUE)')).toBe('1.0')
    fs.rmSync(path.join(links, 'sv_lib-1.0-py3-none-any.whl'))
    fs.copyFileSync(
      path.join(wheelDir, 'sv_lib-2.0-py3-none-any.whl'),
      path.join(links, 'sv_lib-2.0-py3-none-any.whl'),
    )
    const second = await step(job, {}, noIndex)
    expect(second.outputs['cache-key']).not.toBe(first.outputs['cache-key'])
    expect(await python(second, 'import sv_lib; print(sv_lib.VALUE)')).toBe('2.0')
  })

  test('PIP_CONSTRAINT: a changed pin changes the key; a neutral setting does not', async () => {
    const job = newRunner({ 'requirements.txt': 'sv-lib\n', 'constraints.txt': 'sv-lib==1.0\n' })
    const constraint = { PIP_CONSTRAINT: path.join(job.workspace, 'constraints.txt') }
    const first = await step(job, {}, constraint)
    expect(await python(first, 'import sv_lib; print(sv_lib.VALUE)')).toBe('1.0')
    const neutral = await fresh(job, () =>
      step(job, {}, { ...constraint, PIP_PROGRESS_BAR: 'off', PIP_TIMEOUT: '5' }),
    )
    expect([neutral.outputs['cache-status'], neutral.outputs['cache-key']]).toEqual([
      'hit',
      first.outputs['cache-key'],
    ])
    fs.writeFileSync(path.join(job.workspace, 'constraints.txt'), 'sv-lib==2.0\n')
    const second = await step(job, {}, constraint)
    expect(second.outputs['cache-key']).not.toBe(first.outputs['cache-key'])
    expect(await python(second, 'import sv_lib; print(sv_lib.VALUE)')).toBe('2.0')
  })

  test('pip-version and a PEP 751 lock made by that pip', async () => {
    const job = newRunner({ 'requirements.txt': 'sv-lib==1.0\n' })
    const bundled = await step(job, { 'cache-suffix': 'bundled-pip' })
    const pinned = await step(job, { 'pip-version': '26.2.1', 'cache-suffix': 'bundled-pip' })
    expect(await python(pinned, 'import pip; print(pip.__version__)')).toBe('26.2.1')
    expect(pinned.outputs['cache-key']).not.toBe(bundled.outputs['cache-key'])
    // A lock made by that pip, from the dependency index.
    const locked = await nextStep(
      pinned,
      ['python', '-m', 'pip', 'lock', 'sv-lib==2.0', '-o', 'pylock.toml'],
      {
        env: { PIP_INDEX_URL: index.url, PIP_CONFIG_FILE: '/dev/null' },
      },
    )
    expect(locked.stderr).not.toContain('ERROR')
    fs.rmSync(path.join(job.workspace, 'requirements.txt'))
    const fromLock = await step(job, { requirements: 'pylock.toml', 'pip-version': '26.2.1' })
    expect(fromLock.outputs['dependencies']).toBe('pylock.toml')
    expect(await python(fromLock, 'import sv_lib; print(sv_lib.VALUE)')).toBe('2.0')
    // Editing the lock changes the key.
    const lock = path.join(job.workspace, 'pylock.toml')
    fs.appendFileSync(lock, '\n# edited\n')
    const edited = await step(job, { requirements: 'pylock.toml', 'pip-version': '26.2.1' })
    expect(edited.outputs['cache-key']).not.toBe(fromLock.outputs['cache-key'])
    // With the bundled pip (23.2.1 here), refused before anything changes.
    const before = snapshot(job.workspace)
    const refused = await runAction(job, { env: env(), inputs: { requirements: 'pylock.toml' } })
    expect(refused.code).toBe(1)
    expect(annotationsOf(refused, 'error')).toEqual([
      `${lock} is a PEP 751 lock, which pip reads from version 26.1 on, and the venv's pip is 23.2.1 (the bundled one). ` +
        "Set 'pip-version' to 26.1 or later, e.g. pip-version: 26.2.1.",
    ])
    expect(snapshot(job.workspace)).toEqual(before)
  })

  test("a pip-version the index lacks fails with pip's message and the input named; nothing is saved", async () => {
    const job = newRunner({ 'requirements.txt': 'sv-lib==1.0\n' })
    const entries = server.entries().length
    const result = await runAction(job, { env: env(), inputs: { 'pip-version': '99.0' } })
    expect(result.code).toBe(1)
    const [error] = annotationsOf(result, 'error')
    expect(error).toMatch(/^Input 'pip-version': pip 99\.0 could not be installed \(exit code 1\)\.\n/)
    expect(error).toContain('ERROR: No matching distribution found for pip==99.0')
    expect(error).toMatch(/Give a version the package index has, or pip-version: bundled\.$/)
    expect(fs.existsSync(path.join(job.workspace, '.venv'))).toBe(false)
    expect(server.entries()).toHaveLength(entries)
  })

  test.each(['uv.lock', 'poetry.lock', 'Pipfile.lock'])(
    '%s: a warning alone, an error when listed',
    async (name) => {
      const job = newRunner({ [name]: '# a lock\n' })
      const alone = await step(job)
      expect(annotationsOf(alone, 'warning')).toEqual([
        expect.stringMatching(
          new RegExp(
            `^${path.join(job.workspace, name).replace(/\./g, '\\.')} is a lock file pip cannot read\\. Export it`,
          ),
        ),
      ])
      const listed = await runAction(job, { env: env(), inputs: { requirements: name } })
      expect(listed.code).toBe(1)
      expect(annotationsOf(listed, 'error')[0]).toMatch(
        new RegExp(
          `^Input 'requirements': '${name.replace(/\./g, '\\.')}': .* is a lock file pip cannot read`,
        ),
      )
    },
  )
})
