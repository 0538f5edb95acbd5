// The action's fast build (pip seeded from ensurepip's wheels, --no-compile, one compile pass on all
// cores) must produce the venv a plain `python -m venv && pip install -r` produces at the same path: from
// a base interpreter whose pip is the bundled one (pyenv's), and from a hosted runner's, whose pip is not.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { buildTestIndex, newRunner, runAction, stepEnv } from '../../test-support/e2e.js'
import { hostedPython, type HostedPython } from '../../test-support/hosted-python.js'
import { lacksLocalIndex, lacksPython, testIf } from '../../test-support/needs.js'
import { localIndexUrl, pyenvPython } from '../../test-support/pythons.js'
import { differingBytecode, differingFiles, venvFiles } from '../../test-support/venv-compare.js'

// Known, harmless differences: pip lists the .pyc files it compiled in RECORD (its uninstall removes
// them either way), and pyvenv.cfg records the `python -m venv` command line (with --without-pip).
const EXPECTED_DIFFERENCE = /(\.dist-info\/RECORD|^pyvenv\.cfg)$/

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
  const actionFiles = venvFiles(venv)
  const actionVenv = `${venv}-action`
  fs.renameSync(venv, actionVenv)

  const cwd = job.workspace
  execFileSync(python, ['-m', 'venv', venv], { env, cwd })
  execFileSync(path.join(venv, 'bin', 'pip'), ['install', '-q', '-r', 'requirements.txt'], { env, cwd })
  const plainFiles = venvFiles(venv)

  expect(freeze()).toBe(actionFreeze)
  expect(actionFreeze).toMatch(/^pip==/m)
  expect([...actionFiles.keys()].sort()).toEqual([...plainFiles.keys()].sort())
  expect([...actionFiles.keys()].filter((f) => f.endsWith('.pyc')).length).toBeGreaterThan(300)
  expect(differingFiles(actionFiles, plainFiles).filter((f) => !EXPECTED_DIFFERENCE.test(f))).toEqual([])
  const venvPython = path.join(venv, 'bin', 'python')
  expect(differingBytecode(venvPython, actionVenv, venv, [...plainFiles.keys()])).toEqual([])
  return { log: step.stdout, freeze: actionFreeze }
}

for (const version of ['3.11', '3.8', '3.13']) {
  testIf(lacksPython(version))(
    `Python ${version}: same files, bytecode and freeze as a plain venv + pip`,
    async () => {
      await compareWithPlain(pyenvPython(version), 'sv-tool\n', buildTestIndex().url)
    },
  )
}

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
testIf(typeof hosted === 'string' ? hosted : undefined)(
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
testIf(lacksPython('3.11'), lacksLocalIndex())(
  'Python 3.11, requirements that upgrade the seeded setuptools and pip: same as a plain build',
  async () => {
    const python = pyenvPython('3.11')
    const { log, freeze } = await compareWithPlain(
      python,
      'setuptools==84.0.0\npip==26.2.1\n',
      localIndexUrl(python),
    )
    expect(freeze).toMatch(/^setuptools==84\.0\.0$/m)
    expect(freeze).toMatch(/^pip==26\.2\.1$/m)
    expect(log).toContain('pip replaced the seeded packages while they were compiled')
  },
)
