import {
  archOf,
  canonicalPath,
  defaultPythonCommands,
  imageIdentity,
  looksLikePath,
  pipConfigFiles,
  venvLayout,
} from '../../src/platform.js'

describe('venvLayout', () => {
  test('POSIX: bin/python', () => {
    expect(venvLayout('linux', '/home/runner/work/app/app/.venv', '/usr/bin/python3.12')).toEqual({
      binDir: '/home/runner/work/app/app/.venv/bin',
      python: '/home/runner/work/app/app/.venv/bin/python',
      pipPython: '/home/runner/work/app/app/.venv/bin/python3.12',
      pyvenvCfg: '/home/runner/work/app/app/.venv/pyvenv.cfg',
    })
    expect(venvLayout('darwin', '/Users/runner/work/app/app/.venv', '/usr/local/bin/python3').python).toBe(
      '/Users/runner/work/app/app/.venv/bin/python',
    )
  })

  test('Windows: Scripts\\python.exe', () => {
    expect(
      venvLayout(
        'win32',
        'D:\\a\\app\\app\\.venv',
        'C:\\hostedtoolcache\\windows\\Python\\3.12.7\\x64\\python.exe',
      ),
    ).toEqual({
      binDir: 'D:\\a\\app\\app\\.venv\\Scripts',
      python: 'D:\\a\\app\\app\\.venv\\Scripts\\python.exe',
      pipPython: 'D:\\a\\app\\app\\.venv\\Scripts\\python.exe',
      pyvenvCfg: 'D:\\a\\app\\app\\.venv\\pyvenv.cfg',
    })
  })
})

test('default interpreter commands', () => {
  expect(defaultPythonCommands('linux')).toEqual(['python3', 'python'])
  expect(defaultPythonCommands('win32')).toEqual(['python'])
})

test('Windows paths differing in case give one canonical path', () => {
  expect(canonicalPath('win32', 'C:\\Work\\.venv')).toBe(canonicalPath('win32', 'c:\\work\\.venv'))
  expect(canonicalPath('linux', '/Work/.venv')).not.toBe(canonicalPath('linux', '/work/.venv'))
})

test('a path or a command', () => {
  expect(looksLikePath('linux', 'python3.12')).toBe(false)
  expect(looksLikePath('linux', './py/bin/python')).toBe(true)
  expect(looksLikePath('win32', 'C:\\Python312\\python.exe')).toBe(true)
  expect(looksLikePath('linux', 'C:python')).toBe(false)
})

test.each([
  ['x86_64', 64, 'x64'],
  ['AMD64', 64, 'x64'],
  ['AMD64', 32, 'x86'],
  ['aarch64', 64, 'arm64'],
  ['arm64', 64, 'arm64'],
  ['i686', 32, 'x86'],
  ['ppc64le', 64, 'ppc64le'],
])('arch of %s/%i is %s', (machine, bits, arch) => {
  expect(archOf(machine, bits)).toBe(arch)
})

describe('imageIdentity', () => {
  test('hosted runners: ImageOS-ImageVersion', () => {
    expect(
      imageIdentity('linux', {
        env: { ImageOS: 'ubuntu24', ImageVersion: '20241117.1.0' },
        osRelease: 'ID=ubuntu',
        kernelRelease: '6.5',
      }),
    ).toBe('ubuntu24-20241117.1.0')
  })

  test('elsewhere on Linux: the OS release', () => {
    const osRelease = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'
    expect(imageIdentity('linux', { env: {}, osRelease, kernelRelease: '6.1.0' })).toBe('debian12')
  })

  test('elsewhere on macOS and Windows: the kernel release', () => {
    expect(imageIdentity('darwin', { env: {}, osRelease: undefined, kernelRelease: '23.6.0' })).toBe(
      'darwin23.6.0',
    )
  })
})

test('pip config files, lowest priority first', () => {
  expect(pipConfigFiles('linux', {}, '/home/u')).toEqual([
    '/etc/xdg/pip/pip.conf',
    '/etc/pip.conf',
    '/home/u/.pip/pip.conf',
    '/home/u/.config/pip/pip.conf',
  ])
  expect(pipConfigFiles('win32', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'C:\\Users\\u')).toEqual([
    'C:\\ProgramData\\pip\\pip.ini',
    'C:\\Users\\u\\pip\\pip.ini',
    'C:\\Users\\u\\AppData\\Roaming\\pip\\pip.ini',
  ])
})
