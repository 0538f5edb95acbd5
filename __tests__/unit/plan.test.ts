import type { PipSetting } from '../../src/pipconfig.js'
import type { RunnerContext } from '../../src/context.js'
import { makePlan, venvDirectory } from '../../src/plan.js'
import type { PythonFacts } from '../../src/probe.js'
import { testDependencies, testInputs } from '../../test-support/fixtures.js'

const inputs = testInputs()

const linux: RunnerContext = {
  os: 'linux',
  env: { ImageOS: 'ubuntu24', ImageVersion: '20241117.1.0' },
  workspace: '/home/runner/work/app/app',
  home: '/home/runner',
  osRelease: undefined,
  kernelRelease: '6.8.0',
}

const python: PythonFacts = {
  implementation: 'cpython',
  version: '3.12.7',
  versionInfo: [3, 12, 7],
  build: '3.12.7 (main, Oct  1 2024, 08:00:00) [GCC 11.4.0]',
  executable: '/opt/hostedtoolcache/Python/3.12.7/x64/bin/python3',
  prefix: '/opt/hostedtoolcache/Python/3.12.7/x64',
  basePrefix: '/opt/hostedtoolcache/Python/3.12.7/x64',
  machine: 'x86_64',
  bits: 64,
  libc: 'glibc2.39',
  hasVenv: true,
  ensurepip: '24.2',
  venvBase: null,
  seeded: ['pip==24.2'],
}

test('a Linux runner plan', () => {
  const plan = makePlan(
    linux,
    { ...inputs, workingDirectory: 'svc', path: '../.venv-svc' },
    python,
    testDependencies(),
    [],
  )
  expect(plan.venvDir).toBe('/home/runner/work/app/app/.venv-svc')
  expect(plan.baseDir).toBe('/home/runner/work/app/app/svc')
  expect(plan.layout.binDir).toBe('/home/runner/work/app/app/.venv-svc/bin')
  expect(plan.key).toMatch(
    /^setup-venv-v2-linux-ubuntu24-20241117\.1\.0-x64-cpython3\.12\.7-[0-9a-f]{16}-[0-9a-f]{32}$/,
  )
})

test.each([
  ['/', 'the filesystem root'],
  ['/home/runner', 'the home directory'],
  ['.', 'the workspace root'],
  ['svc/..', 'the workspace root'],
])("path '%s' is refused as %s", (path, what) => {
  expect(() => venvDirectory(linux, { ...inputs, path })).toThrow(`Input 'path' resolves to ${what}`)
})

test("pipReinstalls: force-reinstall or ignore-installed set true in any of pip's settings", () => {
  const setting = (name: string, value: string): PipSetting => ({
    source: `env PIP_${name.toUpperCase().replace(/-/g, '_')}`,
    origin: 'env',
    name,
    value,
    category: 'outcome',
  })
  const reinstalls = (settings: PipSetting[]) =>
    makePlan(linux, inputs, python, testDependencies(), settings).pipReinstalls
  expect(reinstalls([])).toBe(false)
  expect(reinstalls([setting('force-reinstall', 'yes')])).toBe(true)
  expect(reinstalls([setting('ignore-installed', 'On')])).toBe(true)
  expect(reinstalls([setting('force-reinstall', '0'), setting('pre', '1')])).toBe(false)
})
