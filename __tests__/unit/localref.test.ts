import * as path from 'node:path'
import { localRequirement } from '../../src/localref.js'

// Pure: no file is read, so the paths need not exist.
const CWD = '/work/repo'

describe('local paths', () => {
  test.each([
    ['.', CWD, false, []],
    ['./libs/x', '/work/repo/libs/x', false, []],
    ['libs/x', '/work/repo/libs/x', false, []],
    ['../sibling', '/work/sibling', false, []],
    ['./dist/x-1.0-py3-none-any.whl', '/work/repo/dist/x-1.0-py3-none-any.whl', false, []],
    ['./libs/x[test]', '/work/repo/libs/x', false, ['test']],
    ['./libs/x[test,dev]', '/work/repo/libs/x', false, ['test', 'dev']],
    ['-e .', CWD, true, []],
    ['-e.', CWD, true, []],
    ['-e ./x[a]', '/work/repo/x', true, ['a']],
    ['--editable=./x', '/work/repo/x', true, []],
    ['--editable ./x', '/work/repo/x', true, []],
    ['  ./x  ', '/work/repo/x', false, []],
  ])('%j', (spec, expected, editable, extras) => {
    expect(localRequirement(spec, CWD)).toEqual({ path: expected, editable, extras })
  })

  // pip (23.2 checked): `./libs/x[test, dev]` in a requirement file installs libs/x with the extras test and
  // dev; the space inside the brackets is part of the extras.
  test('extras with a space after the comma: ./libs/x[test, dev]', () => {
    expect(localRequirement('./libs/x[test, dev]', CWD)).toEqual({
      path: '/work/repo/libs/x',
      editable: false,
      extras: ['test', 'dev'],
    })
  })

  test('-e with two extras', () => {
    expect(localRequirement('-e ./x[a,b]', CWD)).toEqual({
      path: '/work/repo/x',
      editable: true,
      extras: ['a', 'b'],
    })
  })
})

describe('file: URLs and direct references', () => {
  test.each([
    ['name @ file:///abs/path', '/abs/path', false, []],
    ['name@file:///abs/path', '/abs/path', false, []],
    ['name[extra] @ file:///abs', '/abs', false, ['extra']],
    ['name[a, b] @ file:///abs', '/abs', false, ['a', 'b']],
    ['name @ file:///abs/my%20dir', '/abs/my dir', false, []],
    ['name @ file:///abs ; python_version >= "3.8"', '/abs', false, []],
    ['-e name @ file:///abs', '/abs', true, []],
    ['file:///abs#egg=name', '/abs', false, []],
    ['file:///abs/x-1.0.tar.gz', '/abs/x-1.0.tar.gz', false, []],
    ['FILE:///abs', '/abs', false, []],
    ['file:relative/dir', '/work/repo/relative/dir', false, []],
    ['file:relative/dir#egg=name', '/work/repo/relative/dir', false, []],
    ['-e file:///abs#egg=name', '/abs', true, []],
  ])('%j', (spec, expected, editable, extras) => {
    expect(localRequirement(spec, CWD)).toEqual({ path: expected, editable, extras })
  })
})

describe('not local', () => {
  test.each([
    'requests',
    'requests>=2',
    'requests >= 2, < 3',
    'foo.bar==1',
    'foo_bar[extra]>=1; python_version < "3.11"',
    'git+https://github.com/x/y',
    'git+ssh://git@github.com/x/y.git@v1#egg=y',
    '-e git+https://github.com/x/y#egg=y',
    '--editable=git+https://github.com/x/y#egg=y',
    'hg+https://hg.example.org/y#egg=y',
    'https://host/x.whl',
    'http://host/x-1.0.tar.gz',
    'name @ https://host/x.whl',
    'name @ git+https://github.com/x/y',
  ])('%j', (spec) => {
    expect(localRequirement(spec, CWD)).toBeUndefined()
  })
})

describe('markers and separators', () => {
  test.each([
    ['./x ; python_version >= "3.8"', '/work/repo/x', []],
    ['./x; python_version >= "3.8"', '/work/repo/x', []],
    ['./x ;python_version >= "3.8"', '/work/repo/x', []],
    ['./x[a] ; sys_platform == "linux"', '/work/repo/x', ['a']],
  ])('%j', (spec, expected, extras) => {
    expect(localRequirement(spec, CWD)).toEqual({ path: expected, editable: false, extras })
  })

  // pip splits a path requirement at its first `;` whether or not a space surrounds it (for a URL it needs
  // "; "): `./x;python_version>="3.8"` is ./x under that marker (pip 23.2 checked).
  test('a marker right after the path, without spaces: ./x;python_version>="3.8"', () => {
    expect(localRequirement('./x;python_version>="3.8"', CWD)).toEqual({
      path: '/work/repo/x',
      editable: false,
      extras: [],
    })
  })

  test('a Windows-style relative path, read on this OS as pip reads it here', () => {
    // A leading dot makes it a path for pip; on POSIX the backslash is part of the file name.
    expect(localRequirement('.\\x', CWD)).toEqual({
      path: path.resolve(CWD, '.\\x'),
      editable: false,
      extras: [],
    })
  })

  // pip takes a word with an archive's extension for a file in the directory it runs in, even without a
  // path separator ("looks like a filename"; pip 23.2 checked: `x-1.0-py3-none-any.whl` installs
  // ./x-1.0-py3-none-any.whl).
  test('a bare archive file name: x-1.0-py3-none-any.whl', () => {
    expect(localRequirement('x-1.0-py3-none-any.whl', CWD)).toEqual({
      path: '/work/repo/x-1.0-py3-none-any.whl',
      editable: false,
      extras: [],
    })
  })
})
