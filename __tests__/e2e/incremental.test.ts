// A miss that starts from the nearest cached venv and syncs it: the synced venv must equal a fresh build of
// the new requirements at the same path (the same files, code objects in every .pyc, `pip freeze --all`,
// console scripts), for every kind of change, and anything off must end in a fresh build and a green step.
// End to end: the bundled action as a runner step, real pip and real wheels, the project's cache service.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheServer } from '../../test-support/cache-server/server.js'
import {
  annotationsOf,
  newRunner,
  runAction,
  startServer,
  stepEnv,
  tempDir,
  type Job,
} from '../../test-support/e2e.js'
import { describeIf, lacksLocalIndex, lacksPython, testIf } from '../../test-support/needs.js'
import { localIndexUrl } from '../../test-support/pythons.js'
import type { StepResult } from '../../test-support/runner.js'
import { differingBytecode, differingFiles, freezeAll, venvFiles } from '../../test-support/venv-compare.js'
import { buildIndex, buildWheel, wheelFromIndex, type WheelSpec } from '../../test-support/wheels.js'

const group = describeIf(lacksPython('3.11'))
// flit_core, the build backend of the project below, comes from this machine's local index.
const withBackend = testIf(lacksLocalIndex())

/** A flit project whose backend asks for inc-extra beyond [build-system] requires when built editable. */
const backendProject = (dependency: string): Record<string, string> => ({
  'pyproject.toml':
    '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "inc_backend"\nbackend-path = ["_backend"]\n\n' +
    `[project]\nname = "inc_proj"\nversion = "1.0"\ndescription = "x"\ndependencies = ["${dependency}"]\n`,
  '_backend/inc_backend.py':
    'from flit_core.buildapi import *\n\n\ndef get_requires_for_build_editable(config_settings=None):\n    return ["inc-extra"]\n',
  'inc_proj/__init__.py': '',
})

// A package whose .pth makes pip's uninstall command fail (an import hook refuses its module): in a venv
// that holds it, a sync that must remove anything fails mid-way, after the dry run; a fresh build never
// runs pip uninstall.
const BREAK_UNINSTALL = `
import sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name == 'pip._internal.commands.uninstall':
            raise ImportError('inc-breakpip refuses pip uninstall')
        return None
sys.meta_path.insert(0, Refuse())
`

const WHEELS: WheelSpec[] = [
  { name: 'inc-a', version: '1.0', consoleScripts: { 'inc-a': 'inc_a:main' } },
  { name: 'inc-a', version: '2.0', consoleScripts: { 'inc-a': 'inc_a:main' } },
  { name: 'inc-top', version: '1.0', requires: ['inc-orphan'] },
  { name: 'inc-orphan', version: '1.0' },
  { name: 'inc-new', version: '1.0', requires: ['inc-newdep'] },
  { name: 'inc-newdep', version: '1.0' },
  { name: 'inc-newdep', version: '2.0' },
  { name: 'inc-x', version: '1.0', extras: { feat: ['inc-feat'] } },
  { name: 'inc-feat', version: '1.0' },
  // A module that became a package.
  { name: 'inc-layout', version: '1.0', files: { 'inc_layout.py': 'V = 1\n' } },
  {
    name: 'inc-layout',
    version: '2.0',
    files: { 'inc_layout/__init__.py': 'V = 2\n', 'inc_layout/sub.py': '' },
  },
  { name: 'inc-extra', version: '1.0' },
  {
    name: 'inc-breakpip',
    version: '1.0',
    files: { 'inc_breakpip.pth': 'import inc_breakpip_hook\n', 'inc_breakpip_hook.py': BREAK_UNINSTALL },
  },
]

group('incremental misses', () => {
  let server: CacheServer
  let indexUrl: string
  beforeAll(async () => {
    const dir = tempDir('incremental-index')
    const built = WHEELS.map((w) => buildWheel(path.join(dir, 'wheels'), w))
    if (lacksLocalIndex() === undefined) built.push(wheelFromIndex(localIndexUrl(), 'flit-core'))
    indexUrl = buildIndex(dir, built)
    server = await startServer()
  })
  afterAll(async () => {
    await server.close()
  })

  const env = () => stepEnv(server, 'v2', indexUrl)

  async function step(job: Job, inputs: Record<string, string> = {}): Promise<StepResult> {
    const result = await runAction(job, { env: env(), inputs })
    if (result.code !== 0) throw new Error(`step failed:\n${result.stdout}\n${result.stderr}`)
    return result
  }

  /**
   * The venv the last step left, compared with a fresh build of the same requirements at the same path
   * (no restore, no save: the cache keeps the synced entry for the next change).
   */
  async function expectSameAsFresh(job: Job): Promise<void> {
    const venv = path.join(job.workspace, '.venv')
    const synced = `${venv}-synced`
    fs.rmSync(synced, { recursive: true, force: true })
    const syncedFreeze = freezeAll(venv, env())
    fs.renameSync(venv, synced)
    await step(job, { 'restore-cache': 'false', 'save-cache': 'false' })
    const a = venvFiles(synced)
    const b = venvFiles(venv)
    expect(freezeAll(venv, env())).toBe(syncedFreeze)
    expect(differingFiles(a, b)).toEqual([])
    expect(differingBytecode(path.join(venv, 'bin', 'python'), synced, venv, [...b.keys()])).toEqual([])
  }

  test('each kind of change: the synced venv equals a fresh build', async () => {
    const job = newRunner({ 'requirements.txt': '' })
    const write = (requirements: string[], constraints: string[] = []) => {
      fs.writeFileSync(
        path.join(job.workspace, 'requirements.txt'),
        [...requirements, '-c constraints.txt', ''].join('\n'),
      )
      fs.writeFileSync(path.join(job.workspace, 'constraints.txt'), [...constraints, ''].join('\n'))
    }
    let reqs = ['inc-a==1.0', 'inc-top', 'inc-x', 'inc-layout==1.0']
    write(reqs)
    const first = await step(job)
    expect(first.outputs['cache-status']).toBe('miss')
    // Each state is new, so each step is a miss under the same prefix.
    const changes: [string, string[], string[], RegExp][] = [
      [
        'an upgrade',
        ['inc-a==2.0', 'inc-top', 'inc-x', 'inc-layout==1.0'],
        [],
        /1 upgraded \(inc-a 1\.0 -> 2\.0\)/,
      ],
      [
        'a module that became a package',
        ['inc-a==2.0', 'inc-top', 'inc-x', 'inc-layout==2.0'],
        [],
        /1 upgraded \(inc-layout/,
      ],
      [
        'a downgrade',
        ['inc-a==1.0', 'inc-top', 'inc-x', 'inc-layout==2.0'],
        [],
        /1 downgraded \(inc-a 2\.0 -> 1\.0\)/,
      ],
      [
        'a top-level requirement removed, its dependency orphaned',
        ['inc-a==1.0', 'inc-x', 'inc-layout==2.0'],
        [],
        /2 removed \(inc-orphan 1\.0, inc-top 1\.0\)/,
      ],
      [
        'a new requirement with a new dependency',
        ['inc-a==1.0', 'inc-x', 'inc-layout==2.0', 'inc-new'],
        [],
        /2 installed/,
      ],
      [
        'an extra added',
        ['inc-a==1.0', 'inc-x[feat]', 'inc-layout==2.0', 'inc-new'],
        [],
        /1 installed \(inc-feat 1\.0\)/,
      ],
      [
        'constraints only',
        ['inc-a==1.0', 'inc-x[feat]', 'inc-layout==2.0', 'inc-new'],
        ['inc-newdep==1.0'],
        /1 downgraded \(inc-newdep 2\.0 -> 1\.0\)/,
      ],
    ]
    for (const [what, next, constraints, summary] of changes) {
      reqs = next
      write(reqs, constraints)
      const synced = await step(job)
      expect([what, synced.outputs['cache-status']]).toEqual([what, 'synced'])
      expect(synced.stdout).toMatch(summary)
      expect(synced.stdout).toContain(`Restored the nearest entry, to sync: `)
      expect(synced.annotations).toEqual([])
      await expectSameAsFresh(job)
    }
  }, 400_000) // seven changes, each a sync and a fresh build

  test('a sync that pip fails mid-way ends in a fresh build and a green step', async () => {
    const job = newRunner({ 'requirements.txt': 'inc-a==1.0\ninc-breakpip\n' })
    await step(job)
    fs.writeFileSync(path.join(job.workspace, 'requirements.txt'), 'inc-a==2.0\n')
    const result = await step(job)
    expect(result.outputs['cache-status']).toBe('miss')
    expect(annotationsOf(result, 'warning')).toEqual([
      expect.stringMatching(
        /^Syncing the venv from setup-venv-\S+ failed: .*\. The venv is built from scratch\.$/,
      ),
    ])
    expect(result.stdout).toContain('Create took')
    await expectSameAsFresh(job)
  })

  withBackend(
    'what a build backend asks for is kept through a sync, not removed and installed again',
    async () => {
      const job = newRunner(backendProject('inc-a==1.0'))
      const first = await step(job)
      expect(first.outputs['cache-status']).toBe('miss')
      expect(first.stdout).toContain('The build backends also need: inc-extra')
      fs.writeFileSync(
        path.join(job.workspace, 'pyproject.toml'),
        backendProject('inc-a==2.0')['pyproject.toml'] ?? '',
      )
      const synced = await step(job)
      expect(synced.outputs['cache-status']).toBe('synced')
      expect(synced.stdout).toMatch(/1 upgraded \(inc-a 1\.0 -> 2\.0\)/)
      expect(synced.stdout).not.toMatch(/removed \(inc-extra|Successfully installed inc-extra/)
      expect(synced.annotations).toEqual([])
      await expectSameAsFresh(job)
    },
  )

  test('incremental: false never restores anything but the exact key', async () => {
    const job = newRunner({ 'requirements.txt': 'inc-a==1.0\n' })
    await step(job)
    fs.writeFileSync(path.join(job.workspace, 'requirements.txt'), 'inc-a==2.0\n')
    const result = await step(job, { incremental: 'false' })
    expect(result.outputs['cache-status']).toBe('miss')
    expect(result.stdout).not.toContain('nearest')
    // The library's own account of the lookup: the exact key, and no restore key after it.
    const key = result.outputs['cache-key'] ?? ''
    expect(result.stdout).toMatch(new RegExp(`Cache not found for version \\w+ of keys: ${key}\\n`))
  })

  test('an entry of another venv path is never a starting point: another prefix', async () => {
    const job = newRunner({ 'requirements.txt': 'inc-a==1.0\n' })
    const first = await step(job)
    fs.writeFileSync(path.join(job.workspace, 'requirements.txt'), 'inc-a==2.0\n')
    const other = await step(job, { path: '.venv-other' })
    expect(other.outputs['cache-status']).toBe('miss')
    expect(other.stdout).not.toContain('nearest')
    const prefix = (key: string | undefined) => (key ?? '').slice(0, -32)
    expect(prefix(other.outputs['cache-key'])).not.toBe(prefix(first.outputs['cache-key']))
  })
})
