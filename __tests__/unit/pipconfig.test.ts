import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pathToFileURL } from 'node:url'
import {
  credentialsIn,
  keySettings,
  localPaths,
  readPipSettings,
  stripCredentials,
} from '../../src/pipconfig.js'
import { UsageError } from '../../src/errors.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipconf-'))
let files = 0
/** A config file holding `text`, under a new name each time. */
function conf(text: string): string {
  const file = path.join(dir, `pip${++files}.conf`)
  fs.writeFileSync(file, text)
  return file
}

/** The message of the UsageError readPipSettings throws. */
function refusal(files: string[], env: Record<string, string>): string {
  try {
    readPipSettings(files, env)
  } catch (error) {
    if (error instanceof UsageError) return error.message
    throw error
  }
  throw new Error('no UsageError')
}

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true })
})

test('stripCredentials', () => {
  expect(stripCredentials('https://user:tok@pypi.example.org/simple')).toBe('https://pypi.example.org/simple')
  expect(stripCredentials('https://tok@pypi.example.org/simple')).toBe('https://pypi.example.org/simple')
  expect(stripCredentials('/opt/wheels')).toBe('/opt/wheels')
})

test('credentialsIn finds user-info and the decoded password', () => {
  expect(credentialsIn('--index-url https://me:p%40ss@x.org/simple')).toEqual(['me:p%40ss', 'p@ss'])
})

describe('readPipSettings', () => {
  test('[global] and [install] of each file in order, then PIP_CONFIG_FILE, then PIP_* by name', () => {
    const global = conf(
      '[global]\nindex-url = https://u:secret@corp.example/simple\nextra_index_url =\n  file:///a\n  file:///b\n' +
        '# a comment\ntimeout: 5\n[freeze]\nfind-links = /ignored\n[install]\n--no-deps = yes\nempty =\n',
    )
    const envFile = conf('[install]\nconstraint = c.txt\n')
    expect(
      readPipSettings([global, path.join(dir, 'missing.conf')], {
        PIP_CONFIG_FILE: envFile,
        PIP_PRE: '1',
        PIP_DEFAULT_TIMEOUT: '60',
        PIP_TARGET: '',
        PIP_VERSION: '24.0',
        HOME: '/root',
      }),
    ).toEqual([
      {
        source: `${global}:2`,
        origin: `${global} [global]`,
        name: 'index-url',
        value: 'https://u:secret@corp.example/simple',
        category: 'outcome',
      },
      {
        source: `${global}:3`,
        origin: `${global} [global]`,
        name: 'extra-index-url',
        value: '\nfile:///a\nfile:///b',
        category: 'outcome',
      },
      {
        source: `${global}:7`,
        origin: `${global} [global]`,
        name: 'timeout',
        value: '5',
        category: 'neutral',
      },
      {
        source: `${global}:11`,
        origin: `${global} [install]`,
        name: 'no-deps',
        value: 'yes',
        category: 'outcome',
      },
      {
        source: `${envFile}:2`,
        origin: `${envFile} [install]`,
        name: 'constraint',
        value: 'c.txt',
        category: 'file',
      },
      { source: 'env PIP_DEFAULT_TIMEOUT', origin: 'env', name: 'timeout', value: '60', category: 'neutral' },
      { source: 'env PIP_PRE', origin: 'env', name: 'pre', value: '1', category: 'outcome' },
    ])
  })

  test('PIP_CONFIG_FILE=/dev/null (nul on Windows) means no config file at all', () => {
    const file = conf('[global]\nindex-url = https://corp.example/simple\n')
    expect(readPipSettings([file], { PIP_CONFIG_FILE: '/dev/null' })).toEqual([])
    expect(readPipSettings([file], { PIP_CONFIG_FILE: 'NUL' })).toEqual([])
  })

  test('an indented line continues the value above it, whatever it looks like', () => {
    const file = conf('[global]\ntimeout = 5\n  target = /not/a/key\n')
    expect(readPipSettings([file], {}).map((s) => [s.name, s.value])).toEqual([
      ['timeout', '5\ntarget = /not/a/key'],
    ])
  })

  test('[DEFAULT] counts only in a file with a [global] or [install] section', () => {
    expect(readPipSettings([conf('[DEFAULT]\npre = 1\n[freeze]\nall = 1\n')], {})).toEqual([])
    expect(readPipSettings([conf('[DEFAULT]\npre = 1\n[global]\n')], {}).map((s) => s.origin)).toEqual([
      expect.stringMatching(/ \[DEFAULT\]$/),
    ])
  })

  test.each<[Record<string, string>, string]>([
    [{ PIP_TARGET: '/some/dir' }, 'PIP_TARGET'],
    [{ PIP_PREFIX: '/usr' }, 'PIP_PREFIX'],
    [{ PIP_ROOT: '/' }, 'PIP_ROOT'],
    [{ PIP_USER: 'yes' }, 'PIP_USER'],
    [{ PIP_USER: 'On' }, 'PIP_USER'],
    [{ PIP_PYTHON: '/usr/bin/python3' }, 'PIP_PYTHON'],
  ])('refuses %j', (env, variable) => {
    expect(refusal([], env)).toBe(
      `${variable} makes pip install outside the venv, which the action caches: unset it for this step ` +
        `(env: ${variable}: '').`,
    )
  })

  test('refuses PIP_NO_USER=1, which pip reads as --user', () => {
    expect(refusal([], { PIP_NO_USER: '1' })).toBe(
      `PIP_NO_USER makes pip install outside the venv (pip takes no-user=1 from config as --user), which the ` +
        `action caches: unset it for this step (env: PIP_NO_USER: '').`,
    )
  })

  test.each<[string, string, number]>([
    ['[global]\ntarget = /some/dir\n', 'target', 2],
    ['[install]\n\n--prefix=/usr\n', 'prefix', 3],
    ['[global]\nroot: /\n', 'root', 2],
    ['[install]\nuser = true\n', 'user', 2],
    ['[global]\npython = /usr/bin/python3\n', 'python', 2],
    ['[DEFAULT]\ntarget = /x\n[install]\n', 'target', 2],
  ])('refuses %j', (text, name, line) => {
    const file = conf(text)
    expect(refusal([file], {})).toBe(
      `'${name}' in ${file}:${line} makes pip install outside the venv, which the action caches: remove it from ` +
        `${file}:${line}, or have pip read no config file in this step (env: PIP_CONFIG_FILE: /dev/null, or nul ` +
        `on Windows).`,
    )
  })

  test('lets through empty targets, false user flags, and other sections', () => {
    const file = conf('[global]\ntarget =\nuser = no\n[freeze]\ntarget = /x\n[Install]\nprefix = /x\n')
    expect(
      readPipSettings([file], { PIP_TARGET: '', PIP_USER: 'false', PIP_NO_USER: '0', PIP_TARG: '/x' }),
    ).toEqual([
      { source: `${file}:3`, origin: `${file} [global]`, name: 'user', value: 'no', category: 'outside' },
      { source: 'env PIP_NO_USER', origin: 'env', name: 'no-user', value: '0', category: 'neutral' },
      // pip does not know `targ` (config keys are exact): kept, as a name a newer pip might know
      { source: 'env PIP_TARG', origin: 'env', name: 'targ', value: '/x', category: 'outcome' },
      { source: 'env PIP_USER', origin: 'env', name: 'user', value: 'false', category: 'outside' },
    ])
  })
})

test('keySettings: what can change the venv, credentials stripped, neutral settings left out', () => {
  const file = conf('[global]\nindex-url = https://u:secret@corp.example/simple\ncache-dir = /tmp/c\n')
  const env = {
    PIP_CONSTRAINT: '/c.txt',
    PIP_PRE: '1',
    PIP_ONLY_BINARY: ':all:',
    PIP_NO_BINARY: 'lxml',
    PIP_NO_DEPS: '1',
    PIP_UPLOADED_PRIOR_TO: 'P7D',
    PIP_REQUIRE_HASHES: 'yes',
    PIP_INDEX_URL: 'https://tok@idx.example/simple',
    PIP_EXTRA_INDEX_URL: 'https://a:b@x.example/simple  https://y.example/simple',
    PIP_FIND_LINKS: '/opt/wheels',
    PIP_NO_INDEX: 'false',
    PIP_PROGRESS_BAR: 'off',
    PIP_TIMEOUT: '60',
    PIP_RETRIES: '10',
    PIP_CACHE_DIR: '/tmp/pip',
    PIP_ROOT_USER_ACTION: 'ignore',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_NO_CACHE_DIR: '1',
    PIP_CERT: '/etc/ssl/certs/ca-certificates.crt',
  }
  expect(keySettings(readPipSettings([file], env))).toEqual([
    `${file} [global] index-url=https://corp.example/simple`,
    'env constraint=/c.txt',
    'env extra-index-url=https://x.example/simple https://y.example/simple',
    'env find-links=/opt/wheels',
    'env index-url=https://idx.example/simple',
    'env no-binary=lxml',
    'env no-deps=1',
    'env no-index=false',
    'env only-binary=:all:',
    'env pre=1',
    'env require-hashes=yes',
    'env uploaded-prior-to=P7D',
  ])
})

test('localPaths: local files and directories, file: URLs as paths, other URLs left out', () => {
  const wheels = path.join(dir, 'wheels')
  const file = conf(
    `[global]\nfind-links =\n  ${pathToFileURL(wheels).href}\n  https://x.example/links\n  ./vendor\n` +
      '[install]\nrequirement = base.txt\n',
  )
  expect(
    localPaths(
      readPipSettings([file], {
        PIP_CONSTRAINT: 'c1.txt https://x.example/c2.txt',
        PIP_EDITABLE: 'git+https://x.example/p.git ./pkg',
        PIP_GROUP: 'sub/pyproject.toml:dev',
        PIP_BUILD_CONSTRAINT: 'build.txt',
        PIP_INDEX_URL: 'file:///srv/simple', // a local index, but not a 'file' setting: its listing is pip's business
      }),
      '/ws',
    ),
  ).toEqual([
    { source: `${file}:2`, name: 'find-links', path: wheels },
    { source: `${file}:2`, name: 'find-links', path: '/ws/vendor' },
    { source: `${file}:7`, name: 'requirement', path: '/ws/base.txt' },
    { source: 'env PIP_BUILD_CONSTRAINT', name: 'build-constraint', path: '/ws/build.txt' },
    { source: 'env PIP_CONSTRAINT', name: 'constraint', path: '/ws/c1.txt' },
    { source: 'env PIP_EDITABLE', name: 'editable', path: '/ws/pkg' },
    { source: 'env PIP_GROUP', name: 'group', path: '/ws/sub/pyproject.toml' },
  ])
  expect(localPaths(readPipSettings([], { PIP_GROUP: 'dev' }), '/ws')).toEqual([
    { source: 'env PIP_GROUP', name: 'group', path: '/ws/pyproject.toml' },
  ])
  // A relative file: URL is relative to where pip runs; a remote host's file: URL is not local (and no crash).
  expect(
    localPaths(readPipSettings([], { PIP_FIND_LINKS: 'file:wheels file://server/share/wheels' }), '/ws'),
  ).toEqual([{ source: 'env PIP_FIND_LINKS', name: 'find-links', path: '/ws/wheels' }])
})
