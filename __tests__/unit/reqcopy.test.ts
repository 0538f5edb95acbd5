import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { writeFile } from '../../test-support/fixtures.js'
import { lineId, pipRequirementFiles } from '../../src/reqcopy.js'
import { readRequirementFiles } from '../../src/requirements.js'

let ws: string
let copyDir: string
const write = (rel: string, text: string): string => writeFile(ws, rel, text)

/** The files as sources.ts reads them, and every local line dropped, as sources.ts drops a project's. */
function copiesOf(roots: string[], drop: (text: string) => boolean = () => true) {
  const files = readRequirementFiles(new Map(roots.map((r) => [path.join(ws, r), 'test'])), ws, ws)
  const dropped = new Set(files.local.filter((l) => drop(l.text)).map((l) => lineId(l.file, l.line)))
  return { files, result: pipRequirementFiles(files, dropped, copyDir, ws) }
}

/** How Python's shlex (as pip) splits a line. */
function shlexSplit(line: string): string[] {
  const out = execFileSync('python3', [
    '-c',
    'import json,shlex,sys; print(json.dumps(shlex.split(sys.argv[1])))',
    line,
  ])
  return JSON.parse(out.toString()) as string[]
}

beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'reqcopy-'))
  copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'reqcopy-copies-'))
})

test('lineId is file:line', () => {
  expect(lineId('/ws/requirements.txt', 7)).toBe('/ws/requirements.txt:7')
})

test('no dropped line: the roots as they are, no copies', () => {
  write('requirements.txt', 'requests\n-r reqs/base.txt\n-f wheels\n')
  write('reqs/base.txt', 'idna\n')
  const { files, result } = copiesOf(['requirements.txt'])
  expect(result).toEqual({ roots: [path.join(ws, 'requirements.txt')], copies: [] })
  expect(result.roots).toEqual(files.roots)
})

test('local lines that are kept (archives): no copies', () => {
  write('requirements.txt', 'requests\n./dist/x-1.0-py3-none-any.whl\n')
  const { result } = copiesOf(['requirements.txt'], () => false)
  expect(result).toEqual({ roots: [path.join(ws, 'requirements.txt')], copies: [] })
})

test('a dropped line becomes a comment, every line keeps its number', () => {
  const file = write('requirements.txt', 'requests\n-e ./lp\nidna  # pinned below\n')
  const { result } = copiesOf(['requirements.txt'])
  const copy = path.join(copyDir, '1-requirements.txt')
  expect(result).toEqual({
    roots: [copy],
    copies: [
      {
        source: file,
        path: copy,
        content: 'requests\n# setup-venv: installed after the venv is ready: -e ./lp\nidna  # pinned below\n',
      },
    ],
  })
})

test('a dropped line continued over several lines: its first line is the comment, the others empty', () => {
  write('requirements.txt', 'requests\n-e \\\n  ./lp[test] \\\n  \nidna\n')
  const { result } = copiesOf(['requirements.txt'])
  expect(result.copies.map((c) => c.content)).toEqual([
    'requests\n# setup-venv: installed after the venv is ready: -e   ./lp[test]\n\n\nidna\n',
  ])
})

test('CRLF line ends: the line numbers stay', () => {
  write('requirements.txt', 'requests\r\n./lp\r\nidna\r\n')
  const { result } = copiesOf(['requirements.txt'])
  expect(result.copies.map((c) => c.content)).toEqual([
    'requests\n# setup-venv: installed after the venv is ready: ./lp\nidna\n',
  ])
})

test('only the dropped lines are dropped: other local lines stay', () => {
  write('requirements.txt', './lp\n./dist/x-1.0-py3-none-any.whl\n')
  const { result } = copiesOf(['requirements.txt'], (t) => t === './lp')
  expect(result.copies.map((c) => c.content)).toEqual([
    '# setup-venv: installed after the venv is ready: ./lp\n./dist/x-1.0-py3-none-any.whl\n',
  ])
})

test('includes become absolute paths: to the original when it is not copied, in both flags', () => {
  fs.mkdirSync(path.join(ws, 'wheels'))
  write('reqs/base.txt', 'idna\n')
  write('reqs/pins.txt', 'idna==3.7\n')
  write(
    'requirements.txt',
    [
      '-e ./lp',
      '-r reqs/base.txt',
      '-rreqs/base.txt',
      '--requirement=reqs/base.txt',
      '-c reqs/pins.txt',
      '--constraint reqs/pins.txt',
      '-r https://example.org/remote.txt',
      'requests  # a comment',
      '',
    ].join('\n'),
  )
  const { result } = copiesOf(['requirements.txt'])
  const base = `'${path.join(ws, 'reqs/base.txt')}'`
  const pins = `'${path.join(ws, 'reqs/pins.txt')}'`
  expect(result.copies.map((c) => c.content)).toEqual([
    [
      '# setup-venv: installed after the venv is ready: -e ./lp',
      `-r ${base}`,
      `-r ${base}`,
      `-r ${base}`,
      `-c ${pins}`,
      `-c ${pins}`,
      '-r https://example.org/remote.txt',
      'requests  # a comment',
      '',
    ].join('\n'),
  ])
})

test('find-links: relative paths made absolute as pip would resolve them, URLs kept', () => {
  fs.mkdirSync(path.join(ws, 'reqs/wheels'), { recursive: true })
  write(
    'reqs/dev.txt',
    [
      './lp',
      '-f wheels',
      '--find-links=./nowhere',
      '-f https://host/links/',
      '--find-links file:///abs/wheels',
      '--find-links /abs/dir',
    ].join('\n'),
  )
  const { result } = copiesOf(['reqs/dev.txt'])
  expect(result.copies.map((c) => c.content)).toEqual([
    [
      '# setup-venv: installed after the venv is ready: ./lp',
      // Next to the file when it is there, else against the directory pip runs in.
      `--find-links '${path.join(ws, 'reqs/wheels')}'`,
      `--find-links '${path.join(ws, 'nowhere')}'`,
      '-f https://host/links/',
      '--find-links file:///abs/wheels',
      `--find-links '/abs/dir'`,
    ].join('\n'),
  ])
})

test('an include of a copied file points to its copy; files that only include a copied one are copied too', () => {
  const top = write('top.txt', 'requests\n-r mid.txt\n')
  const mid = write('mid.txt', '-r sub/leaf.txt\n-c pins.txt\n')
  const leaf = write('sub/leaf.txt', 'idna\n./lp\n')
  const pins = write('pins.txt', 'idna==3.7\n')
  const other = write('other.txt', 'six\n')
  const { result } = copiesOf(['top.txt', 'other.txt'])
  // Copies are numbered in the sorted order of their originals.
  const copy = (n: number, name: string) => path.join(copyDir, `${n}-${name}`)
  // In the roots' order (sorted originals), each replaced by its copy when it has one.
  expect(result.roots).toEqual([other, copy(3, 'top.txt')])
  expect(result.copies).toEqual([
    { source: mid, path: copy(1, 'mid.txt'), content: `-r '${copy(2, 'leaf.txt')}'\n-c '${pins}'\n` },
    {
      source: leaf,
      path: copy(2, 'leaf.txt'),
      content: 'idna\n# setup-venv: installed after the venv is ready: ./lp\n',
    },
    { source: top, path: copy(3, 'top.txt'), content: `requests\n-r '${copy(1, 'mid.txt')}'\n` },
  ])
})

test('two roots with one name get copies of their own', () => {
  const a = write('a/requirements.txt', './lp\n')
  const b = write('b/requirements.txt', './lq\n')
  const { result } = copiesOf(['a/requirements.txt', 'b/requirements.txt'])
  expect(result.roots).toEqual([
    path.join(copyDir, '1-requirements.txt'),
    path.join(copyDir, '2-requirements.txt'),
  ])
  expect(result.copies.map((c) => [c.source, c.content])).toEqual([
    [a, '# setup-venv: installed after the venv is ready: ./lp\n'],
    [b, '# setup-venv: installed after the venv is ready: ./lq\n'],
  ])
})

test("paths with spaces and a single quote come back whole through Python's shlex, as pip splits them", () => {
  // A workspace and a temporary directory whose paths hold a space and a single quote.
  ws = path.join(ws, "it's a dir")
  copyDir = path.join(copyDir, "copies of it's")
  fs.mkdirSync(path.join(ws, 'wheels'), { recursive: true })
  const base = write('sub/base.txt', 'idna\n')
  write('sub/leaf.txt', './lp\n')
  write('requirements.txt', './lp\n-rsub/base.txt\n-c sub/leaf.txt\n-f wheels\n')
  const { result } = copiesOf(['requirements.txt'])
  const root = result.copies.find((c) => c.source === path.join(ws, 'requirements.txt'))
  const lines = root?.content.split('\n') ?? []
  expect(lines).toHaveLength(5)
  expect(shlexSplit(lines[1] ?? '')).toEqual(['-r', base])
  expect(shlexSplit(lines[2] ?? '')).toEqual(['-c', path.join(copyDir, '2-leaf.txt')])
  expect(shlexSplit(lines[3] ?? '')).toEqual(['--find-links', path.join(ws, 'wheels')])
  expect(result.roots).toEqual([path.join(copyDir, '1-requirements.txt')])
})
