// failureMessage: what the user sees when pip fails, from pip's real stderr. The samples were captured
// by running pip 23.2.1 (what CPython 3.11.7's ensurepip installs) on requirement files against the
// hermetic index of buildTestIndex(), in a fresh venv each time, with the -r paths absolute as the action
// passes them; the workspace and index paths are put back in with WS and INDEX.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { failureMessage, hasWork, indexArgs } from '../../src/pip.js'
import { requirementFiles } from '../../test-support/fixtures.js'
import type { Dependencies } from '../../src/sources.js'

const INDEX = 'file:///tmp/setup-venv-index-X/simple'
let ws: string

beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pip-failure-'))
})

/** The dependencies of `files` in the workspace and `packages` (what failureMessage reads). */
async function planFor(
  files: Record<string, string>,
  roots: string[],
  packages: string[] = [],
): Promise<Pick<Dependencies, 'files' | 'specs'>> {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(ws, name), text)
  const requirements = await requirementFiles(roots, ws)
  return { files: requirements, specs: packages.map((text) => ({ text, origin: "the 'packages' input" })) }
}

/** A captured sample with the paths of this test put in. */
function sample(text: string): string {
  return text.replaceAll('WS', ws).replaceAll('INDEX', INDEX)
}

test('a package that does not exist, in a requirement file: pip ERROR lines, then the file and line', async () => {
  const plan = await planFor({ 'requirements.txt': 'sv-tool==2.0\nno-such-package-xyz==1.0\n' }, [
    'requirements.txt',
  ])
  const stderr = sample(
    "WARNING: Location 'INDEX/no-such-package-xyz/' is ignored: it is neither a file nor a directory.\n" +
      'ERROR: Could not find a version that satisfies the requirement no-such-package-xyz==1.0 (from versions: none)\n' +
      'ERROR: No matching distribution found for no-such-package-xyz==1.0\n',
  )
  expect(failureMessage(plan, 1, stderr)).toBe(
    [
      'pip install failed (exit code 1).',
      'ERROR: Could not find a version that satisfies the requirement no-such-package-xyz==1.0 (from versions: none)',
      'ERROR: No matching distribution found for no-such-package-xyz==1.0',
      "'no-such-package-xyz' is asked for in requirements.txt:2.",
    ].join('\n'),
  )
})

test("a package that does not exist, in the 'packages' input", async () => {
  const plan = await planFor({}, [], ['no-such-package-xyz'])
  const stderr = sample(
    "WARNING: Location 'INDEX/no-such-package-xyz/' is ignored: it is neither a file nor a directory.\n" +
      'ERROR: Could not find a version that satisfies the requirement no-such-package-xyz (from versions: none)\n' +
      'ERROR: No matching distribution found for no-such-package-xyz\n',
  )
  expect(failureMessage(plan, 1, stderr)).toBe(
    [
      'pip install failed (exit code 1).',
      'ERROR: Could not find a version that satisfies the requirement no-such-package-xyz (from versions: none)',
      'ERROR: No matching distribution found for no-such-package-xyz',
      "'no-such-package-xyz' is asked for in the 'packages' input.",
    ].join('\n'),
  )
})

test('a version conflict through a constraints file: pip names the requirement file and line', async () => {
  const plan = await planFor(
    { 'requirements.txt': 'sv-tool==2.0\n-c constraints.txt\n', 'constraints.txt': 'sv-lib<1.0\n' },
    ['requirements.txt'],
  )
  const stderr = sample(
    'ERROR: Cannot install -r WS/requirements.txt (line 1) because these package versions have conflicting dependencies.\n' +
      'ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts\n',
  )
  const message = failureMessage(plan, 1, stderr)
  expect(message).toMatch(/^pip install failed \(exit code 1\)\.\n/)
  expect(message).toContain(`ERROR: Cannot install -r ${ws}/requirements.txt (line 1) because`)
  expect(message).toContain('ERROR: ResolutionImpossible')
})

test('a version conflict between two requirement files (ResolutionImpossible): both lines named', async () => {
  const plan = await planFor({ 'a.txt': 'sv-lib==1.0\n', 'b.txt': 'sv-lib>1.0\n' }, ['a.txt', 'b.txt'])
  const stderr =
    'ERROR: Cannot install sv-lib==1.0 and sv-lib>1.0 because these package versions have conflicting dependencies.\n' +
    'ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts\n'
  const message = failureMessage(plan, 1, stderr)
  expect(message).toContain('ERROR: Cannot install sv-lib==1.0 and sv-lib>1.0 because')
  expect(message).toContain('ERROR: ResolutionImpossible')
  expect(message).toContain("'sv-lib' is asked for in a.txt:1, b.txt:1.")
})

test('a hash mismatch under --require-hashes: the package, its line, expected and got', async () => {
  const zeros = '0'.repeat(64)
  const plan = await planFor(
    {
      'requirements.txt': `sv-tool==2.0 --hash=sha256:${'1'.repeat(64)}\nsv-lib==1.0 --hash=sha256:${zeros}\n`,
    },
    ['requirements.txt'],
  )
  const got = '72ee36dbdba1ec1afbdce091cdbea4ed3b4a2807a5037614c3294c7af0ecb5a4'
  const stderr = sample(
    'ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes. Otherwise, examine the package contents carefully; someone may have tampered with them.\n' +
      `    sv-lib==1.0 from INDEX/sv-lib/sv_lib-1.0-py3-none-any.whl#sha256=${got} (from -r WS/requirements.txt (line 2)):\n` +
      `        Expected sha256 ${zeros}\n` +
      `             Got        ${got}\n` +
      '\n',
  )
  const message = failureMessage(plan, 1, stderr)
  expect(message).toContain('ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.')
  expect(message).toContain(`sv-lib==1.0 from ${INDEX}/sv-lib/sv_lib-1.0-py3-none-any.whl`)
  expect(message).toContain(`Expected sha256 ${zeros}`)
  expect(message).toContain(`Got        ${got}`)
  expect(message).toContain("'sv-lib' is asked for in requirements.txt:2.")
})

test('no ERROR line (a usage error): the last lines pip wrote', async () => {
  const plan = await planFor({ 'requirements.txt': 'sv-tool\n' }, ['requirements.txt'])
  const stderr = [
    '',
    'Usage:   ',
    ...[
      '<requirement specifier> [package-index-options] ...',
      '-r <requirements file> [package-index-options] ...',
      '[-e] <vcs project url> ...',
      '[-e] <local project path> ...',
      '<archive url/path> ...',
    ].map((tail) => `  ${ws}/.venv/bin/python -m pip install [options] ${tail}`),
    '',
    'no such option: --no-such-option',
    '',
  ].join('\n')
  const message = failureMessage(plan, 2, stderr)
  expect(message.split('\n')).toEqual([
    'pip install failed (exit code 2).',
    ...stderr
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-5),
  ])
  expect(message.endsWith('no such option: --no-such-option')).toBe(true)
})

describe('indexArgs: what the installs of pip itself and of build requirements take from pip-args', () => {
  test('where packages come from and how pip reaches them, by long name; never what the dependencies ask for', () => {
    expect(
      indexArgs([
        '-qU',
        '--require-hashes',
        '--ind',
        'http://index.example/simple',
        '-f',
        './wheels',
        '--pre',
        '-c',
        'constraints.txt',
        '--report',
        'report.json',
        '--timeout=5',
        '--no-deps',
        '--dry-run',
        '--only-binary=:all:',
        'extra-package',
      ]),
    ).toEqual([
      '--quiet',
      '--index-url',
      'http://index.example/simple',
      '--find-links',
      './wheels',
      '--pre',
      '--timeout',
      '5',
      '--only-binary',
      ':all:',
    ])
  })

  test('every option passed on is one pip 26.2.1 knows: none is dropped by a misspelt name', () => {
    const all = [
      '--index-url=a',
      '--extra-index-url=b',
      '--no-index',
      '--find-links=c',
      '--trusted-host=d',
      '--uploaded-prior-to=e',
      '--pre',
      '--all-releases=f',
      '--only-final=g',
      '--no-binary=h',
      '--only-binary=i',
      '--prefer-binary',
      '--isolated',
      '--timeout=1',
      '--retries=2',
      '--resume-retries=3',
      '--proxy=j',
      '--no-proxy-env',
      '--cert=k',
      '--client-cert=l',
      '--keyring-provider=m',
      '--no-input',
      '--cache-dir=n',
      '--no-cache-dir',
      '--verbose',
      '--quiet',
      '--no-color',
      '--progress-bar=o',
      '--disable-pip-version-check',
    ]
    expect(indexArgs(all).filter((w) => w.startsWith('--'))).toEqual(all.map((w) => w.replace(/=.*$/, '')))
  })
})

describe('hasWork: whether the build runs pip for the dependencies', () => {
  const deps = (pipFiles: string[], specs: string[] = []) =>
    ({ pipFiles, specs: specs.map((text) => ({ text, origin: 'test' })) }) as unknown as Dependencies
  test.each([
    [[], [], [], false],
    [['/ws/requirements.txt'], [], [], true],
    [[], ['idna'], [], true],
    [[], [], ['--pre', '--index-url', 'http://x/simple'], false],
    [[], [], ['-r', 'extra.txt'], true],
    [[], [], ['--group=dev'], true],
    [[], [], ['-e', 'git+https://x.example/p.git'], true],
    [[], [], ['--pre', 'idna'], true],
  ])('files %j, packages %j, pip-args %j: %s', (pipFiles, specs, pipArgs, expected) => {
    expect(hasWork({ dependencies: deps(pipFiles, specs), pipArgs })).toBe(expected)
  })
})
