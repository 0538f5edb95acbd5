import * as fs from 'node:fs'
import * as path from 'node:path'
import { venvLayout } from '../../src/platform.js'
import {
  findSeed,
  pipCommand,
  SEED_SCRIPT,
  seedInstallArgs,
  seedScriptArgs,
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
