// The `python` input as a version, against a real tool cache directory laid out as actions/setup-python
// leaves it, holding links to this machine's real interpreters, and a real PATH.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { UsageError } from '../src/errors.js'
import { findPythonVersion, locatePython } from '../src/interpreter.js'
import { parseVersionRequest } from '../src/version.js'
import { lacksPythons, testIf } from '../test-support/needs.js'
import { pyenvPython } from '../test-support/pythons.js'
import { layOutToolCache, pyenvVersion } from '../test-support/toolcache.js'

// This machine's versions (pyenv's here: 3.11.7, 3.12.1, 3.13.0; whatever setup-python installed in CI).
const needed = lacksPythons('3.9', '3.10', '3.11', '3.12', '3.13')
const it = testIf(...needed)
/** The full version of this machine's `minor`; '' where an interpreter is missing (every test is skipped then). */
const versionOf = (minor: string) => (needed.some((r) => r !== undefined) ? '' : pyenvVersion(minor))
const V311 = versionOf('3.11')
const V312 = versionOf('3.12')
const V313 = versionOf('3.13')

let root: string
let toolCache: string
/** A PATH directory whose `python3.12` is its own file (a wrapper script) running this machine's 3.12. */
let binDir: string
/** A PATH directory whose `python3.12` links to the interpreter tool cache V312 links to. */
let linkDir: string

beforeAll(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-venv-interp-'))
  toolCache = path.join(root, 'toolcache')
  layOutToolCache(toolCache, [
    { version: V311, python: pyenvPython('3.11') },
    { version: V312, python: pyenvPython('3.12') },
    // Not picked by 3.12 although highest: no x64.complete (an install that did not finish).
    { version: '3.12.99', python: pyenvPython('3.12'), complete: false },
    // Not picked by 3.12 although higher than the real one: its interpreter does not start.
    { version: '3.12.98', python: '/bin/false' },
    // Named 3.12.0 but holding this machine's 3.12: fine for `3.12`, refused for `3.12.0`.
    { version: '3.12.0', python: pyenvPython('3.12') },
    { version: V313, python: pyenvPython('3.13') },
    { version: '3.14.0-rc.1', python: pyenvPython('3.13') },
    { version: '3.10.13', python: pyenvPython('3.10'), arch: 'x64-freethreaded' },
    { version: '3.9.18', python: pyenvPython('3.9'), arch: 'arm64' },
  ])
  binDir = path.join(root, 'bin')
  fs.mkdirSync(binDir)
  fs.writeFileSync(path.join(binDir, 'python3.12'), `#!/bin/sh\nexec ${pyenvPython('3.12')} "$@"\n`, {
    mode: 0o755,
  })
  linkDir = path.join(root, 'link')
  fs.mkdirSync(linkDir)
  fs.symlinkSync(pyenvPython('3.12'), path.join(linkDir, 'python3.12'))
})

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true })
})

const env = (over: Record<string, string> = {}) => ({
  PATH: path.join(root, 'nothing-here'),
  RUNNER_TOOL_CACHE: toolCache,
  RUNNER_ARCH: 'X64',
  ...over,
})

function find(input: string, e: Record<string, string> = env()): Promise<string> {
  const request = parseVersionRequest(input)
  if (request === undefined) throw new Error(`${input} is not a version`)
  return findPythonVersion('linux', input, request, e)
}

const inCache = (version: string, arch = 'x64') =>
  path.join(toolCache, 'Python', version, arch, 'bin', 'python3')

it('3.12 picks the highest finished, working 3.12 of the runner arch; the one that does not start is named', async () => {
  const write = process.stdout.write.bind(process.stdout)
  let log = ''
  process.stdout.write = (chunk: string | Uint8Array) => {
    log += String(chunk)
    return true
  }
  try {
    await expect(find('3.12')).resolves.toBe(inCache(V312))
  } finally {
    process.stdout.write = write
  }
  // Never in silence: a higher one the tool cache holds was passed over, and the log says which and why.
  expect(log).toContain(
    `::warning::Input 'python' 3.12: passed over 3.12.98 at ${inCache('3.12.98')} (tool cache): it does not start: exit 1.`,
  )
})

it('3 picks the highest 3.x final release; a full version picks exactly that one', async () => {
  await expect(find('3')).resolves.toBe(inCache(V313))
  await expect(find(V313)).resolves.toBe(inCache(V313))
})

it('an equal version on PATH wins over the tool cache', async () => {
  await expect(find('3.12', env({ PATH: binDir }))).resolves.toBe(path.join(binDir, 'python3.12'))
})

it('the tool cache interpreter on PATH (as setup-python leaves it) is named by its tool cache path', async () => {
  // The same file reached as <tool cache>/Python/<V312>/x64/bin/python3.12 from PATH, and as bin/python3
  // from the tool cache: bin/python3 is what `python3` on PATH gives too, so both idioms share one key.
  await expect(find('3.12', env({ PATH: linkDir }))).resolves.toBe(inCache(V312))
  const setupPythonPath = path.dirname(inCache(V313))
  await expect(find('3.13', env({ PATH: setupPythonPath }))).resolves.toBe(inCache(V313))
})

it('locatePython takes versions, and still takes commands and paths', async () => {
  await expect(locatePython('linux', '3.11', root, env())).resolves.toBe(inCache(V311))
  await expect(locatePython('linux', inCache(V313), root, env())).resolves.toBe(inCache(V313))
})

it('a tool cache entry whose interpreter reports another version is not used', async () => {
  const error = await find('3.12.0').catch((e: unknown) => e)
  expect(error).toBeInstanceOf(UsageError)
  expect((error as Error).message).toContain(`3.12.0 at ${inCache('3.12.0')} (it reports ${V312})`)
})

it('no match: the error lists what was found and what was not usable, and names the fix', async () => {
  const error = await find('3.99', env({ PATH: binDir })).catch((e: unknown) => e)
  expect(error).toBeInstanceOf(UsageError)
  const message = (error as Error).message
  expect(message).toMatch(
    new RegExp(
      `^Input 'python': no Python 3\\.99 found\\. Looked at python3\\.99 on PATH and the tool cache ${toolCache}/Python \\(x64\\)\\. `,
    ),
  )
  expect(message).toContain(
    `Found: ${V313} at ${inCache(V313)} (tool cache); ${V312} at ${inCache(V312)} (tool cache); ` +
      `${V311} at ${inCache(V311)} (tool cache). Not usable: `,
  )
  expect(message).toContain(`3.12.98 at ${inCache('3.12.98')} (does not start: exit 1)`)
  expect(message).toContain(`3.12.0 at ${inCache('3.12.0')} (it reports ${V312})`)
  expect(message).toContain('3.12.99 in the tool cache (unfinished install: no x64.complete)')
  expect(message).toContain('3.14.0-rc.1 in the tool cache (a pre-release: give its path to use it)')
  expect(message).not.toContain('3.10.13') // free-threaded only: another arch
  expect(message).not.toContain('3.9.18') // arm64 only
  expect(message).toMatch(
    /Add actions\/setup-python with python-version: '3\.99' before this step, or give an installed version, a command or the interpreter's path\.$/,
  )
})

it('3.1 (an unquoted 3.10 in YAML) fails with a hint to quote it', async () => {
  const message = await find('3.1').catch((e: unknown) => (e as Error).message)
  expect(message).toContain(
    "YAML reads an unquoted 3.10 as the number 3.1: write the version in quotes, e.g. python: '3.10'.",
  )
})

it('RUNNER_ARCH picks the arch directory: arm64 sees only the arm64 entry', async () => {
  await expect(find('3', env({ RUNNER_ARCH: 'ARM64' }))).resolves.toBe(inCache('3.9.18', 'arm64'))
  const message = await find('3.9').catch((e: unknown) => (e as Error).message)
  expect(message).toContain(`the tool cache ${toolCache}/Python (x64).`)
  expect(message).not.toContain('3.9.18')
})

it('without RUNNER_TOOL_CACHE only PATH is searched, and the message says so', async () => {
  const message = await find('3.13', { PATH: binDir, RUNNER_ARCH: 'X64' }).catch(
    (e: unknown) => (e as Error).message,
  )
  expect(message).toContain('Looked at python3.13 on PATH and no tool cache (RUNNER_TOOL_CACHE is not set).')
})
