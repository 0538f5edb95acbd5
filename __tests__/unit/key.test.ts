import { cacheKeys, type KeyParts } from '../../src/key.js'

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
    pipArgs: [],
    pipSettings: [],
    suffix: '',
    dependencies: '{"requirements":"aaaa"}',
    ...overrides,
  }
}

const key = (overrides: Partial<KeyParts> = {}): string => cacheKeys(parts(overrides)).key
const prefix = (overrides: Partial<KeyParts> = {}): string => cacheKeys(parts(overrides)).keyPrefix

const BASE = 'setup-venv-v2-linux-ubuntu24-20241117.1-x64-cpython3.12.7-'

describe('cacheKeys', () => {
  // Digests computed independently with Python: hashlib.sha256(json.dumps(env, separators=(',', ':'))) for
  // the environment (first 16 hex), and of the dependency text itself (first 32 hex).
  test('pins the exact key and prefix for fixed parts', () => {
    expect(cacheKeys(parts())).toEqual({
      keyPrefix: `${BASE}18d08e6e03de60a9-`,
      key: `${BASE}18d08e6e03de60a9-ade29accfaa54fa6c943562ecd4644fc`,
    })
  })

  test.each<[string, Partial<KeyParts>]>([
    ['interpreter path', { pythonPath: '/usr/bin/python3' }],
    ['interpreter build', { pythonBuild: '3.12.7 (main) [Clang]' }],
    ['venv path', { venvPath: '/home/runner/work/app/app/venv' }],
    ['pip version', { pipVersion: '24.3' }],
    ['pip-args', { pipArgs: ['--pre'] }],
    ['pip settings', { pipSettings: ['env index-url=https://example.org/simple'] }],
    ['libc', { libc: 'musl1.2' }],
    ['suffix', { suffix: 'x' }],
  ])('a different %s changes the prefix: no sync across it', (_what, change) => {
    expect(prefix(change)).not.toBe(prefix())
    expect(key(change).startsWith(prefix())).toBe(false)
  })

  test('different dependencies keep the prefix and change the key', () => {
    const other = cacheKeys(parts({ dependencies: '{"requirements":"bbbb"}' }))
    expect(other.keyPrefix).toBe(prefix())
    expect(other.key).not.toBe(key())
    expect(other.key).toMatch(new RegExp(`^${prefix()}[0-9a-f]{32}$`))
  })

  test.each<[string, Partial<KeyParts>, string]>([
    ['os', { os: 'darwin' }, 'setup-venv-v2-darwin-'],
    ['image', { image: 'ubuntu22-20241117.1' }, 'setup-venv-v2-linux-ubuntu22-'],
    ['arch', { arch: 'arm64' }, 'setup-venv-v2-linux-ubuntu24-20241117.1-arm64-'],
    ['version', { pythonVersion: '3.12.8' }, 'setup-venv-v2-linux-ubuntu24-20241117.1-x64-cpython3.12.8-'],
  ])('the %s is readable in the key', (_what, change, start) => {
    expect(key(change).startsWith(start)).toBe(true)
  })

  test('pip-args order matters', () => {
    expect(key({ pipArgs: ['--pre', '--no-deps'] })).not.toBe(key({ pipArgs: ['--no-deps', '--pre'] }))
  })

  test('credentials in pip-args never reach the key', () => {
    const withToken = key({ pipArgs: ['--index-url', 'https://user:s3cret@example.org/simple'] })
    const without = key({ pipArgs: ['--index-url', 'https://example.org/simple'] })
    expect(withToken).toBe(without)
  })

  test('a plain suffix is readable, before the dependency digest', () => {
    expect(cacheKeys(parts({ suffix: 'nightly-2' }))).toEqual({
      keyPrefix: `${BASE}7db9760001f55b12-nightly-2-`,
      key: `${BASE}7db9760001f55b12-nightly-2-ade29accfaa54fa6c943562ecd4644fc`,
    })
  })

  test("one suffix's prefix never matches the keys of a longer suffix", () => {
    expect(key({ suffix: 'a-b' }).startsWith(prefix({ suffix: 'a' }))).toBe(false)
  })

  test('a suffix with a comma or 600 characters still gives a valid key', () => {
    for (const suffix of ['a,b', 'x'.repeat(600), 'new\nline']) {
      const k = key({ suffix })
      expect(k).not.toMatch(/[,\s]/)
      expect(k.length).toBeLessThanOrEqual(512)
      expect(k).toMatch(/-h[0-9a-f]{16}-[0-9a-f]{32}$/)
    }
  })

  test('image names with odd characters are made safe', () => {
    expect(key({ image: 'my image,v2' })).toMatch(/^setup-venv-v2-linux-my_image_v2-x64-/)
  })
})
