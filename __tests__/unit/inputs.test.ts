import * as fs from 'node:fs'
import { readInputs } from '../../src/inputs.js'
import { testInputs } from '../../test-support/fixtures.js'

const NAMES = [
  'python',
  'path',
  'requirements',
  'packages',
  'pip-args',
  'working-directory',
  'cache',
  'cache-privileged-events',
  'cache-suffix',
  'extras',
  'groups',
  'install-project',
  'pip-version',
  'incremental',
  'restore-cache',
  'save-cache',
  'fail-on-cache-miss',
]

function withInputs(values: Record<string, string>): void {
  for (const name of NAMES) Reflect.deleteProperty(process.env, `INPUT_${name.toUpperCase()}`)
  for (const [name, value] of Object.entries(values)) process.env[`INPUT_${name.toUpperCase()}`] = value
}

afterAll(() => {
  withInputs({})
})

test('the names cleared between tests are every input of action.yml', () => {
  const yml = fs.readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')
  const inputs = yml.slice(yml.indexOf('\ninputs:'), yml.indexOf('\noutputs:'))
  expect([...inputs.matchAll(/^ {2}([\w-]+):$/gm)].map((m) => m[1]).sort()).toEqual([...NAMES].sort())
})

describe('readInputs', () => {
  test('defaults', () => {
    withInputs({})
    // The defaults are spelled once, in the fixture the other unit tests start from; this keeps it true.
    expect(readInputs()).toEqual(testInputs())
  })

  test('multi-line inputs drop blank and comment lines', () => {
    withInputs({
      requirements: 'requirements.txt\n\n  # dev tools\nrequirements/*.txt\r\n',
      packages: 'pytest>=8\n  ruff  \n',
      'pip-args': `--pre --extra-index-url "https://example.org/a b" 'x y' C:\\wheels`,
      cache: 'False',
      'cache-privileged-events': 'TRUE',
      'cache-suffix': 'v2',
      python: '/usr/bin/python3.12',
      'working-directory': 'app',
      extras: 'test, docs\nlint',
      groups: 'dev',
      'install-project': 'Editable',
      'pip-version': '26.2.1',
      incremental: 'false',
      'restore-cache': 'false',
      'save-cache': 'false',
      'fail-on-cache-miss': 'true',
    })
    expect(readInputs()).toEqual({
      python: '/usr/bin/python3.12',
      path: '.venv',
      requirements: ['requirements.txt', 'requirements/*.txt'],
      packages: ['pytest>=8', 'ruff'],
      pipArgs: ['--pre', '--extra-index-url', 'https://example.org/a b', 'x y', 'C:\\wheels'],
      workingDirectory: 'app',
      cache: false,
      cachePrivilegedEvents: true,
      cacheSuffix: 'v2',
      extras: ['test', 'docs', 'lint'],
      groups: ['dev'],
      installProject: 'editable',
      pipVersion: '26.2.1',
      incremental: false,
      restoreCache: false,
      saveCache: false,
      failOnCacheMiss: true,
    })
  })

  test('shell metacharacters in pip-args stay literal arguments', () => {
    withInputs({ 'pip-args': '--no-deps; rm -rf / && echo $(id) `x` | cat' })
    expect(readInputs().pipArgs).toEqual([
      '--no-deps;',
      'rm',
      '-rf',
      '/',
      '&&',
      'echo',
      '$(id)',
      '`x`',
      '|',
      'cat',
    ])
  })

  test.each<[Record<string, string>, RegExp]>([
    [{ cache: 'yes' }, /^Input 'cache' must be 'true' or 'false', not 'yes'\.$/],
    [
      { 'pip-args': '--target /tmp/x' },
      /^Input 'pip-args' has '--target \/tmp\/x', which installs outside the venv/,
    ],
    [{ 'pip-args': '--prefix=/usr' }, /^Input 'pip-args' has '--prefix=\/usr'/],
    [{ 'pip-args': '--root /' }, /^Input 'pip-args' has '--root \/'/],
    [{ 'pip-args': '--user' }, /^Input 'pip-args' has '--user'/],
    [{ 'pip-args': '-t/tmp/x' }, /^Input 'pip-args' has '-t\/tmp\/x' \(pip reads it as --target\)/],
    [
      { 'pip-args': '--targ /some/dir' },
      /^Input 'pip-args' has '--targ \/some\/dir' \(pip reads it as --target\)/,
    ],
    [{ 'pip-args': '--index-url "https://x' }, /^Input 'pip-args' has an unclosed " quote/],
    [{ path: 'venv\nPATH=/evil' }, /^Input 'path' contains a control character/],
    [{ path: 'a\u0000b' }, /^Input 'path' contains a control character/],
    [{ path: '.venv-*' }, /^Input 'path' contains glob characters/],
    [{ 'working-directory': 'src\tx' }, /^Input 'working-directory' contains a control character/],
    [
      { 'install-project': 'yes' },
      /^Input 'install-project' must be one of 'auto', 'editable', 'true', 'false', not 'yes'\.$/,
    ],
    [
      { 'pip-version': '>=25' },
      /^Input 'pip-version' must be 'bundled' or an exact version such as 26\.2\.1/,
    ],
    [{ 'save-cache': 'maybe' }, /^Input 'save-cache' must be 'true' or 'false', not 'maybe'\.$/],
    [{ 'restore-cache': 'no' }, /^Input 'restore-cache' must be 'true' or 'false', not 'no'\.$/],
    [{ 'fail-on-cache-miss': '1' }, /^Input 'fail-on-cache-miss' must be 'true' or 'false', not '1'\.$/],
    [{ incremental: 'off' }, /^Input 'incremental' must be 'true' or 'false', not 'off'\.$/],
  ])('bad input %j is refused with a message naming it', (values, message) => {
    withInputs(values)
    expect(() => readInputs()).toThrow(message)
  })
})
