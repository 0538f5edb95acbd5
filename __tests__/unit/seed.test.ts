import { execFileSync, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { venvLayout } from '../../src/platform.js'
import {
  findSeed,
  pipCommand,
  pipWheel,
  SEED_SCRIPT,
  seedInstallArgs,
  seedScriptArgs,
  UNPACK_SCRIPT,
  UNSEEDABLE,
  venvArgs,
  type Seed,
} from '../../src/seed.js'
import { hostedPython } from '../../test-support/hosted-python.js'
import { localIndexUrl, pyenvPython } from '../../test-support/pythons.js'

const seed: Seed = {
  wheelDir: '/py/lib/python3.11/ensurepip/_bundled',
  packages: ['setuptools==65.5.0', 'pip==23.2.1'],
  wheels: [
    '/py/lib/python3.11/ensurepip/_bundled/setuptools-65.5.0-py3-none-any.whl',
    '/py/lib/python3.11/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl',
  ],
  basePip: {
    runner: '/py/lib/python3.11/site-packages/pip/__pip-runner__.py',
    root: '/py/lib/python3.11/site-packages',
  },
  basePipVersion: '23.2.1',
}
const basePip = seed.basePip ?? { runner: '', root: '' }

test('argv with a seed: venv without pip, the bundled wheels by the base pip installer, its runner after', () => {
  const layout = venvLayout('linux', '/w/.venv', '/py/bin/python3.11')
  expect(venvArgs('/w/.venv', true)).toEqual(['-m', 'venv', '--without-pip', '/w/.venv'])
  expect(seedScriptArgs(seed, { basePip })).toEqual([
    '-c',
    SEED_SCRIPT,
    '/py/lib/python3.11/site-packages',
    '',
    'setuptools==65.5.0',
    '/py/lib/python3.11/ensurepip/_bundled/setuptools-65.5.0-py3-none-any.whl',
    'pip==23.2.1',
    '/py/lib/python3.11/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl',
  ])
  expect(pipCommand(layout, basePip.runner)).toEqual(['/w/.venv/bin/python3.11', basePip.runner])
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

test('argv with a seed the bundled pip unpacked into the venv makes: that pip, from the venv, and a scratch directory', () => {
  const site = '/w/.venv/lib/python3.11/site-packages'
  expect(pipWheel(seed)).toBe('/py/lib/python3.11/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl')
  expect(seedScriptArgs(seed, { unpacked: site, scratch: '/w/.venv/.seed' })).toEqual([
    '-c',
    SEED_SCRIPT,
    site,
    '/w/.venv/.seed',
    'setuptools==65.5.0',
    '/py/lib/python3.11/ensurepip/_bundled/setuptools-65.5.0-py3-none-any.whl',
    'pip==23.2.1',
    '/py/lib/python3.11/ensurepip/_bundled/pip-23.2.1-py3-none-any.whl',
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
  // pyenv's interpreters keep the pip ensurepip installed: it seeds.
  expect(found?.basePipVersion).toBe(found?.packages.find((p) => p.startsWith('pip=='))?.split('==')[1])
  expect(fs.existsSync(found?.basePip?.runner ?? '')).toBe(true)
  expect(fs.existsSync(path.join(found?.basePip?.root ?? '', 'pip', '__init__.py'))).toBe(true)
  const wheels = fs.readdirSync(found?.wheelDir ?? '')
  found?.packages.forEach((pin, i) => {
    const [name, ver] = pin.split('==')
    expect(wheels).toContain(`${name ?? ''}-${ver ?? ''}-py3-none-any.whl`)
    expect(found.wheels[i]).toBe(path.join(found.wheelDir, `${name ?? ''}-${ver ?? ''}-py3-none-any.whl`))
  })
})

test('no base pip to seed with where it has no runner script (pip older than 22.3)', async () => {
  const found = await findSeed(pyenvPython('3.7'))
  expect(found?.packages).toEqual([expect.stringMatching(/^setuptools==/), 'pip==22.0.4'])
  expect(found?.basePipVersion).toBe('22.0.4')
  expect(found?.basePip).toBeNull()
})

// A hosted runner's Python: its pip is upgraded past the bundled one, so the bundled pip seeds itself.
test("findSeed on a hosted runner's Python: the bundled wheels, no base pip", async () => {
  const hosted = hostedPython('3.11', localIndexUrl())
  if (hosted.pip === hosted.bundledPip) {
    console.log(`Skipped: the local index has no pip newer than ${hosted.pip}`)
    return
  }
  const found = await findSeed(hosted.python)
  expect(found?.packages).toEqual([expect.stringMatching(/^setuptools==/), `pip==${hosted.bundledPip}`])
  expect(found?.basePipVersion).toBe(hosted.pip)
  expect(found?.basePip).toBeNull()
})

// The seeding script against a real interpreter: it installs pip into a bare venv, from the base pip or from
// the bundled pip unpacked into the venv; or, when the pip it is pointed at has no wheel installer to call,
// or the unpacked pip is not what that pip installs, exits with UNSEEDABLE, having written nothing else.
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

  const seedOf = async (): Promise<Seed & { basePip: NonNullable<Seed['basePip']> }> => {
    const found = await findSeed(python)
    if (found?.basePip == null) throw new Error('Python 3.11 has no seed with its own pip')
    return { ...found, basePip: found.basePip }
  }
  /** UNPACK_SCRIPT into the venv; returns the directory it unpacked into. */
  const unpack = (venv: { dir: string }, found: Seed): string =>
    execFileSync(path.join(venv.dir, 'bin', 'python'), ['-c', UNPACK_SCRIPT, pipWheel(found)])
      .toString()
      .trim()

  test('seeds the bundled packages, with their console scripts', async () => {
    const found = await seedOf()
    const venv = bareVenv()
    try {
      execFileSync(venv.python, seedScriptArgs(found, { basePip: found.basePip }))
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

  test('the bundled pip unpacked into the venv installs itself: its package left as unpacked, the rest moved in', async () => {
    const found = await seedOf()
    const venv = bareVenv()
    try {
      expect(unpack(venv, found)).toBe(venv.sitePackages)
      expect(fs.readdirSync(venv.sitePackages)).toEqual(['pip'])
      const init = path.join(venv.sitePackages, 'pip', '__init__.py')
      const unpackedAt = fs.statSync(init).mtimeMs
      const scratch = path.join(venv.dir, '.seed')
      execFileSync(venv.python, seedScriptArgs(found, { unpacked: venv.sitePackages, scratch }))
      expect(fs.existsSync(scratch)).toBe(false)
      // Not rewritten: bytecode compiled from it meanwhile stays valid.
      expect(fs.statSync(init).mtimeMs).toBe(unpackedAt)
      const version = found.packages.find((p) => p.startsWith('pip=='))?.split('==')[1] ?? ''
      const distInfo = path.join(venv.sitePackages, `pip-${version}.dist-info`)
      expect(fs.readFileSync(path.join(distInfo, 'INSTALLER'), 'utf8')).toBe('pip\n')
      expect(fs.existsSync(path.join(distInfo, 'REQUESTED'))).toBe(true)
      const record = fs.readFileSync(path.join(distInfo, 'RECORD'), 'utf8')
      expect(record).toMatch(/^pip\/__init__\.py,sha256=/m)
      expect(record).toMatch(/^\.\.\/\.\.\/\.\.\/bin\/pip,sha256=/m)
      const pip = path.join(venv.dir, 'bin', 'pip')
      expect(fs.readFileSync(pip, 'utf8').split('\n')[0]).toBe(`#!${venv.python}`)
      expect(execFileSync(pip, ['--version']).toString()).toContain(
        `pip ${version} from ${venv.sitePackages}`,
      )
      expect(fs.readdirSync(venv.sitePackages)).toContain('setuptools')
    } finally {
      fs.rmSync(venv.dir, { recursive: true })
    }
  })

  test('exits with UNSEEDABLE when an unpacked file is not what pip installs, moving nothing in', async () => {
    const found = await seedOf()
    const venv = bareVenv()
    try {
      unpack(venv, found)
      fs.appendFileSync(path.join(venv.sitePackages, 'pip', '_internal', 'exceptions.py'), '# changed\n')
      const scratch = path.join(venv.dir, '.seed')
      const run = spawnSync(venv.python, seedScriptArgs(found, { unpacked: venv.sitePackages, scratch }))
      expect(run.status).toBe(UNSEEDABLE)
      expect(run.stderr.toString()).toContain(path.join('pip', '_internal', 'exceptions.py'))
      expect(fs.existsSync(scratch)).toBe(false)
      expect(fs.readdirSync(venv.sitePackages)).toEqual(['pip'])
      expect(fs.readdirSync(path.join(venv.dir, 'bin')).filter((f) => f.startsWith('pip'))).toEqual([])
    } finally {
      fs.rmSync(venv.dir, { recursive: true })
    }
  })

  test('exits with UNSEEDABLE, writing nothing, when the pip given has no wheel installer', async () => {
    const found = await seedOf()
    const venv = bareVenv()
    const fakeRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-venv-fakepip-'))
    fs.mkdirSync(path.join(fakeRoot, 'pip'))
    fs.writeFileSync(path.join(fakeRoot, 'pip', '__init__.py'), '__version__ = "0"\n')
    try {
      const run = spawnSync(
        venv.python,
        seedScriptArgs(found, { basePip: { ...found.basePip, root: fakeRoot } }),
      )
      expect(run.status).toBe(UNSEEDABLE)
      expect(fs.readdirSync(venv.sitePackages)).toEqual([])
    } finally {
      fs.rmSync(venv.dir, { recursive: true })
      fs.rmSync(fakeRoot, { recursive: true })
    }
  })
})
