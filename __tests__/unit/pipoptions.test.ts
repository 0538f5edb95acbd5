import { optionCategory, optionName, outsideVenvProblem, parsePipArgs } from '../../src/pipoptions.js'

describe('parsePipArgs reads as pip’s optparse does', () => {
  test('prefixes, values after = or in the next word, positionals in between', () => {
    expect(parsePipArgs(['--targ', '/some/dir', 'torch', '--pre', '--index-url=https://x/simple'])).toEqual({
      options: [
        { name: 'target', spelling: '--targ', value: '/some/dir', words: ['--targ', '/some/dir'] },
        { name: 'pre', spelling: '--pre', value: undefined, words: ['--pre'] },
        {
          name: 'index-url',
          spelling: '--index-url',
          value: 'https://x/simple',
          words: ['--index-url=https://x/simple'],
        },
      ],
      positional: ['torch'],
      problems: [],
    })
  })

  test('an alias is read as its option', () => {
    expect(parsePipArgs(['--no-dependencies', '--default-timeout', '5', '--pypi-url=u']).options).toEqual([
      { name: 'no-deps', spelling: '--no-dependencies', value: undefined, words: ['--no-dependencies'] },
      { name: 'timeout', spelling: '--default-timeout', value: '5', words: ['--default-timeout', '5'] },
      { name: 'index-url', spelling: '--pypi-url', value: 'u', words: ['--pypi-url=u'] },
    ])
  })

  test('short options: a cluster of flags, then one that takes the rest of the word or the next one', () => {
    expect(parsePipArgs(['-qqt', 'dir', '-Ur', 'reqs.txt', '-vc=x', '-e', '.']).options).toEqual([
      { name: 'quiet', spelling: '-q', value: undefined, words: ['-qqt'] },
      { name: 'quiet', spelling: '-q', value: undefined, words: ['-qqt'] },
      { name: 'target', spelling: '-t', value: 'dir', words: ['-qqt', 'dir'] },
      { name: 'upgrade', spelling: '-U', value: undefined, words: ['-Ur'] },
      { name: 'requirement', spelling: '-r', value: 'reqs.txt', words: ['-Ur', 'reqs.txt'] },
      { name: 'verbose', spelling: '-v', value: undefined, words: ['-vc=x'] },
      { name: 'constraint', spelling: '-c', value: '=x', words: ['-vc=x'] },
      { name: 'editable', spelling: '-e', value: '.', words: ['-e', '.'] },
    ])
  })

  test('the value of a value option is consumed whatever it looks like; -- ends the options', () => {
    expect(parsePipArgs(['--index-url', '--target', '-', '--', '--user', '-tdir'])).toEqual({
      options: [
        { name: 'index-url', spelling: '--index-url', value: '--target', words: ['--index-url', '--target'] },
      ],
      positional: ['-', '--user', '-tdir'],
      problems: [],
    })
  })

  test('an exact spelling wins over being the prefix of another', () => {
    expect(parsePipArgs(['--pre', '--root', '/r', '--user']).options.map((o) => o.name)).toEqual([
      'pre',
      'root',
      'user',
    ])
  })

  test('problems: ambiguous prefixes with their candidates, unknown options, missing and unexpected values', () => {
    expect(
      parsePipArgs(['--pr', '/x', '--no-dep', '--frobnicate', '-X', '--user=1', '--target']).problems,
    ).toEqual([
      {
        kind: 'ambiguous',
        spelling: '--pr',
        words: ['--pr'],
        candidates: ['--pre', '--prefer-binary', '--prefix', '--progress-bar', '--proxy'],
      },
      {
        kind: 'ambiguous',
        spelling: '--no-dep',
        words: ['--no-dep'],
        candidates: ['--no-dependencies', '--no-deps'],
      },
      { kind: 'unknown', spelling: '--frobnicate', words: ['--frobnicate'], candidates: [] },
      { kind: 'unknown', spelling: '-X', words: ['-X'], candidates: [] },
      { kind: 'unexpected-value', spelling: '--user', words: ['--user=1'], candidates: [] },
      { kind: 'missing-value', spelling: '--target', words: ['--target'], candidates: [] },
    ])
  })

  test('an unknown or ambiguous option takes no value, so the next word is still read', () => {
    const parsed = parsePipArgs(['--frobnicate', '-t', 'dir', '--pr', 'x'])
    expect(parsed.options).toEqual([{ name: 'target', spelling: '-t', value: 'dir', words: ['-t', 'dir'] }])
    expect(parsed.positional).toEqual(['x'])
  })

  test('an unknown short option in a cluster does not hide the ones after it', () => {
    expect(parsePipArgs(['-Xt', 'dir']).options).toEqual([
      { name: 'target', spelling: '-t', value: 'dir', words: ['-Xt', 'dir'] },
    ])
  })
})

describe('outsideVenvProblem', () => {
  const fix = 'which installs outside the venv. Remove it: packages belong in the venv that is cached.'
  test.each<[string[], string]>([
    [['--target', '/some/dir'], `'--target /some/dir', ${fix}`],
    [['--targ', '/some/dir'], `'--targ /some/dir' (pip reads it as --target), ${fix}`],
    [['--ta', 'd'], `'--ta d' (pip reads it as --target), ${fix}`],
    [['-t', 'dir'], `'-t dir' (pip reads it as --target), ${fix}`],
    [['-tdir'], `'-tdir' (pip reads it as --target), ${fix}`],
    [['--target=dir'], `'--target=dir', ${fix}`],
    [['-qt', 'dir'], `'-qt dir' (pip reads it as --target), ${fix}`],
    [['--prefix', '/usr'], `'--prefix /usr', ${fix}`],
    [['--prefi=/usr'], `'--prefi=/usr' (pip reads it as --prefix), ${fix}`],
    [['--root', '/'], `'--root /', ${fix}`],
    [['--user'], `'--user', ${fix}`],
    [['--user=yes'], `'--user=yes', ${fix}`],
    [['--target'], `'--target', ${fix}`],
    [['--python', '/usr/bin/python3'], `'--python /usr/bin/python3', ${fix}`],
    [['torch', '--no-deps', '-t', 'x'], `'-t x' (pip reads it as --target), ${fix}`],
  ])('refuses %j', (args, message) => {
    expect(outsideVenvProblem(args, 'pip-args')).toBe(`Input 'pip-args' has ${message}`)
  })

  test.each<[string[], string]>([
    [['--roo', '/'], '--root, --root-user-action'],
    [['--us'], '--use-deprecated, --use-feature, --use-pep517, --user'],
    [['--pr', '/x'], '--pre, --prefer-binary, --prefix, --progress-bar, --proxy'],
  ])('refuses the ambiguous %j when it could be an outside option', (args, candidates) => {
    const outside = /--(prefix|root|user)\b/.exec(candidates)?.[0] ?? ''
    expect(outsideVenvProblem(args, 'pip-args')).toBe(
      `Input 'pip-args' has '${args[0] ?? ''}', which could be any of ${candidates} (pip refuses it as ` +
        `ambiguous); ${outside} installs outside the venv. Spell out the option you mean: packages belong ` +
        `in the venv that is cached.`,
    )
  })

  test.each<[string[]]>([
    [['--pre']],
    [['--progress-bar', 'off']],
    [['--require-hashes']],
    [['--retries', '3']],
    [['--only-binary', ':all:']],
    [['torch', 'rooty==1', 'user-agents', 'target']],
    [['--index-url', '--target']],
    [['--', '--target', 'dir']],
    [['--no-user']],
    [['--no-dep']], // ambiguous, but neither candidate installs elsewhere: pip's own error will do
    [[]],
  ])('lets %j through', (args) => {
    expect(outsideVenvProblem(args, 'pip-args')).toBeUndefined()
  })
})

test('optionCategory: names pip 26.2.1 does not know count as outcome', () => {
  expect(
    ['target', 'python', 'constraint', 'group', 'pre', 'trusted-host', 'dry-run', 'timeout', 'no-user'].map(
      optionCategory,
    ),
  ).toEqual(['outside', 'outside', 'file', 'file', 'outcome', 'outcome', 'outcome', 'neutral', 'neutral'])
  expect(optionCategory('a-pip-27-option')).toBe('outcome')
  expect(optionCategory('default-timeout')).toBe('neutral') // an alias is the same option
})

test('optionName: exact long spellings only, as pip matches config keys', () => {
  expect(optionName('no-dependencies')).toBe('no-deps')
  expect(optionName('source-dir')).toBe('src')
  expect(optionName('targ')).toBeUndefined()
})
