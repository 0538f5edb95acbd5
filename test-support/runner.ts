// Runs the bundled action the way a GitHub-hosted runner runs a `uses:` step, and runs later
// `run:`-like steps of the same job, so tests exercise the real entry point, environment and
// file commands instead of calling src/ functions with a hand-made process.env.
//
// Runner semantics mirrored here (actions/runner, FileCommandManager and ActionCommandManager):
// - the step gets a fresh environment, not the runner's own; GITHUB_ENV lines from earlier steps
//   become job-wide variables (NODE_OPTIONS is refused there, as the runner refuses it);
// - GITHUB_PATH lines are kept in a list where a re-added entry moves to the end, and a step's PATH
//   is that list reversed (newest first) followed by the base PATH;
// - GITHUB_OUTPUT/ENV/STATE accept both `name=value` and `name<<DELIM` heredocs (LF newlines);
// - `::warning|error|notice props::message` commands are recognised on stdout and stderr;
// - inputs not given take their action.yml `default:` (read by a small parser for the plain
//   `inputs:` map this project writes; expressions in defaults are not evaluated).
// Deliberately not mirrored: `::stop-commands::`, secret masking, problem matchers.
import { spawn } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The checkout: the nearest directory above this file with action.yml (this file also runs compiled under .build/). */
export const REPO_ROOT = findRepoRoot(path.dirname(fileURLToPath(import.meta.url)))

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'action.yml'))) return dir
    if (path.dirname(dir) === dir) throw new Error(`No action.yml above ${start}`)
  }
}
/**
 * The bundle runStep runs by default: under jest, the one its global set-up built from the current sources
 * (test-support/jest-global-setup.js sets SETUP_VENV_TEST_ENTRY); elsewhere (the demo, the benchmark)
 * the committed dist/index.js.
 */
export const DEFAULT_ENTRY = process.env['SETUP_VENV_TEST_ENTRY'] || path.join(REPO_ROOT, 'dist', 'index.js')
export const ACTION_YML = path.join(REPO_ROOT, 'action.yml')
/** A Node 24 binary the project vendors, for running the bundle under the node24 runtime. */
export const NODE24 = path.join(REPO_ROOT, 'tools', 'node24', 'node_modules', '.bin', 'node')

/**
 * Variables taken from the test process. PATH and HOME are needed to find interpreters and user
 * config; the locale and TZ only keep output stable. Nothing else leaks in: in particular the
 * machine's PIP_* settings, NODE_OPTIONS (jest sets --experimental-vm-modules) and any
 * ACTIONS_ or GITHUB_ variables of an outer CI job stay out.
 */
export const INHERITED_VARS = ['PATH', 'HOME', 'USER', 'LANG', 'LC_ALL', 'TZ'] as const

/** What a job carries from step to step: GITHUB_ENV variables, GITHUB_PATH entries and directories. */
export interface JobState {
  env: Record<string, string>
  /** In the order added, a re-added entry moved to the end (newest last), as the runner keeps it. */
  path: string[]
  /** Holds workspace, temp and tool cache; runStep made it unless given `root`: remove it when done. */
  root: string
  eventName: string
  workspace: string
  runnerTemp: string
  toolCache: string
}

export interface Annotation {
  level: 'error' | 'warning' | 'notice'
  message: string
  /** file, line, col, title, ... already unescaped. */
  properties: Record<string, string>
}

export interface CommandResult {
  /** Exit code, or null when the process died of a signal. */
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  durationMs: number
}

export interface StepResult extends CommandResult {
  outputs: Record<string, string>
  /** This step's GITHUB_ENV. */
  env: Record<string, string>
  /** This step's GITHUB_PATH lines, in file order. */
  path: string[]
  state: Record<string, string>
  summary: string
  annotations: Annotation[]
  /** The job after this step: pass the result as `prev` (or to nextStep) to chain steps. */
  job: JobState
}

export interface CommonOptions {
  /** Extra variables (a step's `env:`); they win over GITHUB_ENV values and the defaults. */
  env?: Record<string, string>
  /** Kill the whole process group and reject after this long. Default 100 s. */
  timeoutMs?: number
  /** Working directory; default the job's workspace. */
  cwd?: string
}

export interface RunStepOptions extends CommonOptions {
  inputs?: Record<string, string>
  /** Default DEFAULT_ENTRY: the bundle of the current sources under jest, else dist/index.js. */
  entry?: string
  /** Node binary; default process.execPath. */
  node?: string
  /** An earlier step of the same job (its env, path and directories carry over). */
  prev?: Pick<StepResult, 'job'>
  /**
   * action.yml whose input defaults apply to inputs not given; false for none. Default: the repo's
   * action.yml when running the default entry, none for any other entry.
   */
  actionYml?: string | false
  /** STATE_<name> variables, as the runner gives a post step the main step's saved state. */
  state?: Record<string, string>
  /** Directory to hold workspace, RUNNER_TEMP and tool cache of a new job; default a fresh temp dir. */
  root?: string
  /** GITHUB_EVENT_NAME of a new job (chained steps keep their job's); default push. */
  eventName?: string
}

// Under jest's 120 s testTimeout, so a hung step fails with this module's message (and its
// process group killed) rather than jest's, which would leave the processes running.
const DEFAULT_TIMEOUT_MS = 100_000
const FILE_COMMANDS = {
  GITHUB_ENV: 'set_env_',
  GITHUB_PATH: 'add_path_',
  GITHUB_OUTPUT: 'set_output_',
  GITHUB_STATE: 'save_state_',
  GITHUB_STEP_SUMMARY: 'step_summary_',
} as const
type FileCommand = keyof typeof FILE_COMMANDS

/** `INPUT_<NAME>` as the runner and @actions/core spell it: spaces to `_`, upper case, hyphens kept. */
export function inputVar(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`
}

function runnerArch(): string {
  const map: Record<string, string> = { x64: 'X64', arm64: 'ARM64', arm: 'ARM', ia32: 'X86' }
  return map[os.arch()] ?? os.arch().toUpperCase()
}

function newJob(root: string | undefined, eventName: string): JobState {
  const dir = root ?? mkdtempSync(path.join(os.tmpdir(), 'setup-venv-job-'))
  const job: JobState = {
    env: {},
    path: [],
    root: dir,
    eventName,
    workspace: path.join(dir, 'workspace'),
    runnerTemp: path.join(dir, 'temp'),
    toolCache: path.join(dir, 'toolcache'),
  }
  for (const d of [job.workspace, job.runnerTemp, job.toolCache]) mkdirSync(d, { recursive: true })
  return job
}

/** PATH for a step: GITHUB_PATH entries newest first, then the base PATH. */
export function stepPath(jobPath: readonly string[], basePath: string): string {
  return [...jobPath]
    .reverse()
    .concat(basePath ? [basePath] : [])
    .join(path.delimiter)
}

/** Adds entries to a job's path list as the runner does: a re-added entry moves to the end. */
export function addToJobPath(jobPath: readonly string[], added: readonly string[]): string[] {
  const out = [...jobPath]
  for (const entry of added) {
    const i = out.indexOf(entry)
    if (i >= 0) out.splice(i, 1)
    out.push(entry)
  }
  return out
}

function baseEnv(job: JobState, action: string, env: Record<string, string> | undefined) {
  const inherited: Record<string, string> = {}
  for (const name of INHERITED_VARS) {
    const v = process.env[name]
    if (v !== undefined) inherited[name] = v
  }
  const merged: Record<string, string> = {
    ...inherited,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: action,
    GITHUB_ACTOR: 'octocat',
    GITHUB_EVENT_NAME: job.eventName,
    GITHUB_JOB: 'test',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_REF_NAME: 'main',
    GITHUB_REPOSITORY: 'octo-org/setup-venv-test',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_ID: '1000000001',
    GITHUB_RUN_NUMBER: '1',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_WORKFLOW: 'test',
    GITHUB_WORKSPACE: job.workspace,
    RUNNER_ARCH: runnerArch(),
    RUNNER_ENVIRONMENT: 'github-hosted',
    RUNNER_NAME: 'GitHub Actions 1',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: job.runnerTemp,
    RUNNER_TOOL_CACHE: job.toolCache,
    ...job.env,
    ...env,
  }
  // Base PATH is whatever the step would otherwise see (a GITHUB_ENV or step-level PATH included).
  merged.PATH = stepPath(job.path, merged.PATH ?? '')
  return merged
}

/** Fresh empty file-command files for one step, under RUNNER_TEMP like the runner's. */
function fileCommandFiles(job: JobState): Record<FileCommand, string> {
  const dir = path.join(job.runnerTemp, '_runner_file_commands')
  mkdirSync(dir, { recursive: true })
  const id = randomUUID()
  const files = {} as Record<FileCommand, string>
  for (const [name, prefix] of Object.entries(FILE_COMMANDS) as [FileCommand, string][]) {
    files[name] = path.join(dir, `${prefix}${id}`)
    writeFileSync(files[name], '')
  }
  return files
}

/**
 * Parses a GITHUB_OUTPUT / GITHUB_ENV / GITHUB_STATE file: `name=value` lines and
 * `name<<DELIM` ... `DELIM` heredocs, whichever of `=` and `<<` comes first deciding, as the runner
 * does. Malformed content throws, because the runner fails the step on it.
 */
export function parseKeyValueFile(text: string, file = 'file command'): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  // A trailing newline yields one empty last element, which is not a line.
  if (lines[lines.length - 1] === '') lines.pop()
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? ''
    if (line === '') continue
    const eq = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    if (eq >= 0 && (heredoc < 0 || eq < heredoc)) {
      const name = line.slice(0, eq)
      if (!name) throw new Error(`${file}: empty name in '${line}'`)
      out[name] = line.slice(eq + 1)
    } else if (heredoc >= 0) {
      const name = line.slice(0, heredoc)
      const delim = line.slice(heredoc + 2)
      if (!name || !delim) throw new Error(`${file}: empty name or delimiter in '${line}'`)
      const value: string[] = []
      for (i++; ; i++) {
        if (i >= lines.length) throw new Error(`${file}: delimiter '${delim}' for '${name}' not found`)
        if (lines[i] === delim) break
        value.push(lines[i] ?? '')
      }
      out[name] = value.join('\n')
    } else {
      throw new Error(`${file}: invalid line '${line}'`)
    }
  }
  return out
}

/**
 * Input defaults from an action.yml's top-level `inputs:` map. Handles the flat layout actions use
 * (input names indented under `inputs:`, `default:` one level deeper, plain or quoted scalars) and
 * throws on anything fancier rather than guess; no YAML library is a dependency of this project.
 */
export function actionDefaults(file: string): Record<string, string> {
  const out: Record<string, string> = {}
  let inInputs = false
  let inputIndent = -1
  let current: string | undefined
  for (const raw of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (/^\s*(#.*)?$/.test(raw)) continue
    const indent = raw.length - raw.trimStart().length
    const line = raw.trim()
    if (indent === 0) {
      inInputs = line === 'inputs:'
      inputIndent = -1
      current = undefined
      continue
    }
    if (!inInputs) continue
    if (inputIndent < 0) inputIndent = indent
    if (indent === inputIndent) {
      current = /^(['"]?)([^'":]+)\1:$/.exec(line)?.[2]
      continue
    }
    const m = /^default:\s*(.*)$/.exec(line)
    if (!m || current === undefined || indent <= inputIndent) continue
    out[current] = yamlScalar(m[1] ?? '', file)
  }
  return out
}

function yamlScalar(text: string, file: string): string {
  const v = text.replace(/\s+#.*$/, '').trim()
  if (v.startsWith("'")) {
    if (!v.endsWith("'") || v.length < 2) throw new Error(`${file}: unsupported default ${text}`)
    return v.slice(1, -1).replace(/''/g, "'")
  }
  if (v.startsWith('"')) {
    if (!v.endsWith('"') || v.length < 2) throw new Error(`${file}: unsupported default ${text}`)
    return JSON.parse(v) as string
  }
  if (/^[|>[{&*!]/.test(v)) throw new Error(`${file}: unsupported default ${text}`)
  return v
}

function unescapeCommand(s: string, property: boolean): string {
  const re = property ? /%(25|0D|0A|3A|2C)/gi : /%(25|0D|0A)/gi
  const map: Record<string, string> = { '25': '%', '0D': '\r', '0A': '\n', '3A': ':', '2C': ',' }
  return s.replace(re, (_m, code: string) => map[code.toUpperCase()] ?? '')
}

/** Annotations from `::error|warning|notice [k=v,...]::message` lines (stdout first, then stderr). */
export function parseAnnotations(...streams: string[]): Annotation[] {
  const out: Annotation[] = []
  const re = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/i
  for (const line of streams.join('\n').split(/\r?\n/)) {
    const m = re.exec(line.trimStart())
    if (!m) continue
    const properties: Record<string, string> = {}
    for (const pair of (m[2] ?? '').split(',')) {
      const eq = pair.indexOf('=')
      if (eq > 0) properties[pair.slice(0, eq).trim()] = unescapeCommand(pair.slice(eq + 1), true)
    }
    const level = (m[1] ?? '').toLowerCase() as Annotation['level']
    out.push({ level, message: unescapeCommand(m[3] ?? '', false), properties })
  }
  return out
}

/**
 * Spawns argv in its own process group (detached) so a timeout can kill the command and everything
 * it started; a leftover grandchild holding the pipes would otherwise keep the test waiting.
 */
export function launch(
  argv: readonly string[],
  env: Record<string, string>,
  cwd: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<CommandResult> {
  const [cmd, ...args] = argv
  if (cmd === undefined) return Promise.reject(new Error('launch: empty argv'))
  const started = performance.now()
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let timedOut = false
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
    const fail = (why: string) => {
      const tail = (s: string) => s.split('\n').slice(-20).join('\n')
      reject(
        new Error(
          `${why}: ${argv.join(' ')}\n--- stdout (tail) ---\n${tail(stdout)}\n--- stderr (tail) ---\n${tail(stderr)}`,
        ),
      )
    }
    const timer = setTimeout(() => {
      timedOut = true
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {
        // The group is already gone.
      }
      // Do not wait for 'close' forever if something outside the group still holds the pipes.
      setTimeout(() => {
        fail(`timed out after ${timeoutMs} ms (process group killed; pipes still open)`)
      }, 5000).unref()
    }, timeoutMs)
    child.on('error', (err) => {
      clearTimeout(timer)
      fail(`could not start (${err.message})`)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (timedOut) {
        fail(`timed out after ${timeoutMs} ms (process group killed)`)
        return
      }
      resolve({ code, signal, stdout, stderr, durationMs: Math.round(performance.now() - started) })
    })
  })
}

/** Runs `node <entry>` as a `uses:` step: clean env, INPUT_*, fresh file commands, parsed results. */
export async function runStep(opts: RunStepOptions = {}): Promise<StepResult> {
  const prevJob = opts.prev?.job
  const job: JobState = prevJob
    ? { ...prevJob, env: { ...prevJob.env }, path: [...prevJob.path] }
    : newJob(opts.root, opts.eventName ?? 'push')
  const files = fileCommandFiles(job)
  const env = baseEnv(job, '__self', opts.env)
  const actionYml = opts.actionYml ?? (opts.entry === undefined ? ACTION_YML : false)
  const inputs = { ...(actionYml ? actionDefaults(actionYml) : {}), ...opts.inputs }
  for (const [name, value] of Object.entries(inputs)) env[inputVar(name)] = value
  for (const [name, value] of Object.entries(opts.state ?? {})) env[`STATE_${name}`] = value
  Object.assign(env, files)

  const node = opts.node ?? process.execPath
  const entry = opts.entry ?? DEFAULT_ENTRY
  if (!existsSync(entry)) throw new Error(`runStep: entry ${entry} does not exist (build the bundle first)`)
  const res = await launch([node, entry], env, opts.cwd ?? job.workspace, opts.timeoutMs)

  const read = (f: FileCommand) => readFileSync(files[f], 'utf8')
  const stepEnv = parseKeyValueFile(read('GITHUB_ENV'), 'GITHUB_ENV')
  const stepPathLines = read('GITHUB_PATH')
    .split(/\r?\n/)
    .filter((l) => l !== '')
  // The runner refuses NODE_OPTIONS from GITHUB_ENV (an error annotation) and keeps the rest.
  const accepted = { ...stepEnv }
  delete accepted.NODE_OPTIONS
  const annotations = parseAnnotations(res.stdout, res.stderr)
  if ('NODE_OPTIONS' in stepEnv) {
    annotations.push({
      level: 'error',
      message: "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.",
      properties: {},
    })
  }
  return {
    ...res,
    outputs: parseKeyValueFile(read('GITHUB_OUTPUT'), 'GITHUB_OUTPUT'),
    env: stepEnv,
    path: stepPathLines,
    state: parseKeyValueFile(read('GITHUB_STATE'), 'GITHUB_STATE'),
    summary: read('GITHUB_STEP_SUMMARY'),
    annotations,
    job: { ...job, env: { ...job.env, ...accepted }, path: addToJobPath(job.path, stepPathLines) },
  }
}

/**
 * Runs argv (no shell) as the next step of prev's job would see it: GITHUB_ENV variables applied,
 * PATH = GITHUB_PATH entries newest first + base PATH. The command itself is looked up on that PATH.
 */
export function nextStep(
  prev: Pick<StepResult, 'job'>,
  argv: readonly string[],
  opts: CommonOptions = {},
): Promise<CommandResult> {
  const env = baseEnv(prev.job, '__run', opts.env)
  Object.assign(env, fileCommandFiles(prev.job))
  return launch(argv, env, opts.cwd ?? prev.job.workspace, opts.timeoutMs)
}
