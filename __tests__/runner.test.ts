import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import {
  ACTION_YML,
  INHERITED_VARS,
  actionDefaults,
  NODE24,
  inputVar,
  nextStep,
  parseAnnotations,
  parseKeyValueFile,
  runStep,
  type StepResult,
} from '../test-support/runner.js'

// A stand-in for dist/index.js: writes the file commands by hand (so the parser is tested against
// the raw formats, not against @actions/core) and reports what it saw through outputs.
const FIXTURE = String.raw`
import { appendFileSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
const e = process.env
const out = (s) => appendFileSync(e.GITHUB_OUTPUT, s)
const mode = e.INPUT_MODE ?? 'full'
if (mode === 'hang') {
  // A grandchild in the same process group: the timeout must take it down too.
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
  writeFileSync(e.INPUT_PIDFILE, String(child.pid))
  setInterval(() => {}, 1000)
} else if (mode === 'path') {
  for (const p of JSON.parse(e.INPUT_PATHS)) appendFileSync(e.GITHUB_PATH, p + '\n')
  for (const [k, v] of Object.entries(JSON.parse(e.INPUT_ENV ?? '{}'))) appendFileSync(e.GITHUB_ENV, k + '=' + v + '\n')
  out('seen_path=' + e.PATH + '\n')
  out('seen_foo=' + (e.FOO ?? '<unset>') + '\n')
} else {
  out('multi<<ghadelimiter_1f2e\nline one\nline=two\n\nghadelimiter_1f2e\n')
  out('plain=a=b<<c\n')
  out('empty<<EOF\nEOF\n')
  out('\n')
  out('last=no-newline')
  const inputs = Object.fromEntries(Object.entries(e).filter(([k]) => k.startsWith('INPUT_')))
  appendFileSync(e.GITHUB_OUTPUT, '\ninputs<<J\n' + JSON.stringify(inputs) + '\nJ\n')
  appendFileSync(e.GITHUB_OUTPUT, 'envkeys=' + JSON.stringify(Object.keys(e)) + '\n')
  appendFileSync(e.GITHUB_OUTPUT, 'canary=' + (e.SETUP_VENV_LEAK_CANARY ?? '<unset>') + '\n')
  appendFileSync(e.GITHUB_OUTPUT, 'cwd=' + process.cwd() + '\n')
  appendFileSync(e.GITHUB_OUTPUT, 'version=' + process.version + '\n')
  appendFileSync(e.GITHUB_OUTPUT, 'state_in=' + (e.STATE_cache_key ?? '<unset>') + '\n')
  appendFileSync(e.GITHUB_ENV, 'FOO=bar\nMULTI<<EOF\nx\ny\nEOF\nNODE_OPTIONS=--inspect\n')
  appendFileSync(e.GITHUB_STATE, 'pid=123\nkey<<S\nk=v\nS\n')
  appendFileSync(e.GITHUB_STEP_SUMMARY, '# Summary\n')
  console.log('::warning file=src/a.ts,line=3,title=T%3A1%2C2::first%0Asecond 100%25 done')
  console.log('::error::boom%250A')
  console.log('::notice title=n::a note')
  console.log('::debug::not an annotation')
  console.error('::warning::from stderr')
  process.exitCode = Number(e['INPUT_EXIT-CODE'] ?? '0')
}
`

let tmp: string
let fixture: string

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'runner-test-'))
  fixture = path.join(tmp, 'action.mjs')
  writeFileSync(fixture, FIXTURE)
})

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true })
})

const jobRoot = (name: string) => path.join(tmp, name)
const outputJson = (r: StepResult, name: string): unknown => JSON.parse(r.outputs[name] ?? 'null')

describe('runStep', () => {
  let r: StepResult
  const canary = 'SETUP_VENV_LEAK_CANARY'

  const savedNodeOptions = process.env.NODE_OPTIONS
  beforeAll(async () => {
    process.env[canary] = 'leaked'
    // Set here rather than relied on from how jest was started: a step must not get it.
    process.env.NODE_OPTIONS = '--max-old-space-size=4096'
    try {
      r = await runStep({
        entry: fixture,
        root: jobRoot('full'),
        inputs: { 'cache-suffix': 'abc', 'python version': '3.11', 'Mixed-Case_x': 'y', 'exit-code': '0' },
      })
    } finally {
      // eslint-disable-next-line @typescript-eslint/no-dynamic-delete
      delete process.env[canary]
      if (savedNodeOptions === undefined) delete process.env.NODE_OPTIONS
      else process.env.NODE_OPTIONS = savedNodeOptions
    }
  })

  test('parses heredoc and name=value outputs the way the runner does', () => {
    expect(r.code).toBe(0)
    expect(r.outputs).toMatchObject({
      multi: 'line one\nline=two\n',
      plain: 'a=b<<c',
      empty: '',
      last: 'no-newline',
    })
  })

  test('parses GITHUB_ENV, GITHUB_STATE and the step summary', () => {
    expect(r.env).toEqual({ FOO: 'bar', MULTI: 'x\ny', NODE_OPTIONS: '--inspect' })
    expect(r.state).toEqual({ pid: '123', key: 'k=v' })
    expect(r.summary).toBe('# Summary\n')
    // The job keeps GITHUB_ENV values for later steps, except NODE_OPTIONS, which the runner refuses.
    expect(r.job.env).toEqual({ FOO: 'bar', MULTI: 'x\ny' })
  })

  test('names inputs INPUT_<NAME>: upper case, spaces to _, hyphens kept', () => {
    expect(outputJson(r, 'inputs')).toEqual({
      'INPUT_CACHE-SUFFIX': 'abc',
      INPUT_PYTHON_VERSION: '3.11',
      'INPUT_MIXED-CASE_X': 'y',
      'INPUT_EXIT-CODE': '0',
    })
    expect(inputVar('cache-suffix')).toBe('INPUT_CACHE-SUFFIX')
  })

  test('collects annotations from stdout and stderr, unescaped', () => {
    expect(r.annotations).toEqual([
      {
        level: 'warning',
        message: 'first\nsecond 100% done',
        properties: { file: 'src/a.ts', line: '3', title: 'T:1,2' },
      },
      { level: 'error', message: 'boom%0A', properties: {} },
      { level: 'notice', message: 'a note', properties: { title: 'n' } },
      { level: 'warning', message: 'from stderr', properties: {} },
      {
        level: 'error',
        message: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.",
        properties: {},
      },
    ])
  })

  test('builds a clean environment: nothing from process.env but the documented few', () => {
    expect(r.outputs.canary).toBe('<unset>')
    const keys = outputJson(r, 'envkeys') as string[]
    const allowed = new Set<string>([...INHERITED_VARS, 'CI'])
    const unexpected = keys.filter((k) => !allowed.has(k) && !/^(GITHUB|RUNNER|INPUT)_/.test(k))
    expect(unexpected).toEqual([])
    expect(keys).not.toContain('NODE_OPTIONS')
    for (const k of [
      'GITHUB_ENV',
      'GITHUB_PATH',
      'GITHUB_OUTPUT',
      'GITHUB_STATE',
      'GITHUB_STEP_SUMMARY',
      'GITHUB_WORKSPACE',
      'GITHUB_ACTION',
      'GITHUB_RUN_ID',
      'GITHUB_JOB',
      'GITHUB_EVENT_NAME',
      'GITHUB_REF',
      'RUNNER_OS',
      'RUNNER_ARCH',
      'RUNNER_TEMP',
      'RUNNER_TOOL_CACHE',
      'RUNNER_NAME',
      'RUNNER_ENVIRONMENT',
      'GITHUB_ACTIONS',
    ]) {
      expect(keys).toContain(k)
    }
  })

  test('runs in the workspace, under the node it was given', () => {
    expect(r.outputs.cwd).toBe(r.job.workspace)
    expect(existsSync(r.job.runnerTemp)).toBe(true)
    expect(r.outputs.version).toBe(process.version)
    expect(r.durationMs).toBeGreaterThan(0)
  })

  test('reports the exit code', async () => {
    const failed = await runStep({ entry: fixture, root: jobRoot('exit'), inputs: { 'exit-code': '3' } })
    expect(failed.code).toBe(3)
  })

  test('passes state to a post step as STATE_<name>', async () => {
    const post = await runStep({ entry: fixture, prev: r, state: { cache_key: 'k1' } })
    expect(post.outputs.state_in).toBe('k1')
    expect(r.outputs.state_in).toBe('<unset>')
  })

  const node24 = existsSync(NODE24) ? test : test.skip
  node24('runs the entry under another node binary', async () => {
    const s = await runStep({ entry: fixture, root: jobRoot('node24'), node: NODE24 })
    expect(s.outputs.version).toMatch(/^v24\./)
  })

  test('fails clearly when the entry is missing', async () => {
    await expect(runStep({ entry: path.join(tmp, 'nope.js'), root: jobRoot('missing') })).rejects.toThrow(
      /nope\.js does not exist/,
    )
  })
})

describe('chained steps', () => {
  const p = (name: string) => path.join(tmp, 'bins', name)
  let first: StepResult
  let second: StepResult

  beforeAll(async () => {
    first = await runStep({
      entry: fixture,
      root: jobRoot('chain'),
      inputs: { mode: 'path', paths: JSON.stringify([p('a'), p('b')]), env: '{"FOO":"one"}' },
    })
    second = await runStep({
      entry: fixture,
      prev: first,
      inputs: { mode: 'path', paths: JSON.stringify([p('c'), p('a')]), env: '{"FOO":"two"}' },
    })
  })

  test('a step sees earlier GITHUB_PATH entries, newest first, and GITHUB_ENV values', () => {
    expect(first.path).toEqual([p('a'), p('b')])
    expect(first.outputs.seen_foo).toBe('<unset>')
    expect(second.outputs.seen_path).toBe(`${p('b')}:${p('a')}:${process.env.PATH ?? ''}`)
    expect(second.outputs.seen_foo).toBe('one')
    expect(second.job.workspace).toBe(first.job.workspace)
  })

  test('nextStep PATH: last added first, a re-added entry moves to the front', async () => {
    // Runner order after both steps: a, b, c, a  ->  list [b, c, a]  ->  PATH a:c:b:base
    expect(second.job.path).toEqual([p('b'), p('c'), p('a')])
    const res = await nextStep(second, [process.execPath, '-p', 'process.env.PATH'])
    expect(res.code).toBe(0)
    expect(res.stdout.trim()).toBe([p('a'), p('c'), p('b'), process.env.PATH ?? ''].join(':'))
  })

  test('nextStep resolves the command on that PATH', async () => {
    for (const dir of ['a', 'b', 'c']) {
      mkdirSync(p(dir), { recursive: true })
      const tool = path.join(p(dir), 'which-dir')
      writeFileSync(tool, `#!/bin/sh\necho ${dir}\n`)
      chmodSync(tool, 0o755)
    }
    expect((await nextStep(first, ['which-dir'])).stdout).toBe('b\n')
    expect((await nextStep(second, ['which-dir'])).stdout).toBe('a\n')
  })

  test('nextStep applies GITHUB_ENV, and a step env: wins over it', async () => {
    const print = [
      process.execPath,
      '-p',
      'JSON.stringify([process.env.FOO, process.env.BAR, process.env.CI])',
    ]
    const res = await nextStep(second, print)
    expect(JSON.parse(res.stdout)).toEqual(['two', null, 'true'])
    const overridden = await nextStep(second, print, { env: { FOO: 'mine', BAR: 'b' } })
    expect(JSON.parse(overridden.stdout)).toEqual(['mine', 'b', 'true'])
  })

  test('nextStep gives a clean environment too', async () => {
    process.env.SETUP_VENV_LEAK_CANARY = 'leaked'
    try {
      const res = await nextStep(first, [process.execPath, '-p', 'process.env.SETUP_VENV_LEAK_CANARY ?? "-"'])
      expect(res.stdout.trim()).toBe('-')
    } finally {
      delete process.env.SETUP_VENV_LEAK_CANARY
    }
  })

  test('the job keeps its event name; GITHUB_ACTION names the step kind', async () => {
    const pr = await runStep({
      entry: fixture,
      root: jobRoot('pr'),
      eventName: 'pull_request',
      inputs: { mode: 'path', paths: '[]' },
    })
    const show = [process.execPath, '-p', 'process.env.GITHUB_EVENT_NAME + " " + process.env.GITHUB_ACTION']
    expect((await nextStep(pr, show)).stdout).toBe('pull_request __run\n')
    expect((await nextStep(first, show)).stdout).toBe('push __run\n')
  })

  test('nextStep reports failure codes and stderr', async () => {
    const res = await nextStep(first, [process.execPath, '-e', 'console.error("bad"); process.exit(7)'])
    expect(res).toMatchObject({ code: 7, signal: null, stderr: 'bad\n' })
  })
})

describe('timeout', () => {
  const isGone = (pid: number): boolean => {
    try {
      process.kill(pid, 0)
    } catch {
      return true
    }
    // Killed but not reaped yet (PID 1 in a container may not reap): a zombie counts as gone.
    try {
      return /\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'))
    } catch {
      return true
    }
  }

  test('kills the whole process group and fails with a clear message', async () => {
    const pidfile = path.join(tmp, 'grandchild.pid')
    const started = Date.now()
    await expect(
      runStep({ entry: fixture, root: jobRoot('hang'), inputs: { mode: 'hang', pidfile }, timeoutMs: 1000 }),
    ).rejects.toThrow(/timed out after 1000 ms \(process group killed\)/)
    expect(Date.now() - started).toBeLessThan(6000)
    const grandchild = Number(readFileSync(pidfile, 'utf8'))
    for (let i = 0; i < 50 && !isGone(grandchild); i++) await new Promise((r) => setTimeout(r, 20))
    expect(isGone(grandchild)).toBe(true)
  })
})

describe('action.yml defaults', () => {
  const yml = (text: string) => {
    const file = path.join(tmp, `action-${Math.random().toString(36).slice(2)}.yml`)
    writeFileSync(file, text)
    return file
  }

  test('inputs not given take their default; given ones win', async () => {
    const file = yml(
      [
        "name: 'fixture'",
        'inputs:',
        '  # a comment',
        '  cache:',
        "    description: 'Use the cache: true or false.'",
        "    default: 'true'",
        '  cache-suffix:',
        '    required: false',
        '  path:',
        '    default: .venv  # trailing comment',
        '  "quoted name":',
        '    default: "a \\"b\\""',
        '  mode:',
        "    default: 'it''s'",
        'outputs:',
        '  x:',
        "    default: 'not an input'",
        'runs:',
        "  using: 'node24'",
      ].join('\n'),
    )
    expect(actionDefaults(file)).toEqual({
      cache: 'true',
      path: '.venv',
      'quoted name': 'a "b"',
      mode: "it's",
    })
    const r = await runStep({
      entry: fixture,
      root: jobRoot('defaults'),
      actionYml: file,
      inputs: { path: 'v' },
    })
    expect(outputJson(r, 'inputs')).toEqual({
      INPUT_CACHE: 'true',
      INPUT_PATH: 'v',
      INPUT_QUOTED_NAME: 'a "b"',
      INPUT_MODE: "it's",
    })
  })

  test('block scalars are refused rather than misread', () => {
    expect(() => actionDefaults(yml('inputs:\n  a:\n    default: |\n      x\n'))).toThrow(
      /unsupported default/,
    )
  })

  const hasActionYml = existsSync(ACTION_YML) ? test : test.skip
  hasActionYml("reads the project's action.yml", () => {
    expect(actionDefaults(ACTION_YML)).toMatchObject({ cache: 'true' })
  })
})

describe('parsers', () => {
  test('an unterminated heredoc is an error, as on the runner', () => {
    expect(() => parseKeyValueFile('a<<EOF\nx\n', 'GITHUB_OUTPUT')).toThrow(
      /delimiter 'EOF' for 'a' not found/,
    )
    expect(() => parseKeyValueFile('just text\n')).toThrow(/invalid line/)
  })

  test('later values win and blank lines are skipped', () => {
    expect(parseKeyValueFile('a=1\n\na=2\nb<<X\nX\n')).toEqual({ a: '2', b: '' })
  })

  test('annotation commands are case-insensitive and property values are unescaped', () => {
    expect(parseAnnotations('::Warning col=1,title=a%2Cb%3Ac%0Ad::m%0D%0Ax\nplain ::error::no')).toEqual([
      { level: 'warning', message: 'm\r\nx', properties: { col: '1', title: 'a,b:c\nd' } },
    ])
  })
})
