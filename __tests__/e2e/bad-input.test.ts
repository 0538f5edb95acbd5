// Bad input, end to end: each is refused by the bundled action with one error annotation that names the
// input and the fix, before the action writes anything (the workspace, a directory already at `path`, the
// runner's directories and the cache are all as they were; nothing is exported). Then input that is odd but
// valid (shell metacharacters in pip-args, a cache-suffix no key could hold) and installs that fail.
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  annotationsOf,
  cacheOps,
  LOG,
  newRunner,
  runAction,
  SMALL_REQUIREMENTS,
  snapshot,
  tempDir,
  venvInUse,
  workingVenv,
  type Job,
} from '../../test-support/e2e.js'
import { useIndexAndServer } from '../../test-support/e2e-jest.js'
import { describeIf, lacksPython, testIf } from '../../test-support/needs.js'
import { pyenvPython } from '../../test-support/pythons.js'
import type { StepResult } from '../../test-support/runner.js'

// Every step runs on CPython 3.11 (stepEnv puts it first on PATH); the interpreters too old are pyenv's too.
const group = describeIf(lacksPython('3.11'))

const local = useIndexAndServer()
const env = local.env

/** A workspace with a requirement file and user data; beside it (outside the workspace) another file. */
function newJob(files: Record<string, string> = {}): Job {
  const job = newRunner({ ...SMALL_REQUIREMENTS, 'data/keep.txt': 'user data\n', ...files })
  fs.writeFileSync(path.join(job.root, 'outside.txt'), 'sv-tool\n')
  return job
}

/**
 * Runs the action on `job` and checks it was refused before it changed anything: exit 1, exactly one error
 * annotation (returned), nothing exported, no cache request, and the job's directories as they were.
 */
async function expectRefused(
  job: Job,
  inputs: Record<string, string>,
  extraEnv: Record<string, string> = {},
): Promise<string> {
  const before = { workspace: snapshot(job.workspace), root: fs.readdirSync(job.root).sort() }
  const entries = local.server.entries()
  local.server.clearRequests()
  const step = await runAction(job, { env: { ...env(), ...extraEnv }, inputs })
  expect(step.code).toBe(1)
  expect(step.annotations.map((a) => a.level)).toEqual(['error'])
  expect({ outputs: step.outputs, env: step.env, path: step.path, state: step.state }).toEqual({
    outputs: {},
    env: {},
    path: [],
    state: {},
  })
  expect(snapshot(job.workspace)).toEqual(before.workspace)
  // The runner makes its temp and tool cache directories; nothing else appears beside the workspace.
  expect(fs.readdirSync(job.root).sort()).toEqual([...new Set([...before.root, 'temp', 'toolcache'])].sort())
  expect(fs.readdirSync(step.job.runnerTemp)).toEqual(['_runner_file_commands'])
  expect(fs.readdirSync(step.job.toolCache)).toEqual([])
  expect(local.server.requests).toEqual([])
  expect(local.server.entries()).toEqual(entries)
  return step.annotations[0]?.message ?? ''
}

group('requirements', () => {
  test.each([
    ['a path that matches no file', 'missing.txt'],
    ['a glob that matches no file', 'reqs/*.txt'],
  ])('%s', async (_name, requirements) => {
    const job = newJob()
    const message = await expectRefused(job, { requirements })
    expect(message).toBe(
      `Input 'requirements': '${requirements}' matches no file (looked for ${path.join(job.workspace, requirements)}). ` +
        'Fix the path, or leave the input empty to use requirements.txt, pylock.toml or pyproject.toml when there is one.',
    )
  })

  test.each([
    ['by ..', () => '../outside.txt', ''],
    ['by an absolute path', (job: Job) => path.join(job.root, 'outside.txt'), ''],
    [
      'by a symlink',
      (job: Job) => {
        fs.symlinkSync(path.join(job.root, 'outside.txt'), path.join(job.workspace, 'linked.txt'))
        return 'linked.txt'
      },
      'link',
    ],
  ])('a requirement file outside the workspace %s', async (_name, arrange, link) => {
    const job = newJob()
    const requirements = arrange(job)
    const outside = path.join(job.root, 'outside.txt')
    const named = link ? `'${path.join(job.workspace, requirements)}' (a link to ${outside})` : `'${outside}'`
    expect(await expectRefused(job, { requirements })).toBe(
      `Input 'requirements': '${requirements}': ${named} is outside the workspace (${job.workspace}). ` +
        'Move it into the repository.',
    )
  })

  test('a requirement file that includes one outside the workspace (-r ../)', async () => {
    const job = newJob({ 'requirements.txt': 'sv-tool\n-r ../outside.txt\n' })
    expect(await expectRefused(job, { requirements: 'requirements.txt' })).toBe(
      `${path.join(job.workspace, 'requirements.txt')}:2 includes '../outside.txt': '${path.join(job.root, 'outside.txt')}' ` +
        `is outside the workspace (${job.workspace}). Move it into the repository.`,
    )
  })
})

group('python', () => {
  test('a command that is not on PATH', async () => {
    const message = await expectRefused(newJob(), { python: 'no-such-python3' })
    expect(message).toBe(
      "Input 'python': 'no-such-python3' not found on PATH. Add a setup-python step before this one, or give the interpreter's path.",
    )
  })

  test('a path with no file', async () => {
    const job = newJob()
    const message = await expectRefused(job, { python: 'tools/bin/python3' })
    expect(message).toBe(
      `Input 'python': no file at '${path.join(job.workspace, 'tools/bin/python3')}'. Give an existing interpreter path or a command.`,
    )
  })

  for (const version of ['3.7', '3.6', '2.7'])
    testIf(lacksPython(version))(`Python ${version}, too old`, async () => {
      const python = path.join(
        path.dirname(pyenvPython(version)),
        version.startsWith('2.') ? 'python' : 'python3',
      )
      const message = await expectRefused(newJob(), { python })
      expect(message).toMatch(
        new RegExp(
          `^Input 'python': ${python} is Python ${version.replace('.', '\\.')}\\.\\d+; setup-venv needs 3\\.8 or newer\\.$`,
        ),
      )
    })

  // Debian's python3 without python3.X-venv: the interpreter and its standard library, minus the one
  // directory that package holds (ensurepip). Built from Debian's own interpreter where there is one.
  test("a Python without ensurepip (Debian's python3 without python3-venv)", async () => {
    const source = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : pyenvPython('3.11')
    const facts = JSON.parse(
      execFileSync(source, [
        '-c',
        'import json, os, sys, sysconfig; print(json.dumps([os.path.realpath(sys.executable), sysconfig.get_path("stdlib"), "%d.%d" % sys.version_info[:2]]))',
      ]).toString(),
    ) as [string, string, string]
    const [binary, stdlib, minor] = facts
    const prefix = tempDir('python-without-ensurepip')
    const python = path.join(prefix, 'bin', `python${minor}`)
    fs.mkdirSync(path.dirname(python))
    fs.copyFileSync(binary, python)
    fs.chmodSync(python, 0o755)
    const lib = path.join(prefix, 'lib', `python${minor}`)
    fs.mkdirSync(lib, { recursive: true })
    for (const name of fs.readdirSync(stdlib)) {
      if (name !== 'ensurepip') fs.symlinkSync(path.join(stdlib, name), path.join(lib, name))
    }
    // It is a working Python whose venv module imports and whose ensurepip does not.
    expect(execFileSync(python, ['-c', 'import sys, venv; print(sys.prefix)']).toString().trim()).toBe(prefix)
    expect(() => execFileSync(python, ['-c', 'import ensurepip'], { stdio: 'ignore' })).toThrow()

    const message = await expectRefused(newJob(), { python })
    expect(message).toMatch(/^Input 'python': .* has no working 'venv'\/'ensurepip' module\. /)
    expect(message).toContain(`sudo apt-get install python${minor}-venv`)
  })
})

group('path', () => {
  const subdirectory = 'Give a subdirectory such as .venv.'
  test('the filesystem root', async () => {
    const message = await expectRefused(newJob(), { path: '/' })
    expect(message).toBe(
      `Input 'path' resolves to the filesystem root (/), which the action would empty. ${subdirectory}`,
    )
  })

  test('the home directory', async () => {
    const job = newJob()
    const home = path.join(job.root, 'home')
    fs.mkdirSync(home)
    fs.writeFileSync(path.join(home, '.bashrc'), '# mine\n')
    const message = await expectRefused(job, { path: home }, { HOME: home })
    expect(message).toBe(
      `Input 'path' resolves to the home directory (${home}), which the action would empty. ${subdirectory}`,
    )
    expect(fs.readFileSync(path.join(home, '.bashrc'), 'utf8')).toBe('# mine\n')
  })

  test('the workspace root', async () => {
    const job = newJob()
    const message = await expectRefused(job, { path: '.' })
    expect(message).toBe(
      `Input 'path' resolves to the workspace root (${job.workspace}), which the action would empty. ${subdirectory}`,
    )
  })

  test('an existing directory that is not a venv: never deleted', async () => {
    const job = newJob()
    const message = await expectRefused(job, { path: 'data' })
    expect(message).toBe(
      `Input 'path': '${path.join(job.workspace, 'data')}' is a non-empty directory but not a venv (no pyvenv.cfg). ` +
        'It is left untouched; choose another path or remove it.',
    )
    expect(fs.readFileSync(path.join(job.workspace, 'data', 'keep.txt'), 'utf8')).toBe('user data\n')
  })

  test('an existing file', async () => {
    const job = newJob()
    const message = await expectRefused(job, { path: 'data/keep.txt' })
    expect(message).toBe(
      `Input 'path': '${path.join(job.workspace, 'data/keep.txt')}' exists and is not a directory. Choose another path.`,
    )
  })

  // A NUL cannot be tested here: no environment variable (so no runner input) can hold one.
  test.each([
    ['a newline', '.venv\nPATH=/tmp/evil'],
    ['a carriage return', '.ve\rnv'],
    ['a tab', '.ve\tnv'],
    ['an escape character', '.venv\u001b[31m'],
  ])('a control character: %s', async (_name, value) => {
    const message = await expectRefused(newJob(), { path: value })
    expect(message).toBe(
      "Input 'path' contains a control character (newline, tab, NUL...). Give a plain path.",
    )
  })

  test.each(['.venv*', 'venv-?', 'venvs/[ab]', 'venv-{a,b}'])('glob characters: %s', async (value) => {
    const message = await expectRefused(newJob(), { path: value })
    expect(message).toBe(
      "Input 'path' contains glob characters (* ? [ ] { }): give one literal directory path.",
    )
  })
})

group('pip-args', () => {
  // Every spelling pip's parser accepts: prefixes, short forms and clusters, = or a separate value.
  test.each([
    ['--targ /some/dir', "'--targ /some/dir' (pip reads it as --target)"],
    ['--target=venvless', "'--target=venvless'"],
    ['-qt venvless', "'-qt venvless' (pip reads it as --target)"],
    ['--prefi /usr/local', "'--prefi /usr/local' (pip reads it as --prefix)"],
    ['--root /', "'--root /'"],
    ['--user', "'--user'"],
  ])('%s is refused', async (args, shown) => {
    const message = await expectRefused(newJob(), { 'pip-args': `--no-deps ${args}` })
    expect(message).toBe(
      `Input 'pip-args' has ${shown}, which installs outside the venv. Remove it: packages belong in the venv that is cached.`,
    )
  })

  test('PIP_TARGET in the environment is refused, naming the variable', async () => {
    const message = await expectRefused(newJob(), {}, { PIP_TARGET: '/tmp/elsewhere' })
    expect(message).toBe(
      "PIP_TARGET makes pip install outside the venv, which the action caches: unset it for this step (env: PIP_TARGET: '').",
    )
  })

  test('prefix in a pip config file is refused, naming the file and line', async () => {
    const config = path.join(tempDir('pipconf'), 'pip.conf')
    fs.writeFileSync(config, '[global]\ntimeout = 60\n\n[install]\nprefix = /usr/local\n')
    const message = await expectRefused(newJob(), {}, { PIP_CONFIG_FILE: config })
    expect(message).toBe(
      `'prefix' in ${config}:5 makes pip install outside the venv, which the action caches: remove it from ${config}:5, ` +
        'or have pip read no config file in this step (env: PIP_CONFIG_FILE: /dev/null, or nul on Windows).',
    )
  })

  test('an unclosed quote', async () => {
    const message = await expectRefused(newJob(), { 'pip-args': '--find-links "wheels' })
    expect(message).toBe(`Input 'pip-args' has an unclosed " quote. Close it, or escape it with a backslash.`)
  })

  test('shell metacharacters reach pip as literal arguments: nothing is run', async () => {
    const tag = randomBytes(6).toString('hex')
    const markers = [1, 2, 3, 4, 5, 6].map((n) => path.join(os.tmpdir(), `pwned-${tag}-${n}`))
    const [m1, m2, m3, m4, m5, m6] = markers
    const first = `$(touch ${m1}); touch ${m2} | touch ${m3} && touch ${m4} \`touch ${m5}\``
    const second = `$(touch ${m6})`
    const job = newJob()
    const step = await runAction(job, {
      env: env(),
      inputs: { 'pip-args': `"--find-links=${first}" '--find-links=${second}'` },
    })
    expect(step.code).toBe(0)
    expect(markers.filter((m) => fs.existsSync(m))).toEqual([])
    // pip got each as one argument, and says so, quoting it.
    const log = step.stdout + step.stderr
    expect(log).toContain(`Location '${first}' is ignored`)
    expect(log).toContain(`Location '${second}' is ignored`)
    expect(await venvInUse(step)).toEqual(workingVenv(path.join(job.workspace, '.venv')))
  })
})

group('cache', () => {
  test.each(['yes', '1', 'on'])("cache: '%s' is refused", async (value) => {
    const message = await expectRefused(newJob(), { cache: value })
    expect(message).toBe(`Input 'cache' must be 'true' or 'false', not '${value}'.`)
  })

  test("cache-privileged-events: 'maybe' is refused", async () => {
    const message = await expectRefused(newJob(), { 'cache-privileged-events': 'maybe' })
    expect(message).toBe("Input 'cache-privileged-events' must be 'true' or 'false', not 'maybe'.")
  })

  test.each([
    ['a comma', 'py,311'],
    ['600 characters', 'x'.repeat(600)],
  ])('a cache-suffix with %s still gives a valid key: the step saves', async (_name, suffix) => {
    const job = newJob()
    const step = await runAction(job, { env: env(), inputs: { 'cache-suffix': suffix } })
    expect(step.code).toBe(0)
    const key = step.outputs['cache-key'] ?? ''
    const hash = createHash('sha256').update(suffix).digest('hex').slice(0, 16)
    expect(key).toMatch(new RegExp(`^setup-venv-v2-[\\w.-]+-[0-9a-f]{16}-h${hash}-[0-9a-f]{32}$`))
    expect(key.length).toBeLessThanOrEqual(512)
    expect(step.stdout).toContain(LOG.saved(key))
    expect(local.server.entries().filter((e) => e.key === key && e.finalized)).toHaveLength(1)
    expect(step.annotations).toEqual([])
  })
})

group('an install that fails: pip says why, the file is named, the venv removed, nothing saved', () => {
  async function expectFailedInstall(job: Job, inputs: Record<string, string> = {}): Promise<StepResult> {
    const entries = local.server.entries()
    local.server.clearRequests()
    const step = await runAction(job, { env: env(), inputs })
    expect(step.code).toBe(1)
    expect(annotationsOf(step, 'error')).toHaveLength(1)
    expect(fs.existsSync(path.join(job.workspace, '.venv'))).toBe(false)
    expect(cacheOps(local.server)).toEqual(['lookup'])
    expect(local.server.entries()).toEqual(entries)
    expect(step.outputs).toEqual({})
    return step
  }

  test('a package that does not exist', async () => {
    const job = newJob({ 'requirements.txt': 'sv-tool==2.0\nno-such-package-xyz==1.0\n' })
    const [message] = annotationsOf(await expectFailedInstall(job), 'error')
    expect(message).toMatch(/^pip install failed \(exit code 1\)\.\n/)
    expect(message).toContain(
      'ERROR: Could not find a version that satisfies the requirement no-such-package-xyz==1.0 (from versions: none)',
    )
    expect(message).toContain("'no-such-package-xyz' is asked for in requirements.txt:2.")
  })

  test('a version conflict (ResolutionImpossible)', async () => {
    const job = newJob({
      'requirements.txt': 'sv-tool==2.0\n-c constraints.txt\n',
      'constraints.txt': 'sv-lib<1.0\n',
    })
    const [message] = annotationsOf(await expectFailedInstall(job), 'error')
    expect(message).toContain(
      `ERROR: Cannot install -r ${path.join(job.workspace, 'requirements.txt')} (line 1)`,
    )
    expect(message).toContain('ERROR: ResolutionImpossible')
  })

  test('a hash mismatch under --require-hashes', async () => {
    const wheel = fs.readFileSync(path.join(local.index.dir, 'wheels', 'sv_tool-2.0-py3-none-any.whl'))
    const good = createHash('sha256').update(wheel).digest('hex')
    const job = newJob({
      'requirements.txt': `sv-tool==2.0 --hash=sha256:${good}\nsv-lib==1.0 --hash=sha256:${'0'.repeat(64)}\n`,
    })
    const [message] = annotationsOf(
      await expectFailedInstall(job, { 'pip-args': '--require-hashes' }),
      'error',
    )
    expect(message).toContain('ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE.')
    expect(message).toContain(`Expected sha256 ${'0'.repeat(64)}`)
    expect(message).toContain("'sv-lib' is asked for in requirements.txt:2.")
  })
})
