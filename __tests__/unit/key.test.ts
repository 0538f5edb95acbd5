import { cacheKey, type KeyParts } from '../../src/key.js'

function parts(overrides: Partial<KeyParts> = {}): KeyParts {
  return {
    os: 'linux',
    image: 'ubuntu24-20241117.1',
    arch: 'x64',
    implementation: 'cpython',
    pythonVersion: '3.12.7',
    pythonBuild: '3.12.7 (main, Oct  1 2024, 08:00:00) [GCC 13.2.0]',
    pythonPath: '/opt/hostedtoolcache/Python/3.12.7/x64/bin/python3',
    libc: 'glibc2.39',
    venvPath: '/home/runner/work/app/app/.venv',
    pipVersion: '24.2',
    requirementsHash: 'a'.repeat(64),
    packages: [],
    pipArgs: [],
    indexSettings: [],
    suffix: '',
    ...overrides,
  }
}

const BASE = 'setup-venv-v1-linux-ubuntu24-20241117.1-x64-cpython3.12.7-'

describe('cacheKey', () => {
  // The digest was computed independently: sha256 of the same JSON with Python's json.dumps(separators=(',', ':')).
  test('pins the exact key for fixed parts', () => {
    expect(cacheKey(parts())).toBe(`${BASE}fc2e1adbe153170ac2edcb392a5f2c43`)
  })

  test.each<[string, Partial<KeyParts>]>([
    ['interpreter path', { pythonPath: '/usr/bin/python3' }],
    ['interpreter build', { pythonBuild: '3.12.7 (main) [Clang]' }],
    ['venv path', { venvPath: '/home/runner/work/app/app/venv' }],
    ['pip version', { pipVersion: '24.3' }],
    ['requirements', { requirementsHash: 'b'.repeat(64) }],
    ['packages', { packages: ['pytest'] }],
    ['pip-args', { pipArgs: ['--pre'] }],
    ['index settings', { indexSettings: ['env index-url=https://example.org/simple'] }],
    ['libc', { libc: 'musl1.2' }],
  ])('a different %s changes only the digest', (_what, change) => {
    const key = cacheKey(parts(change))
    expect(key).not.toBe(cacheKey(parts()))
    expect(key.startsWith(BASE)).toBe(true)
  })

  test.each<[string, Partial<KeyParts>, string]>([
    ['os', { os: 'darwin' }, 'setup-venv-v1-darwin-'],
    ['image', { image: 'ubuntu22-20241117.1' }, 'setup-venv-v1-linux-ubuntu22-'],
    ['arch', { arch: 'arm64' }, 'setup-venv-v1-linux-ubuntu24-20241117.1-arm64-'],
    ['version', { pythonVersion: '3.12.8' }, 'setup-venv-v1-linux-ubuntu24-20241117.1-x64-cpython3.12.8-'],
  ])('the %s is readable in the key', (_what, change, prefix) => {
    expect(cacheKey(parts(change)).startsWith(prefix)).toBe(true)
  })

  test('package order does not matter, pip-args order does', () => {
    expect(cacheKey(parts({ packages: ['a', 'b'] }))).toBe(cacheKey(parts({ packages: ['b', 'a'] })))
    expect(cacheKey(parts({ pipArgs: ['--pre', '--no-deps'] }))).not.toBe(
      cacheKey(parts({ pipArgs: ['--no-deps', '--pre'] })),
    )
  })

  test('credentials in pip-args never reach the key', () => {
    const withToken = cacheKey(parts({ pipArgs: ['--index-url', 'https://user:s3cret@example.org/simple'] }))
    const without = cacheKey(parts({ pipArgs: ['--index-url', 'https://example.org/simple'] }))
    expect(withToken).toBe(without)
  })

  test('a plain suffix is appended as is', () => {
    expect(cacheKey(parts({ suffix: 'nightly-2' }))).toBe(`${BASE}fc2e1adbe153170ac2edcb392a5f2c43-nightly-2`)
  })

  test('a suffix with a comma or 600 characters still gives a valid key', () => {
    for (const suffix of ['a,b', 'x'.repeat(600), 'new\nline']) {
      const key = cacheKey(parts({ suffix }))
      expect(key).not.toMatch(/[,\s]/)
      expect(key.length).toBeLessThanOrEqual(512)
      expect(key).toMatch(/-h[0-9a-f]{16}$/)
    }
  })

  test('image names with odd characters are made safe', () => {
    expect(cacheKey(parts({ image: 'my image,v2' }))).toMatch(/^setup-venv-v1-linux-my_image_v2-x64-/)
  })
})
