import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { venvLayout } from '../../src/platform.js'
import {
  findSeed,
  pipCommand,
  SEED_SCRIPT,
  seedInstallArgs,
  seedScriptArgs,
  UNSEEDABLE,
  venvArgs,
  type Seed,
} from '../../src/seed.js'
import { pyenvPython } from '../../test-support/pythons.js'

const seed: Seed = {
  wheelDir: '/py/lib/python3.11/ensurepip/_bundled',
  packages: ['setuptools==65.5.0', 'pip==23.2.1'],
  wheels: [
    '/py/lib/python3.11/ensurepip/_bundled/setuptools-65.5.0-py3-none-any.whl',
    '/py/lib/python3.11/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl',
  ],
  runner: '/py/lib/python3.11/site-packages/pip/__pip-runner__.py',
  pipRoot: '/py/lib/python3.11/site-packages',
}

test('argv with a seed: venv without pip, the bundled wheels by the base pip installer, its runner after', () => {
  const layout = venvLayout('linux', '/w/.venv', '/py/bin/python3.11')
  expect(venvArgs('/w/.venv', true)).toEqual(['-m', 'venv', '--without-pip', '/w/.venv'])
  expect(seedScriptArgs(seed)).toEqual([
    '-c',
    SEED_SCRIPT,
    '/py/lib/python3.11/site-packages',
    'setuptools==65.5.0',
    '/py/lib/python3.11/ensurepip/_bundled/setuptools-65.5.0-py3-none-any.whl',
    'pip==23.2.1',
    '/py/lib/python3.11/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl',
  ])
  expect(pipCommand(layout, seed)).toEqual(['/w/.venv/bin/python3.11', seed.runner])
  expect(seedInstallArgs(seed)).toEqual([
    'install',
    '--no-cache-dir',
    '--no-index',
    '--no-compile',
    '--find-links',
    '/py/lib/python3.11/ensurepip/_bundled',
    'setuptools==65.5.0',
    'pip==23.2.1',
  ])
})

test('argv without a seed: plain venv, the venv own pip', () => {
  const layout = venvLayout('win32', 'D:\\a\\.venv', 'C:\\Python312\\python.exe')
  expect(venvArgs('D:\\a\\.venv', false)).toEqual(['-m', 'venv', 'D:\\a\\.venv'])
  expect(pipCommand(layout, undefined)).toEqual(['D:\\a\\.venv\\Scripts\\python.exe', '-m', 'pip'])
})

// Real interpreters: what ensurepip bundles differs by version (setuptools left the bundle in 3.12).
test.each<[string, RegExp[]]>([
  ['3.8', [/^setuptools==\d/, /^pip==\d/]],
  ['3.11', [/^setuptools==\d/, /^pip==\d/]],
  ['3.13', [/^pip==\d/]],
])('findSeed on Python %s', async (version, packages) => {
  const found = await findSeed(pyenvPython(version))
  expect(found).toBeDefined()
  expect(found?.packages).toHaveLength(packages.length)
  packages.forEach((p, i) => {
    expect(found?.packages[i]).toMatch(p)
  })
  expect(fs.existsSync(found?.runner ?? '')).toBe(true)
  expect(fs.existsSync(path.join(found?.pipRoot ?? '', 'pip', '__init__.py'))).toBe(true)
  const wheels = fs.readdirSync(found?.wheelDir ?? '')
  found?.packages.forEach((pin, i) => {
    const [name, ver] = pin.split('==')
    expect(wheels).toContain(`${name ?? ''}-${ver ?? ''}-py3-none-any.whl`)
    expect(found.wheels[i]).toBe(path.join(found.wheelDir, `${name ?? ''}-${ver ?? ''}-py3-none-any.whl`))
  })
})

test('no seed where the base pip has no runner script (pip older than 22.3): plain venv instead', async () => {
  expect(await findSeed(pyenvPython('3.7'))).toBeUndefined()
})

// The seeding script against a real interpreter: it installs pip into a bare venv, or, when the pip it
// is pointed at has no wheel installer to call, exits with UNSEEDABLE before writing anything.
describe('SEED_SCRIPT', () => {
  const python = pyenvPython('3.11')
  const bareVenv = (): { dir: string; python: string; sitePackages: string } => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-venv-seed-'))
    execFileSync(python, ['-m', 'venv', '--without-pip', dir])
    const layout = venvLayout('linux', dir, python)
    const sitePackages = execFileSync(layout.python, [
      '-c',
      'import sysconfig; print(sysconfig.get_path("purelib"))',
    ])
      .toString()
      .trim()
    return { dir, python: layout.pipPython, sitePackages }
  }

  test('seeds the bundled packages, with their console scripts', async () => {
    const found = await findSeed(python)
    if (found === undefined) throw new Error('Python 3.11 has no seed')
    const venv = bareVenv()
    try {
      execFileSync(venv.python, seedScriptArgs(found))
      const version = found.packages.find((p) => p.startsWith('pip=='))?.split('==')[1]
      const pip = path.join(venv.dir, 'bin', 'pip')
      expect(fs.readFileSync(pip, 'utf8').split('\n')[0]).toBe(`#!${venv.python}`)
      expect(execFileSync(pip, ['--version']).toString()).toContain(
        `pip ${String(version)} from ${venv.sitePackages}`,
      )
      expect(fs.readdirSync(venv.sitePackages)).toContain(`pip-${String(version)}.dist-info`)
    } finally {
      fs.rmSync(venv.dir, { recursive: true })
    }
  })

  test('exits with UNSEEDABLE, writing nothing, when the pip given has no wheel installer', async () => {
    const found = await findSeed(python)
    if (found === undefined) throw new Error('Python 3.11 has no seed')
    const venv = bareVenv()
    const fakeRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-venv-fakepip-'))
    fs.mkdirSync(path.join(fakeRoot, 'pip'))
    fs.writeFileSync(path.join(fakeRoot, 'pip', '__init__.py'), '__version__ = "0"\n')
    try {
      const run = spawnSync(venv.python, seedScriptArgs({ ...found, pipRoot: fakeRoot }))
      expect(run.status).toBe(UNSEEDABLE)
      expect(fs.readdirSync(venv.sitePackages)).toEqual([])
    } finally {
      fs.rmSync(venv.dir, { recursive: true })
      fs.rmSync(fakeRoot, { recursive: true })
    }
  })
})
