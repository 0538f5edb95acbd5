import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { requirementFiles, writeFile } from '../../test-support/fixtures.js'
import { readRequirementFiles } from '../../src/requirements.js'

let ws: string
const write = (rel: string, text: string): string => writeFile(ws, rel, text)

beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'reqs-'))
})

test('follows -r and -c in every spelling, relative to the including file', async () => {
  write('requirements.txt', 'requests\n-r reqs/base.txt  # base\n--constraint=reqs/pins.txt\n')
  write('reqs/base.txt', '-rmore.txt\n--requirement \\\n  https://example.org/remote.txt\n')
  write('reqs/more.txt', 'idna\n')
  write('reqs/pins.txt', 'idna==3.7\n')
  const found = await requirementFiles(['requirements.txt'], ws)
  expect(found.files.map((f) => f.path)).toEqual([
    'reqs/base.txt',
    'reqs/more.txt',
    'reqs/pins.txt',
    'requirements.txt',
  ])
})

test('the hash follows content and ignores the order of the input lines', async () => {
  write('a.txt', 'requests\n')
  write('b.txt', '-r c.txt\n')
  write('c.txt', 'idna\n')
  const ab = await requirementFiles(['a.txt', 'b.txt'], ws)
  const ba = await requirementFiles(['b.txt', 'a.txt'], ws)
  expect(ba.hash).toBe(ab.hash)
  expect(ba.roots).toEqual(ab.roots)
  write('c.txt', 'idna==3.7\n')
  const edited = await requirementFiles(['a.txt', 'b.txt'], ws)
  expect(edited.hash).not.toBe(ab.hash)
})

test('globs expand to files', async () => {
  const a = write('reqs/a.txt', 'x\n')
  const b = write('reqs/b.txt', 'y\n')
  write('reqs/notes.md', '')
  expect((await requirementFiles(['reqs/*.txt'], ws)).roots).toEqual([a, b])
})

test.each([
  ['missing.txt', /^Input 'requirements': 'missing.txt' matches no file/],
  ['reqs/*.lock', /^Input 'requirements': 'reqs\/\*\.lock' matches no file/],
])('%s that matches nothing is an error naming the input', async (pattern, message) => {
  await expect(requirementFiles([pattern], ws)).rejects.toThrow(message)
})

test('an included file that does not exist names the file and line', async () => {
  const file = write('requirements.txt', 'requests\n\n-r nope.txt\n')
  await expect(requirementFiles(['requirements.txt'], ws)).rejects.toThrow(
    `${file}:3 includes 'nope.txt', which does not exist`,
  )
})

test('files outside the workspace are refused, by .. , absolute path or symlink', async () => {
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'))
  const foreign = path.join(outside, 'req.txt')
  fs.writeFileSync(foreign, 'x\n')
  fs.symlinkSync(foreign, path.join(ws, 'link.txt'))
  write('inc.txt', `-r ${foreign}\n`)
  for (const pattern of [path.relative(ws, foreign), foreign, 'link.txt', 'inc.txt']) {
    await expect(requirementFiles([pattern], ws)).rejects.toThrow(/is outside the workspace/)
  }
})

describe('readRequirementFiles', () => {
  const read = (files: string[], inside = true) =>
    readRequirementFiles(
      new Map(files.map((f) => [path.join(ws, f), `test '${f}'`])),
      ws,
      inside ? ws : undefined,
    )
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

  test('local lines: the file, the logical line, the text and the path, against the base directory', () => {
    const file = write(
      'requirements.txt',
      [
        'requests>=2',
        '-e .',
        './libs/x[test]',
        '--editable=./libs/y  # the second',
        'name @ file:///abs/path',
        'git+https://github.com/x/y',
        '-e git+https://github.com/x/y#egg=y',
        '--no-binary :all:',
        '-e \\',
        '    ./libs/z',
        'foo.bar==1',
      ].join('\n'),
    )
    // pip resolves a path in a requirement line against the directory it runs in, not the file's. Roots are
    // read in sorted order (reqs/top.txt before requirements.txt), then what they include.
    const sub = write('reqs/dev.txt', './libs/w\n')
    write('reqs/top.txt', '-r dev.txt\n')
    const found = read(['requirements.txt', 'reqs/top.txt'])
    expect(found.local).toEqual([
      { file, line: 2, text: '-e .', ref: { path: ws, editable: true, extras: [] } },
      {
        file,
        line: 3,
        text: './libs/x[test]',
        ref: { path: path.join(ws, 'libs/x'), editable: false, extras: ['test'] },
      },
      {
        file,
        line: 4,
        text: '--editable=./libs/y',
        ref: { path: path.join(ws, 'libs/y'), editable: true, extras: [] },
      },
      {
        file,
        line: 5,
        text: 'name @ file:///abs/path',
        ref: { path: '/abs/path', editable: false, extras: [] },
      },
      {
        file,
        line: 9,
        text: '-e     ./libs/z',
        ref: { path: path.join(ws, 'libs/z'), editable: true, extras: [] },
      },
      {
        file: sub,
        line: 1,
        text: './libs/w',
        ref: { path: path.join(ws, 'libs/w'), editable: false, extras: [] },
      },
    ])
    expect(found.findLinks).toEqual([])
    expect(found.roots).toEqual([path.join(ws, 'reqs/top.txt'), file])
  })

  test('find-links lines in every spelling: next to the file when there, else against the base directory', () => {
    fs.mkdirSync(path.join(ws, 'reqs/wheels'), { recursive: true })
    fs.mkdirSync(path.join(ws, 'wheels2'), { recursive: true })
    const file = write(
      'reqs/links.txt',
      [
        '-f wheels',
        '-fwheels',
        '--find-links=wheels',
        '--find-links wheels',
        '-f wheels2',
        '-f ./nowhere',
        '--find-links https://host/links/',
        '-f file:///abs/wheels',
        '--find-links=file:wheels2',
        '--find-links /abs/dir',
        'requests',
      ].join('\n'),
    )
    const found = read(['reqs/links.txt'])
    expect(found.findLinks).toEqual([
      { file, line: 1, location: path.join(ws, 'reqs/wheels') },
      { file, line: 2, location: path.join(ws, 'reqs/wheels') },
      { file, line: 3, location: path.join(ws, 'reqs/wheels') },
      { file, line: 4, location: path.join(ws, 'reqs/wheels') },
      // Not beside the file: against the base directory, existing or not.
      { file, line: 5, location: path.join(ws, 'wheels2') },
      { file, line: 6, location: path.join(ws, 'nowhere') },
      { file, line: 7, location: 'https://host/links/' },
      { file, line: 8, location: '/abs/wheels' },
      { file, line: 9, location: path.join(ws, 'wheels2') },
      { file, line: 10, location: '/abs/dir' },
    ])
    expect(found.local).toEqual([])
  })

  test('find-links and local lines in included files are found too', () => {
    write('requirements.txt', '-r reqs/inc.txt\n')
    const inc = write('reqs/inc.txt', 'idna\n-f wheels\n-e ./lp\n')
    const found = read(['requirements.txt'])
    expect(found.findLinks).toEqual([{ file: inc, line: 2, location: path.join(ws, 'wheels') }])
    expect(found.local).toEqual([
      { file: inc, line: 3, text: '-e ./lp', ref: { path: path.join(ws, 'lp'), editable: true, extras: [] } },
    ])
  })

  test('files that include each other are each read once', () => {
    write('a.txt', '-r b.txt\nrequests\n')
    write('b.txt', '-c a.txt\nidna\n')
    const found = read(['a.txt'])
    expect(found.files).toEqual([
      { path: 'a.txt', full: path.join(ws, 'a.txt'), sha256: sha256('-r b.txt\nrequests\n') },
      { path: 'b.txt', full: path.join(ws, 'b.txt'), sha256: sha256('-c a.txt\nidna\n') },
    ])
  })

  test('a pylock.toml root is hashed, never read as requirement lines', () => {
    const lock = [
      'lock-version = "1.0"',
      'created-by = """',
      '-r missing.txt',
      '-e ./lp',
      '-f wheels',
      '"""',
      '',
    ].join('\n')
    const file = write('pylock.toml', lock)
    const dev = write('pylock.dev.toml', lock)
    const found = read(['pylock.toml', 'pylock.dev.toml'])
    expect(found.roots).toEqual([dev, file])
    expect(found.files).toEqual([
      { path: 'pylock.dev.toml', full: dev, sha256: sha256(lock) },
      { path: 'pylock.toml', full: file, sha256: sha256(lock) },
    ])
    expect(found.local).toEqual([])
    expect(found.findLinks).toEqual([])
  })

  test('an include outside the workspace is refused naming the including line', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'))
    const foreign = path.join(outside, 'req.txt')
    fs.writeFileSync(foreign, 'x\n')
    const inc = write('inc.txt', `requests\n-c ${foreign}\n`)
    expect(() => read(['inc.txt'])).toThrow(
      `${inc}:2 includes '${foreign}': '${foreign}' is outside the workspace (${fs.realpathSync(ws)}). ` +
        'Move it into the repository.',
    )
  })

  test('without a workspace, files anywhere are read', () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'))
    const foreign = path.join(outside, 'pins.txt')
    fs.writeFileSync(foreign, 'idna==3.7\n')
    write('inc.txt', `-c ${foreign}\n`)
    const found = read(['inc.txt'], false)
    // Sorted by the path relative to the base directory: `../outside-...` first.
    expect(found.files.map((f) => f.full)).toEqual([foreign, path.join(ws, 'inc.txt')])
    expect(found.files.find((f) => f.full === foreign)?.sha256).toBe(sha256('idna==3.7\n'))
    const direct = readRequirementFiles(new Map([[foreign, 'pip config']]), ws, undefined)
    expect(direct.roots).toEqual([foreign])
    expect(direct.files).toEqual([
      { path: path.relative(ws, foreign), full: foreign, sha256: sha256('idna==3.7\n') },
    ])
  })

  // pip joins a line ending in `\` with the next, except a comment line: `# see C:\` ends there, and the
  // next line is a requirement of its own (pip 23.2 checked).
  test('a comment line ending in a backslash does not swallow the next line', () => {
    const file = write('requirements.txt', '# built on C:\\\n-e ./lp\n')
    expect(read(['requirements.txt']).local).toEqual([
      { file, line: 2, text: '-e ./lp', ref: { path: path.join(ws, 'lp'), editable: true, extras: [] } },
    ])
  })

  // pip splits an option line with shlex: `-r "sub dir/base.txt"` includes sub dir/base.txt (pip 23.2
  // checked).
  test('a quoted include path, as pip reads it', () => {
    write('sub dir/base.txt', 'idna\n')
    write('requirements.txt', '-r "sub dir/base.txt"\n')
    expect(read(['requirements.txt']).files.map((f) => f.path)).toEqual([
      'requirements.txt',
      'sub dir/base.txt',
    ])
  })

  // Same for find-links: `-f './my wheels'` is the directory `my wheels` (pip 23.2 checked).
  test('a quoted find-links path, as pip reads it', () => {
    fs.mkdirSync(path.join(ws, 'my wheels'))
    const file = write('requirements.txt', "-f './my wheels'\n")
    expect(read(['requirements.txt']).findLinks).toEqual([
      { file, line: 1, location: path.join(ws, 'my wheels') },
    ])
  })
})
