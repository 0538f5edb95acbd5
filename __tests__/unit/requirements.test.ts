import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { findRequirementFiles } from '../../src/requirements.js'

let ws: string
function write(rel: string, text: string): string {
  const file = path.join(ws, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return file
}

beforeEach(() => {
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'reqs-'))
})

test('no input and no requirements.txt: nothing to install', async () => {
  const found = await findRequirementFiles(undefined, ws, ws)
  expect(found.roots).toEqual([])
  expect(found.files).toEqual([])
})

test('no input: requirements.txt when it exists', async () => {
  const file = write('requirements.txt', 'requests\n')
  expect((await findRequirementFiles(undefined, ws, ws)).roots).toEqual([file])
})

test('follows -r and -c in every spelling, relative to the including file', async () => {
  write('requirements.txt', 'requests\n-r reqs/base.txt  # base\n--constraint=reqs/pins.txt\n')
  write('reqs/base.txt', '-rmore.txt\n--requirement \\\n  https://example.org/remote.txt\n')
  write('reqs/more.txt', 'idna\n')
  write('reqs/pins.txt', 'idna==3.7\n')
  const found = await findRequirementFiles(['requirements.txt'], ws, ws)
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
  const ab = await findRequirementFiles(['a.txt', 'b.txt'], ws, ws)
  const ba = await findRequirementFiles(['b.txt', 'a.txt'], ws, ws)
  expect(ba.hash).toBe(ab.hash)
  expect(ba.roots).toEqual(ab.roots)
  write('c.txt', 'idna==3.7\n')
  const edited = await findRequirementFiles(['a.txt', 'b.txt'], ws, ws)
  expect(edited.hash).not.toBe(ab.hash)
})

test('globs expand to files', async () => {
  const a = write('reqs/a.txt', 'x\n')
  const b = write('reqs/b.txt', 'y\n')
  write('reqs/notes.md', '')
  expect((await findRequirementFiles(['reqs/*.txt'], ws, ws)).roots).toEqual([a, b])
})

test.each([
  ['missing.txt', /^Input 'requirements': 'missing.txt' matches no file/],
  ['reqs/*.lock', /^Input 'requirements': 'reqs\/\*\.lock' matches no file/],
])('%s that matches nothing is an error naming the input', async (pattern, message) => {
  await expect(findRequirementFiles([pattern], ws, ws)).rejects.toThrow(message)
})

test('an included file that does not exist names the file and line', async () => {
  const file = write('requirements.txt', 'requests\n\n-r nope.txt\n')
  await expect(findRequirementFiles(['requirements.txt'], ws, ws)).rejects.toThrow(
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
    await expect(findRequirementFiles([pattern], ws, ws)).rejects.toThrow(/is outside the workspace/)
  }
})
