import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { writeFile } from '../../test-support/fixtures.js'
import { fileDigest, findLinksFingerprint } from '../../src/fingerprint.js'

let dir: string
const write = (rel: string, text: string): string => writeFile(dir, rel, text)
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fingerprint-'))
})

test('fileDigest is the sha256 of the content', () => {
  expect(fileDigest(write('x.whl', 'wheel bytes'))).toBe(sha256('wheel bytes'))
  expect(fileDigest(write('empty', ''))).toBe(
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  )
})

describe('findLinksFingerprint', () => {
  test('a directory: its top-level files, sorted, each with its digest', () => {
    const wheels = path.join(dir, 'wheels')
    write('wheels/b-1.0-py3-none-any.whl', 'b')
    write('wheels/a-2.0.tar.gz', 'a2')
    write('wheels/a-1.0-py3-none-any.whl', 'a1')
    // pip looks at the top level only: a subdirectory and what it holds are not listed.
    write('wheels/old/c-1.0-py3-none-any.whl', 'c')
    expect(findLinksFingerprint(wheels)).toBe(
      `${wheels} a-1.0-py3-none-any.whl=${sha256('a1')} a-2.0.tar.gz=${sha256('a2')} ` +
        `b-1.0-py3-none-any.whl=${sha256('b')}`,
    )
  })

  test('a directory: a new file or an edited one changes it, a new subdirectory does not', () => {
    const wheels = path.join(dir, 'wheels')
    write('wheels/a-1.0-py3-none-any.whl', 'a1')
    const first = findLinksFingerprint(wheels)
    fs.mkdirSync(path.join(wheels, 'sub'))
    expect(findLinksFingerprint(wheels)).toBe(first)
    write('wheels/a-1.1-py3-none-any.whl', 'a11')
    const second = findLinksFingerprint(wheels)
    expect(second).not.toBe(first)
    write('wheels/a-1.1-py3-none-any.whl', 'a11 rebuilt')
    expect(findLinksFingerprint(wheels)).not.toBe(second)
  })

  test('a directory: links to files count under their own name, links to directories and broken links do not', () => {
    const wheels = path.join(dir, 'wheels')
    const target = write('elsewhere/x-1.0-py3-none-any.whl', 'x')
    fs.mkdirSync(wheels)
    fs.symlinkSync(target, path.join(wheels, 'linked-1.0-py3-none-any.whl'))
    fs.symlinkSync(path.join(dir, 'elsewhere'), path.join(wheels, 'dirlink'))
    fs.symlinkSync(path.join(dir, 'nothing'), path.join(wheels, 'broken.whl'))
    expect(findLinksFingerprint(wheels)).toBe(`${wheels} linked-1.0-py3-none-any.whl=${sha256('x')}`)
  })

  test('an empty directory', () => {
    const wheels = path.join(dir, 'wheels')
    fs.mkdirSync(wheels)
    expect(findLinksFingerprint(wheels)).toBe(`${wheels} `)
  })

  test('a file (an HTML page of links): its digest', () => {
    const page = write('links.html', '<a href="x-1.0.tar.gz">x</a>')
    expect(findLinksFingerprint(page)).toBe(`${page} ${sha256('<a href="x-1.0.tar.gz">x</a>')}`)
  })

  test('a missing path', () => {
    const missing = path.join(dir, 'nope')
    expect(findLinksFingerprint(missing)).toBe(`${missing} missing`)
  })

  test('a path through a broken link is missing', () => {
    const link = path.join(dir, 'wheels')
    fs.symlinkSync(path.join(dir, 'gone'), link)
    expect(findLinksFingerprint(link)).toBe(`${link} missing`)
  })
})
