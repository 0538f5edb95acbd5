// Projects that declare their dependencies in pyproject.toml, end to end: the bundled action as a runner
// step, real pip, a real build backend (flit_core from this machine's local index) and tiny real wheels,
// against the project's cache service. Dependencies, extras (one referring to the other), dependency groups
// (one including the other), the project installed after the venv is ready, the key's rules, and errors.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheServer } from '../../test-support/cache-server/server.js'
import {
  annotationsOf,
  LOG,
  newRunner,
  runAction,
  snapshot,
  startServer,
  tempDir,
  type Job,
} from '../../test-support/e2e.js'
import { lacksLocalIndex, lacksPython, describeIf, testIf } from '../../test-support/needs.js'
import { localIndexUrl, pyenvPython } from '../../test-support/pythons.js'
import { nextStep, type StepResult } from '../../test-support/runner.js'
import { buildIndex, buildWheel, wheelFromIndex } from '../../test-support/wheels.js'

// Real wheels of the build backend come from this machine's local index, and the compiled ones are for 3.11.
const needed = [lacksPython('3.11'), lacksLocalIndex()]
const missing = needed.some((r) => r !== undefined)
const it = testIf(...needed)
const group = describeIf(...needed)

const PYPROJECT = `[build-system]
requires = ["flit_core>=3.4"]
build-backend = "flit_core.buildapi"

[project]
name = "demo_app"
version = "0.1.0"
description = "A project for the tests"
dependencies = ["pp-core>=1"]

[project.optional-dependencies]
lint = ["pp-lint"]
test = ["pp-test", "demo-app[lint]"]
docs = ["pp-docs"]

[dependency-groups]
typing = ["pp-typing"]
dev = ["pp-dev", {include-group = "typing"}]
bench = ["pp-bench"]

[tool.black]
line-length = 100
`

/** A flit project with `src/` layout (or flat), whose module prints where it runs from. */
function projectFiles(layout: 'src' | 'flat', pyproject = PYPROJECT): Record<string, string> {
  const module = layout === 'src' ? 'src/demo_app/__init__.py' : 'demo_app/__init__.py'
  return { 'pyproject.toml': pyproject, [module]: '"""Demo."""\nVALUE = "v1"\n' }
}

let server: CacheServer
let index: { url: string; dir: string }
beforeAll(async () => {
  if (missing) return
  const dir = tempDir('pyproject-index')
  const wheels = path.join(dir, 'wheels')
  fs.mkdirSync(wheels)
  const names = ['pp-core', 'pp-lint', 'pp-test', 'pp-docs', 'pp-typing', 'pp-dev', 'pp-bench', 'pp-new']
  const built = names.map((name) => buildWheel(wheels, { name, version: '1.0' }))
  // The build backend too, so that a fresh runner can be left with no index at all.
  built.push(wheelFromIndex(localIndexUrl(), 'flit-core'))
  index = { url: buildIndex(dir, built), dir }
  server = await startServer()
})
afterAll(async () => {
  if (!missing) await server.close()
})

/** The step's env: one index, with the dependencies and the build backend. */
function env(): Record<string, string> {
  return {
    ...server.envV2(),
    PATH: `${path.dirname(pyenvPython('3.11'))}${path.delimiter}${process.env['PATH'] ?? ''}`,
    PIP_INDEX_URL: index.url,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_NO_CACHE_DIR: '1',
  }
}

async function step(job: Job, inputs: Record<string, string> = {}): Promise<StepResult> {
  const result = await runAction(job, { env: env(), inputs })
  if (result.code !== 0) throw new Error(`step failed:\n${result.stdout}\n${result.stderr}`)
  return result
}

/** `pip freeze --all` of the venv the step exported, one `name==version` per line, editable lines kept. */
async function freeze(result: StepResult): Promise<string[]> {
  const out = await nextStep(result, [
    'python',
    '-m',
    'pip',
    'freeze',
    '--all',
    '--disable-pip-version-check',
  ])
  // pip notes an editable install without version control in a comment line: not a distribution.
  return out.stdout
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .sort()
}

async function importValue(result: StepResult): Promise<string> {
  const out = await nextStep(result, [
    'python',
    '-c',
    'import demo_app, pp_core; print(demo_app.VALUE, demo_app.__file__)',
  ])
  return out.stdout.trim() + out.stderr.trim()
}

/** A fresh runner: the venv gone, the package index out of reach. */
async function onFreshRunner<T>(job: Job, fn: () => Promise<T>): Promise<T> {
  fs.rmSync(path.join(job.workspace, '.venv'), { recursive: true, force: true })
  const hidden = `${index.dir}.hidden`
  fs.renameSync(index.dir, hidden)
  try {
    return await fn()
  } finally {
    fs.renameSync(hidden, index.dir)
  }
}

const SEEDED = ['pip==23.2.1', 'setuptools==65.5.0']

it('dependencies, an extra that refers to another, a group that includes another; the project editable', async () => {
  const job = newRunner(projectFiles('src'))
  const miss = await step(job, { extras: 'test', groups: 'dev' })
  expect(miss.outputs['cache-status']).toBe('miss')
  expect(miss.outputs['dependencies']).toBe('pyproject.toml (extras: test; groups: dev)')
  expect(miss.outputs['project']).toBe(`pyproject.toml: ${job.workspace} (editable)`)
  // Exactly the selected set, the build backend, and the project itself (installed after the save).
  const expected = [
    ...SEEDED,
    'flit_core==4.1.0',
    'pp-core==1.0',
    'pp-dev==1.0',
    'pp-lint==1.0',
    'pp-test==1.0',
    'pp-typing==1.0',
  ]
  const frozen = await freeze(miss)
  expect(frozen.filter((l) => !l.startsWith('-e ') && !l.startsWith('demo'))).toEqual([...expected].sort())
  expect(frozen.filter((l) => l.startsWith('-e ') || l.startsWith('demo'))).toHaveLength(1)
  expect(await importValue(miss)).toBe(`v1 ${path.join(job.workspace, 'src', 'demo_app', '__init__.py')}`)

  // A fresh runner hits without any package index and still installs the project; an edit is seen.
  fs.writeFileSync(path.join(job.workspace, 'src', 'demo_app', '__init__.py'), 'VALUE = "v2"\n')
  const hit = await onFreshRunner(job, () => step(job, { extras: 'test', groups: 'dev' }))
  expect(hit.outputs['cache-status']).toBe('hit')
  expect(hit.outputs['cache-key']).toBe(miss.outputs['cache-key'])
  expect(hit.annotations).toEqual([])
  expect(hit.stdout).toContain('Project took')
  expect(await importValue(hit)).toMatch(/^v2 /)
})

it('the key covers what is installed: edits elsewhere in the file keep it, selected changes move it', async () => {
  const job = newRunner(projectFiles('flat'))
  const inputs = { extras: 'test', groups: 'dev' }
  const first = await step(job, inputs)
  const key = first.outputs['cache-key']
  const edit = (from: string, to: string) => {
    const file = path.join(job.workspace, 'pyproject.toml')
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(from, to))
  }
  // Same key, a hit: description, version, a [tool] table, an unselected extra and group, formatting.
  const neutral = [
    ['A project for the tests', 'Another description'],
    ['version = "0.1.0"', 'version = "0.2.0"'],
    ['line-length = 100', 'line-length = 88'],
    ['docs = ["pp-docs"]', 'docs = ["pp-docs", "pp-new"]'],
    ['bench = ["pp-bench"]', 'bench = [ "pp-bench" , "pp-new" ]  # spaced, commented'],
  ]
  for (const [from, to] of neutral) edit(from ?? '', to ?? '')
  const same = await onFreshRunner(job, () => step(job, inputs))
  expect([same.outputs['cache-status'], same.outputs['cache-key']]).toEqual(['hit', key])
  // A new key and a miss, with the new package importable: a dependency, a selected extra and group, inputs.
  const keys = new Set([key])
  const changes: [string, string, Record<string, string>, string][] = [
    ['dependencies = ["pp-core>=1"]', 'dependencies = ["pp-core>=1", "pp-new"]', inputs, 'pp_new'],
    ['lint = ["pp-lint"]', 'lint = ["pp-lint", "pp-docs"]', inputs, 'pp_docs'],
    ['typing = ["pp-typing"]', 'typing = ["pp-typing", "pp-bench"]', inputs, 'pp_bench'],
    ['', '', { extras: 'lint', groups: 'typing, bench' }, 'pp_bench'],
  ]
  for (const [from, to, stepInputs, module] of changes) {
    if (from !== '') edit(from, to)
    const moved = await step(job, stepInputs)
    expect(moved.outputs['cache-status']).not.toBe('hit')
    expect(keys.has(moved.outputs['cache-key'])).toBe(false)
    keys.add(moved.outputs['cache-key'])
    const imported = await nextStep(moved, ['python', '-c', `import ${module}`])
    expect([module, imported.code]).toEqual([module, 0])
  }
})

group('install-project', () => {
  test.each([
    ['false', undefined],
    ['true', 'regular'],
    ['editable', 'editable'],
  ] as const)('%s', async (value, how) => {
    const job = newRunner(projectFiles('src'))
    const first = await step(job, { 'install-project': value })
    expect(first.outputs['project']).toBe(
      how === undefined ? 'none' : `pyproject.toml: ${job.workspace} (${how})`,
    )
    const run = await importValue(first)
    if (how === undefined) {
      expect(run).toContain("No module named 'demo_app'")
      return
    }
    expect(run).toMatch(/^v1 /)
    // Installed after the save: the cached venv never holds the project, and an edit is seen on a hit.
    fs.writeFileSync(path.join(job.workspace, 'src', 'demo_app', '__init__.py'), 'VALUE = "v2"\n')
    const hit = await onFreshRunner(job, () => step(job, { 'install-project': value }))
    expect(hit.outputs['cache-status']).toBe('hit')
    expect(await importValue(hit)).toMatch(/^v2 /)
  })
})

it('a project in a subdirectory, with working-directory', async () => {
  const files = Object.fromEntries(
    Object.entries(projectFiles('flat')).map(([f, t]) => [`services/app/${f}`, t]),
  )
  const job = newRunner(files)
  const result = await step(job, { 'working-directory': 'services/app', extras: 'lint' })
  expect(result.outputs['venv-path']).toBe(path.join(job.workspace, 'services', 'app', '.venv'))
  expect(await importValue(result)).toBe(
    `v1 ${path.join(job.workspace, 'services', 'app', 'demo_app', '__init__.py')}`,
  )
})

group('what is not supported is refused before anything is written', () => {
  async function refused(
    files: Record<string, string>,
    inputs: Record<string, string> = {},
  ): Promise<string> {
    const job = newRunner(files)
    const before = snapshot(job.workspace)
    const result = await runAction(job, { env: env(), inputs })
    expect(result.code).toBe(1)
    expect(snapshot(job.workspace)).toEqual(before)
    expect(annotationsOf(result, 'error')).toHaveLength(1)
    return annotationsOf(result, 'error')[0] ?? ''
  }

  test.each([
    [
      'an extra the file does not define',
      PYPROJECT,
      { extras: 'tests' },
      "Input 'extras': 'tests' is not an extra of",
    ],
    ['a group the file does not define', PYPROJECT, { groups: 'devel' }, "Input 'groups'"],
    [
      'a group cycle',
      PYPROJECT.replace('typing = ["pp-typing"]', 'typing = ["pp-typing", {include-group = "dev"}]'),
      { groups: 'dev' },
      'dev',
    ],
    [
      'dependencies a backend computes',
      PYPROJECT.replace('dependencies = ["pp-core>=1"]', 'dynamic = ["dependencies"]'),
      {},
      'dynamic',
    ],
    [
      'Poetry 1',
      '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.11"\nrequests = "^2"\n',
      {},
      '[tool.poetry.dependencies]',
    ],
    ['invalid TOML', '[project]\nname = "x"\ndependencies = ["a" "b"]\n', {}, 'pyproject.toml:3:'],
  ])('%s', async (_what, pyproject, inputs, mentions) => {
    const message = await refused({ 'pyproject.toml': pyproject }, inputs)
    expect(message).toContain(mentions)
  })
})

it('no dependency file at all: one line says what was looked for', async () => {
  const job = newRunner({ 'README.md': 'nothing here\n' })
  const result = await step(job)
  expect(result.stdout).toContain(
    `No dependencies to install: none of requirements.txt, pylock.toml, pyproject.toml (with [project] or [dependency-groups]) is in ${job.workspace}.`,
  )
  expect(result.outputs['dependencies']).toBe('none')
  expect(result.stdout).toContain(LOG.saved(result.outputs['cache-key'] ?? ''))
})
