// The action's fast build (pip seeded from ensurepip's wheels, --no-compile, one compile pass on all
// cores) must produce the venv a plain `python -m venv && pip install -r` produces at the same path: from
// a base interpreter whose pip is the bundled one (pyenv's), and from a hosted runner's, whose pip is not.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { buildTestIndex, newRunner, runAction, stepEnv } from '../../test-support/e2e.js'
import { hostedPython, type HostedPython } from '../../test-support/hosted-python.js'
import { localIndexUrl, pyenvPython } from '../../test-support/pythons.js'

/**
 * Every file and link of a venv with its mode and a content hash; the action's stamp left out. Of a .pyc file only the
 * header's magic, flags and source size: its source mtime differs (the two builds extract the sources at
 * different times), and marshal's back-reference flags depend on the compiling process's reference
 * counts; the code objects are compared by SAME_CODE instead.
 */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>()
  const visit = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const r = path.join(rel, d.name)
      const full = path.join(dir, r)
      if (r === '.setup-venv.json') continue
      if (d.isSymbolicLink()) out.set(r, `-> ${fs.readlinkSync(full)}`)
      else if (d.isDirectory()) visit(r)
      else {
        const bytes = fs.readFileSync(full)
        const compared = r.endsWith('.pyc')
          ? Buffer.concat([bytes.subarray(0, 8), bytes.subarray(12, 16)])
          : bytes
        const mode = (fs.statSync(full).mode & 0o7777).toString(8)
        out.set(r, `${mode} ${createHash('sha256').update(compared).digest('hex')}`)
      }
    }
  }
  visit('')
  return out
}

// Known, harmless differences: pip lists the .pyc files it compiled in RECORD (its uninstall removes
// them either way), and pyvenv.cfg records the `python -m venv` command line (with --without-pip).
const EXPECTED_DIFFERENCE = /(\.dist-info\/RECORD|^pyvenv\.cfg)$/

/**
 * Prints each .pyc (relative paths on stdin) whose code objects differ between the two trees: compared
 * by value, recursively, with each code object's file name and line table, which code equality leaves out.
 */
const SAME_CODE = `
import marshal, os, sys
def lines(code):
    out = [(code.co_filename, getattr(code, 'co_linetable', None) or code.co_lnotab)]
    for const in code.co_consts:
        if hasattr(const, 'co_code'):
            out += lines(const)
    return out
for rel in sys.stdin.read().splitlines():
    a, b = [marshal.loads(open(os.path.join(root, rel), 'rb').read()[16:]) for root in sys.argv[1:3]]
    if a != b or lines(a) != lines(b):
        print(rel)
`

/**
 * Builds with the action from `python`, then plainly at the same path, and compares the two venvs. The
 * interpreter's directory goes first on PATH, as actions/setup-python leaves it.
 */
async function compareWithPlain(
  python: string,
  requirements: string,
  indexUrl: string,
): Promise<{ log: string; freeze: string }> {
  const job = newRunner({ 'requirements.txt': requirements })
  const env = {
    ...stepEnv(undefined, 'v2', indexUrl),
    PATH: `${path.dirname(python)}:${process.env['PATH'] ?? ''}`,
  }
  const step = await runAction(job, { env, inputs: { cache: 'false', python } })
  expect(step.code).toBe(0)
  // The fast path ran: seeded by pip's wheel installer, then compiled by the action.
  expect(step.stdout).toMatch(/Seeding (setuptools==\S+, )?pip==\S+ from ensurepip's bundled wheels/)
  expect(step.stdout).not.toContain('cannot be called directly')
  expect(step.stdout).not.toContain('Adding pip with ensurepip')
  expect(step.stdout).toContain('Compile took')
  const venv = path.join(job.workspace, '.venv')
  const freeze = (): string =>
    execFileSync(path.join(venv, 'bin', 'pip'), ['freeze', '--all'], { env }).toString()
  const actionFreeze = freeze()
  const actionFiles = snapshot(venv)
  const actionVenv = `${venv}-action`
  fs.renameSync(venv, actionVenv)

  const cwd = job.workspace
  execFileSync(python, ['-m', 'venv', venv], { env, cwd })
  execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', '-r', 'requirements.txt'], { env, cwd })
  const plainFiles = snapshot(venv)

  expect(freeze()).toBe(actionFreeze)
  expect(actionFreeze).toMatch(/^pip==/m)
  expect([...actionFiles.keys()].sort()).toEqual([...plainFiles.keys()].sort())
  expect([...actionFiles.keys()].filter((f) => f.endsWith('.pyc')).length).toBeGreaterThan(300)
  const differing = [...plainFiles].filter(([f, hash]) => actionFiles.get(f) !== hash).map(([f]) => f)
  expect(differing.filter((f) => !EXPECTED_DIFFERENCE.test(f))).toEqual([])
  const bytecode = [...plainFiles.keys()].filter((f) => f.endsWith('.pyc'))
  const venvPython = path.join(venv, 'bin', 'python')
  const input = bytecode.join('\n')
  expect(execFileSync(venvPython, ['-c', SAME_CODE, actionVenv, venv], { input }).toString()).toBe('')
  return { log: step.stdout, freeze: actionFreeze }
}

test.each(['3.11', '3.8', '3.13'])(
  'Python %s: same files, bytecode and freeze as a plain venv + pip',
  async (version) => {
    await compareWithPlain(pyenvPython(version), 'sv-tool\n', buildTestIndex().url)
  },
)

// A hosted runner's Python has pip upgraded past the bundled version: the venv must still get the bundled
// pip, seeded by that pip itself (not the base's), and the requirements resolved by it. Made before the
// tests are collected, so that a machine without the interpreter or a newer pip in its index skips it.
const hosted = ((): HostedPython | string => {
  try {
    const made = hostedPython('3.11', localIndexUrl(pyenvPython('3.11')))
    return made.pip === made.bundledPip ? `the local index has no pip newer than ${made.pip}` : made
  } catch (error) {
    return (error as Error).message
  }
})()
if (typeof hosted === 'string') console.log(`Skipping the hosted-runner Python case: ${hosted}`)
;(typeof hosted === 'string' ? test.skip : test)(
  "A hosted runner's Python 3.11 (pip upgraded): same as a plain build, with the bundled pip",
  async () => {
    if (typeof hosted === 'string') return
    const { log, freeze } = await compareWithPlain(hosted.python, 'sv-tool\n', buildTestIndex().url)
    expect(log).toContain(`the base interpreter has pip ${hosted.pip}`)
    expect(freeze).toMatch(new RegExp(`^pip==${hosted.bundledPip.replace(/\./g, '\\.')}$`, 'm'))
  },
)

// pip replaces the seeded packages while the action compiles them: their early bytecode must not
// survive (stale, or in directories the new versions do not have). Real wheels from the local index.
test('Python 3.11, requirements that upgrade the seeded setuptools and pip: same as a plain build', async () => {
  const python = pyenvPython('3.11')
  const { log, freeze } = await compareWithPlain(
    python,
    'setuptools==84.0.0\npip==26.2.1\n',
    localIndexUrl(python),
  )
  expect(freeze).toMatch(/^setuptools==84\.0\.0$/m)
  expect(freeze).toMatch(/^pip==26\.2\.1$/m)
  expect(log).toContain('pip replaced the seeded packages while they were compiled')
})
