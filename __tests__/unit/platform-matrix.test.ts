// What differs between the three runner OSes, pinned on this Linux machine through path.win32/path.posix:
// venv layouts, PATH handling, default commands, tool cache layouts, image identity, and for a Windows and a
// macOS hosted runner the exact exports, outputs and cache key the action computes from realistic probe data.
import type { RunnerContext } from '../../src/context.js'
import type { Inputs } from '../../src/inputs.js'
import { testDependencies, testInputs } from '../../test-support/fixtures.js'
import { makePlan, venvDirectory, type Plan } from '../../src/plan.js'
import {
  archOf,
  canonicalPath,
  defaultPythonCommands,
  envVar,
  executableFile,
  imageIdentity,
  isDriveRelative,
  missingVenvHint,
  pathDelimiter,
  pathEntries,
  toolCacheArch,
  toolCachePython,
  toolCachePythonRoot,
  usesExecuteBit,
  venvLayout,
  versionCommands,
} from '../../src/platform.js'
import type { PythonFacts } from '../../src/probe.js'
import { displayCommand } from '../../src/command.js'
import { exportsFor } from '../../src/report.js'

const inputs = testInputs({ packages: ['pytest==8.3.3'] })

// A windows-2022 hosted runner: the workspace is on D:, the tool cache and home on C:.
const windows: RunnerContext = {
  os: 'win32',
  env: {
    ImageOS: 'win22',
    ImageVersion: '20241113.3.0',
    RUNNER_ARCH: 'X64',
    RUNNER_TOOL_CACHE: 'C:\\hostedtoolcache\\windows',
    Path: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64\\Scripts;C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64;C:\\Windows\\system32',
  },
  workspace: 'D:\\a\\app\\app',
  home: 'C:\\Users\\runneradmin',
  osRelease: undefined,
  kernelRelease: '10.0.20348',
}

// What the probe reports for actions/setup-python's 3.12.7 there.
const windowsPython: PythonFacts = {
  implementation: 'cpython',
  version: '3.12.7',
  versionInfo: [3, 12, 7],
  build: '3.12.7 (tags/v3.12.7:0b05ead, Oct  1 2024, 03:06:41) [MSC v.1941 64 bit (AMD64)]',
  executable: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64\\python.exe',
  prefix: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64',
  basePrefix: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64',
  machine: 'AMD64',
  bits: 64,
  libc: '',
  hasVenv: true,
  ensurepip: '24.2',
  venvBase: null,
  seeded: ['pip==24.2'],
}

// A macos-14 (Apple silicon) hosted runner.
const macos: RunnerContext = {
  os: 'darwin',
  env: {
    ImageOS: 'macos14',
    ImageVersion: '20241119.509',
    RUNNER_ARCH: 'ARM64',
    RUNNER_TOOL_CACHE: '/Users/runner/hostedtoolcache',
  },
  workspace: '/Users/runner/work/app/app',
  home: '/Users/runner',
  osRelease: undefined,
  kernelRelease: '23.6.0',
}

// setup-python's macOS builds are python.org framework builds: the tool cache's bin/ is a symlink into
// /Library/Frameworks, so sys.executable (the path it was started by) differs from its real path and its
// prefix is the framework's.
const macosPython: PythonFacts = {
  implementation: 'cpython',
  version: '3.12.7',
  versionInfo: [3, 12, 7],
  build: '3.12.7 (v3.12.7:0b05ead877f, Sep 30 2024, 23:18:00) [Clang 13.0.0 (clang-1300.0.29.30)]',
  executable: '/Users/runner/hostedtoolcache/Python/3.12.7/arm64/bin/python3',
  prefix: '/Library/Frameworks/Python.framework/Versions/3.12',
  basePrefix: '/Library/Frameworks/Python.framework/Versions/3.12',
  machine: 'arm64',
  bits: 64,
  libc: '',
  hasVenv: true,
  ensurepip: '24.2',
  venvBase: null,
  seeded: ['pip==24.2'],
}

const linux: RunnerContext = {
  os: 'linux',
  env: { ImageOS: 'ubuntu24', ImageVersion: '20241117.1.0' },
  workspace: '/home/runner/work/app/app',
  home: '/home/runner',
  osRelease: 'ID=ubuntu\nVERSION_ID="24.04"\n',
  kernelRelease: '6.8.0-1017-azure',
}

const linuxPython: PythonFacts = {
  ...macosPython,
  build: '3.12.7 (main, Oct  1 2024, 15:18:19) [GCC 11.4.0]',
  executable: '/opt/hostedtoolcache/Python/3.12.7/x64/bin/python3',
  prefix: '/opt/hostedtoolcache/Python/3.12.7/x64',
  basePrefix: '/opt/hostedtoolcache/Python/3.12.7/x64',
  machine: 'x86_64',
  libc: 'glibc2.39',
}

function plan(ctx: RunnerContext, python: PythonFacts, over: Partial<Inputs> = {}): Plan {
  return makePlan(ctx, { ...inputs, ...over }, python, testDependencies(['pytest==8.3.3']), [])
}

/** The digest part of a key: everything after the readable parts. */
function digestOf(key: string): string {
  return /-([0-9a-f]{16}-[0-9a-f]{32})$/.exec(key)?.[1] ?? `no digest in ${key}`
}

describe('a self-hosted Windows runner installed under a folder with a space', () => {
  // C:\actions runner\_work\app\app, and a setup-python interpreter in its tool cache.
  const spaced: RunnerContext = { ...windows, workspace: 'C:\\actions runner\\_work\\app\\app' }
  const python: PythonFacts = {
    ...windowsPython,
    executable: 'C:\\actions runner\\_work\\_tool\\Python\\3.12.7\\x64\\python.exe',
  }

  test('the venv path, layout, exports and the key keep every space', () => {
    const p = plan(spaced, python, { path: 'my venv', workingDirectory: 'sub dir' })
    const venv = 'C:\\actions runner\\_work\\app\\app\\sub dir\\my venv'
    expect(p.venvDir).toBe(venv)
    expect(p.layout).toEqual({
      binDir: `${venv}\\Scripts`,
      python: `${venv}\\Scripts\\python.exe`,
      pipPython: `${venv}\\Scripts\\python.exe`,
      pyvenvCfg: `${venv}\\pyvenv.cfg`,
    })
    const exported = exportsFor(p, 'miss')
    expect(exported.env).toEqual({ VIRTUAL_ENV: venv })
    expect(exported.path).toBe(`${venv}\\Scripts`)
    // Case folded for the key, spaces kept: the same folder in another case is the same venv.
    const upper = plan({ ...spaced, workspace: 'C:\\ACTIONS RUNNER\\_work\\app\\app' }, python, {
      path: 'my venv',
      workingDirectory: 'sub dir',
    })
    expect(upper.key).toBe(p.key)
    expect(canonicalPath('win32', venv)).toBe('c:\\actions runner\\_work\\app\\app\\sub dir\\my venv')
  })

  test('commands get the path as one argument; the log shows it quoted', () => {
    const argv = [
      python.executable,
      '-m',
      'venv',
      '--without-pip',
      plan(spaced, python, { path: 'my venv' }).venvDir,
    ]
    expect(displayCommand(argv)).toBe(
      '"C:\\actions runner\\_work\\_tool\\Python\\3.12.7\\x64\\python.exe" -m venv --without-pip "C:\\actions runner\\_work\\app\\app\\my venv"',
    )
  })
})

describe('a Windows hosted runner', () => {
  test('venv layout, exports, outputs and the exact key', () => {
    const p = plan(windows, windowsPython)
    expect(p.venvDir).toBe('D:\\a\\app\\app\\.venv')
    expect(p.layout).toEqual({
      binDir: 'D:\\a\\app\\app\\.venv\\Scripts',
      python: 'D:\\a\\app\\app\\.venv\\Scripts\\python.exe',
      pipPython: 'D:\\a\\app\\app\\.venv\\Scripts\\python.exe',
      pyvenvCfg: 'D:\\a\\app\\app\\.venv\\pyvenv.cfg',
    })
    // Digests cross-checked with Python (paths lower-cased, as canonicalPath spells them on Windows):
    // environment: hashlib.sha256(json.dumps({"pythonBuild":"3.12.7 (tags/v3.12.7:0b05ead, Oct  1 2024, 03:06:41) [MSC v.1941 64 bit (AMD64)]","pythonPath":"c:\\hostedtoolcache\\windows\\python\\3.12.7\\x64\\python.exe","libc":"","venvPath":"d:\\a\\app\\app\\.venv","pipVersion":"24.2","pipArgs":[],"pipSettings":[],"suffix":""},separators=(",",":")).encode()).hexdigest()[:16]
    // -> f471d6184c280284; dependencies: the same of {"requirements":"e3b0c442...b855","packages":["pytest==8.3.3"]}[:32] -> e75ae04c795bbbd9c6207a9cf183182c
    const key =
      'setup-venv-v2-win32-win22-20241113.3.0-x64-cpython3.12.7-f471d6184c280284-e75ae04c795bbbd9c6207a9cf183182c'
    expect(p.key).toBe(key)
    expect(exportsFor(p, 'miss')).toEqual({
      env: { VIRTUAL_ENV: 'D:\\a\\app\\app\\.venv' },
      path: 'D:\\a\\app\\app\\.venv\\Scripts',
      outputs: {
        'cache-hit': 'false',
        'cache-status': 'miss',
        'cache-key': key,
        'venv-path': 'D:\\a\\app\\app\\.venv',
        'python-path': 'D:\\a\\app\\app\\.venv\\Scripts\\python.exe',
        'python-version': '3.12.7',
        dependencies: "the 'packages' input",
        project: 'none',
      },
    })
    expect(exportsFor(p, 'hit').outputs['cache-hit']).toBe('true')
  })

  test('drive-letter and directory case, and / for \\, give one venv and one key', () => {
    const key = plan(windows, windowsPython).key
    const lower = plan(
      { ...windows, workspace: 'd:\\A\\App\\app' },
      { ...windowsPython, executable: 'c:\\HostedToolCache\\windows\\Python\\3.12.7\\x64\\python.exe' },
    )
    expect(lower.key).toBe(key)
    // The venv keeps the spelling it was given: only the key is case-folded.
    expect(lower.venvDir).toBe('d:\\A\\App\\app\\.venv')
    expect(plan(windows, windowsPython, { path: 'D:/a/app/app/.venv/' }).key).toBe(key)
    expect(canonicalPath('win32', 'C:\\Work\\.venv\\')).toBe('c:\\work\\.venv')
    expect(canonicalPath('win32', 'C:/Work/x/../.venv')).toBe('c:\\work\\.venv')
    expect(canonicalPath('win32', 'C:\\')).toBe('c:\\')
  })

  test('canonicalPath never mixes in the working directory of the machine computing it', () => {
    // path.win32.resolve('x') on Linux would give '\\<cwd>\\x', a POSIX directory in a Windows key.
    expect(canonicalPath('win32', 'venv')).toBe('venv')
    expect(canonicalPath('linux', 'venv/')).toBe('venv')
  })

  test('spaces in the workspace path are kept as they are, in the venv, PATH entry and outputs', () => {
    const p = plan({ ...windows, workspace: 'D:\\a\\my app\\my app' }, windowsPython, { path: 'env dir' })
    expect(p.venvDir).toBe('D:\\a\\my app\\my app\\env dir')
    const exported = exportsFor(p, 'miss')
    expect(exported.path).toBe('D:\\a\\my app\\my app\\env dir\\Scripts')
    expect(exported.outputs['python-path']).toBe('D:\\a\\my app\\my app\\env dir\\Scripts\\python.exe')
    expect(p.key).not.toBe(plan(windows, windowsPython, { path: 'env dir' }).key)
  })

  test('the home directory is refused whatever its case, and drive-relative paths are refused', () => {
    expect(() => venvDirectory(windows, { ...inputs, path: 'c:\\users\\RUNNERADMIN' })).toThrow(
      "Input 'path' resolves to the home directory",
    )
    expect(() => venvDirectory(windows, { ...inputs, path: 'D:\\' })).toThrow('the filesystem root')
    expect(() => venvDirectory(windows, { ...inputs, path: 'C:venv' })).toThrow(
      "Input 'path': 'C:venv' is relative to the current directory of drive C:. Give a path relative to the workspace, or a full path such as C:\\venv.",
    )
    expect(() => venvDirectory(windows, { ...inputs, workingDirectory: 'd:svc' })).toThrow(
      "Input 'working-directory': 'd:svc'",
    )
    expect(isDriveRelative('win32', 'C:\\venv')).toBe(false)
    expect(isDriveRelative('win32', 'C:/venv')).toBe(false)
    expect(isDriveRelative('linux', 'C:venv')).toBe(false)
  })

  test('PATH: `;` separated, spelled Path, entries may be quoted; commands are .exe files', () => {
    expect(pathDelimiter('win32')).toBe(';')
    expect(envVar('win32', windows.env, 'PATH')).toBe(windows.env['Path'])
    expect(envVar('linux', { Path: '/bin' }, 'PATH')).toBeUndefined()
    expect(pathEntries('win32', 'C:\\Python312;"C:\\Program Files\\Git\\cmd";;C:\\Windows')).toEqual([
      'C:\\Python312',
      'C:\\Program Files\\Git\\cmd',
      'C:\\Windows',
    ])
    expect(executableFile('win32', 'python')).toBe('python.exe')
    expect(executableFile('win32', 'python.exe')).toBe('python.exe')
    expect(usesExecuteBit('win32')).toBe(false)
    expect(defaultPythonCommands('win32')).toEqual(['python'])
    // No python3.12.exe exists on Windows: every python.exe on PATH is a candidate, probed for its version.
    expect(versionCommands('win32', [3, 12])).toEqual(['python'])
  })

  test('tool cache: <tool cache>\\Python\\<version>\\<arch>\\python.exe and <arch>.complete', () => {
    expect(toolCachePythonRoot('win32', 'C:\\hostedtoolcache\\windows')).toBe(
      'C:\\hostedtoolcache\\windows\\Python',
    )
    expect(toolCachePython('win32', 'C:\\hostedtoolcache\\windows', '3.12.7', 'x64')).toEqual({
      versionDir: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7',
      installDir: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64',
      python: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64\\python.exe',
      marker: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64.complete',
    })
    // The probe data above is that interpreter.
    expect(toolCachePython('win32', windows.env['RUNNER_TOOL_CACHE'] ?? '', '3.12.7', 'x64').python).toBe(
      windowsPython.executable,
    )
    expect(toolCachePython('win32', 'C:\\hostedtoolcache\\windows', '3.12.7', 'x86').python).toBe(
      'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x86\\python.exe',
    )
  })

  test('a 32-bit interpreter on a 64-bit Windows runner is x86 in the key', () => {
    const x86 = plan(windows, {
      ...windowsPython,
      bits: 32,
      executable: 'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x86\\python.exe',
    })
    expect(x86.key).toMatch(
      /^setup-venv-v2-win32-win22-20241113\.3\.0-x86-cpython3\.12\.7-[0-9a-f]{16}-[0-9a-f]{32}$/,
    )
  })
})

describe('a macOS hosted runner', () => {
  test('venv layout, exports, outputs and the exact key', () => {
    const p = plan(macos, macosPython)
    expect(p.layout).toEqual({
      binDir: '/Users/runner/work/app/app/.venv/bin',
      python: '/Users/runner/work/app/app/.venv/bin/python',
      pipPython: '/Users/runner/work/app/app/.venv/bin/python3',
      pyvenvCfg: '/Users/runner/work/app/app/.venv/pyvenv.cfg',
    })
    // environment: hashlib.sha256(json.dumps({"pythonBuild":"3.12.7 (v3.12.7:0b05ead877f, Sep 30 2024, 23:18:00) [Clang 13.0.0 (clang-1300.0.29.30)]","pythonPath":"/Users/runner/hostedtoolcache/Python/3.12.7/arm64/bin/python3","libc":"","venvPath":"/Users/runner/work/app/app/.venv","pipVersion":"24.2","pipArgs":[],"pipSettings":[],"suffix":""},separators=(",",":")).encode()).hexdigest()[:16]
    // -> 808ac6a7c0eae85e; dependencies as on Windows -> e75ae04c795bbbd9c6207a9cf183182c
    const key =
      'setup-venv-v2-darwin-macos14-20241119.509-arm64-cpython3.12.7-808ac6a7c0eae85e-e75ae04c795bbbd9c6207a9cf183182c'
    expect(p.key).toBe(key)
    expect(exportsFor(p, 'hit')).toEqual({
      env: { VIRTUAL_ENV: '/Users/runner/work/app/app/.venv' },
      path: '/Users/runner/work/app/app/.venv/bin',
      outputs: {
        'cache-hit': 'true',
        'cache-status': 'hit',
        'cache-key': key,
        'venv-path': '/Users/runner/work/app/app/.venv',
        'python-path': '/Users/runner/work/app/app/.venv/bin/python',
        'python-version': '3.12.7',
        dependencies: "the 'packages' input",
        project: 'none',
      },
    })
  })

  test('a framework build is keyed by the path it was started by, not its real path or prefix', () => {
    // A venv records the interpreter through the path that created it (pyvenv.cfg `home`, bin/python's
    // link), so the two spellings of one framework interpreter are two venvs and two keys.
    const viaFramework = plan(macos, {
      ...macosPython,
      executable: '/Library/Frameworks/Python.framework/Versions/3.12/bin/python3.12',
    })
    const key = plan(macos, macosPython).key
    expect(viaFramework.key).not.toBe(key)
    expect(viaFramework.key.slice(0, -50)).toBe(key.slice(0, -50))
    // Case is kept on macOS (APFS can be case-sensitive): at worst an extra miss, never a wrong venv.
    expect(canonicalPath('darwin', '/Users/Runner/.venv')).not.toBe(
      canonicalPath('darwin', '/users/runner/.venv'),
    )
  })

  test('arm64 and x64 (Rosetta) interpreters get different keys', () => {
    const arm = plan(macos, macosPython).key
    const rosetta = plan(macos, { ...macosPython, machine: 'x86_64' }).key
    expect(arm).toContain('-macos14-20241119.509-arm64-cpython3.12.7-')
    expect(rosetta).toContain('-macos14-20241119.509-x64-cpython3.12.7-')
    expect(digestOf(rosetta)).toBe(digestOf(arm)) // the arch is in the readable part only
  })

  test('tool cache: <tool cache>/Python/<version>/<arch>/bin/python3', () => {
    expect(toolCachePython('darwin', '/Users/runner/hostedtoolcache', '3.12.7', 'arm64')).toEqual({
      versionDir: '/Users/runner/hostedtoolcache/Python/3.12.7',
      installDir: '/Users/runner/hostedtoolcache/Python/3.12.7/arm64',
      python: macosPython.executable,
      marker: '/Users/runner/hostedtoolcache/Python/3.12.7/arm64.complete',
    })
    expect(toolCacheArch(macos.env['RUNNER_ARCH'], 'x64')).toBe('arm64')
  })
})

describe('Linux', () => {
  test('glibc and musl interpreters get different keys; the libc is in the digest', () => {
    const glibc = plan(linux, linuxPython).key
    // platform.libc_ver() finds no glibc in a musl-linked interpreter and reports ''.
    const musl = plan(linux, { ...linuxPython, libc: '' }).key
    const otherGlibc = plan(linux, { ...linuxPython, libc: 'glibc2.35' }).key
    expect(new Set([glibc, musl, otherGlibc]).size).toBe(3)
    for (const key of [glibc, musl, otherGlibc]) {
      expect(key).toMatch(
        /^setup-venv-v2-linux-ubuntu24-20241117\.1\.0-x64-cpython3\.12\.7-[0-9a-f]{16}-[0-9a-f]{32}$/,
      )
    }
  })

  test('layout, PATH and tool cache', () => {
    expect(venvLayout('linux', '/w/.venv', '/usr/bin/python3').binDir).toBe('/w/.venv/bin')
    expect(pathDelimiter('linux')).toBe(':')
    expect(pathEntries('linux', '/a::/b:')).toEqual(['/a', '/b'])
    expect(executableFile('linux', 'python3')).toBe('python3')
    expect(usesExecuteBit('linux')).toBe(true)
    expect(usesExecuteBit('darwin')).toBe(true)
    expect(defaultPythonCommands('linux')).toEqual(['python3', 'python'])
    expect(versionCommands('linux', [3, 12])).toEqual(['python3.12'])
    expect(versionCommands('linux', [3, 12, 7])).toEqual(['python3.12'])
    expect(versionCommands('darwin', [3])).toEqual(['python3'])
    expect(toolCachePython('linux', '/opt/hostedtoolcache', '3.12.7', 'x64').python).toBe(
      linuxPython.executable,
    )
    expect(toolCacheArch('X64', 'arm64')).toBe('x64')
    expect(toolCacheArch(undefined, 'ia32')).toBe('x86')
    expect(archOf('aarch64', 64)).toBe('arm64')
  })

  test('the missing-venv hint names the Debian package on Linux only', () => {
    expect(missingVenvHint('linux', 3, 12)).toContain("'sudo apt-get install python3.12-venv'")
    expect(missingVenvHint('win32', 3, 12)).not.toContain('apt-get')
    expect(missingVenvHint('darwin', 3, 12)).toContain('actions/setup-python')
  })
})

describe('image identity on all three', () => {
  test.each<[RunnerContext, string]>([
    [windows, 'win22-20241113.3.0'],
    [macos, 'macos14-20241119.509'],
    [linux, 'ubuntu24-20241117.1.0'],
  ])('hosted: ImageOS-ImageVersion (%#)', (ctx, identity) => {
    expect(imageIdentity(ctx.os, ctx)).toBe(identity)
  })

  test('self-hosted: the OS release on Linux, the kernel release elsewhere', () => {
    expect(imageIdentity('linux', { ...linux, env: {} })).toBe('ubuntu24.04')
    expect(imageIdentity('win32', { ...windows, env: {} })).toBe('win3210.0.20348')
    expect(imageIdentity('darwin', { ...macos, env: {} })).toBe('darwin23.6.0')
  })

  test('Windows variable names are found whatever their case', () => {
    expect(
      imageIdentity('win32', { ...windows, env: { IMAGEOS: 'win25', imageversion: '20250101.1.0' } }),
    ).toBe('win25-20250101.1.0')
  })

  test('three OSes, three readable key prefixes', () => {
    const keys = [plan(windows, windowsPython), plan(macos, macosPython), plan(linux, linuxPython)].map((p) =>
      p.key.split('-').slice(0, 7).join('-'),
    )
    expect(keys).toEqual([
      'setup-venv-v2-win32-win22-20241113.3.0-x64',
      'setup-venv-v2-darwin-macos14-20241119.509-arm64',
      'setup-venv-v2-linux-ubuntu24-20241117.1.0-x64',
    ])
  })
})
