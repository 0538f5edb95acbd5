// Secrets and trust, end to end. Index credentials, wherever they are given, are masked in the log and end
// up in nothing the step produces: not in outputs, state, key, exported variables, summary, the venv, the
// runner's temp directory or the cache archive. The index is a real one that requires them (HTTP Basic
// auth on 127.0.0.1), so pip really installs with them. And on privileged events the cache is not used.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import {
  annotationsOf,
  cacheOps,
  LOG,
  newRunner,
  runAction,
  SMALL_REQUIREMENTS,
  tempDir,
  venvInUse,
  workingVenv,
  type Job,
} from '../../test-support/e2e.js'
import { useIndexAndServer } from '../../test-support/e2e-jest.js'
import { describeIf, lacksPython } from '../../test-support/needs.js'
import type { StepResult } from '../../test-support/runner.js'
import { buildIndex } from '../../test-support/wheels.js'

// Every step runs on CPython 3.11 (stepEnv puts it first on PATH).
const group = describeIf(lacksPython('3.11'))

const local = useIndexAndServer()
const env = local.env

interface AuthIndex {
  /** The simple index URL, with `user:token@` in it. */
  url: string
  /** Requests answered with a file (authorized) and refused (401). */
  served: number
  refused: number
  close(): Promise<void>
}

/** Serves `dir`/simple over HTTP on 127.0.0.1, only to requests carrying Basic `user:token`. */
async function startAuthIndex(dir: string, user: string, token: string): Promise<AuthIndex> {
  const expected = `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`
  const state = { served: 0, refused: 0 }
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      state.refused++
      res.writeHead(401, { 'www-authenticate': 'Basic realm="index"' }).end()
      return
    }
    const rel = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    let file = path.join(dir, path.normalize(rel))
    if (rel.endsWith('/')) file = path.join(file, 'index.html')
    if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end()
      return
    }
    state.served++
    const type = file.endsWith('.html') ? 'text/html' : 'application/octet-stream'
    res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file))
  })
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://${user}:${token}@127.0.0.1:${port}/simple/`,
    get served() {
      return state.served
    },
    get refused() {
      return state.refused
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve()
        })
        server.closeAllConnections()
      }),
  }
}

/**
 * The log as the runner shows it: from each `::add-mask::` command on, its value is replaced by ***.
 * (The runner masks each line of output after the command that registered the value.)
 */
function maskedLog(stdout: string): string[] {
  const masks: string[] = []
  const shown: string[] = []
  for (const line of stdout.split('\n')) {
    const mask = /^::add-mask::(.*)$/.exec(line)
    if (mask?.[1] !== undefined) {
      if (mask[1] !== '') masks.push(mask[1])
      continue
    }
    shown.push(masks.reduce((l, m) => l.split(m).join('***'), line))
  }
  return shown
}

/** Files under `dir` (links not followed) whose bytes contain `needle`. */
function filesContaining(dir: string, needle: string, skip: readonly string[] = []): string[] {
  const found: string[] = []
  const visit = (d: string): void => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name)
      if (skip.includes(full)) continue
      if (entry.isDirectory()) visit(full)
      else if (entry.isFile() && fs.readFileSync(full).includes(needle)) found.push(full)
    }
  }
  visit(dir)
  return found
}

/** Cache archives on the service whose unpacked bytes contain `needle`. */
function archivesContaining(needle: string): string[] {
  const entries = path.join(local.server.dir, 'entries')
  return fs
    .readdirSync(entries)
    .filter((name) => name.endsWith('.archive'))
    .filter((name) =>
      execFileSync('zstd', ['-dc', path.join(entries, name)], { maxBuffer: 1 << 30 }).includes(needle),
    )
}

group('index credentials are masked and stored nowhere', () => {
  const user = 'ci-bot'
  const token = `tok${randomBytes(12).toString('hex')}`
  let auth: AuthIndex
  let emptyIndex: string
  beforeAll(async () => {
    auth = await startAuthIndex(local.index.dir, user, token)
    // An index with no projects, for the case where the credentials are on the extra index.
    emptyIndex = buildIndex(tempDir('empty-index'), [])
  })
  afterAll(async () => {
    await auth.close()
  })

  const cases: [
    string,
    (url: string) => { env?: Record<string, string>; inputs?: Record<string, string>; file?: string },
  ][] = [
    ['PIP_INDEX_URL', (url) => ({ env: { PIP_INDEX_URL: url } })],
    ['PIP_EXTRA_INDEX_URL', (url) => ({ env: { PIP_INDEX_URL: emptyIndex, PIP_EXTRA_INDEX_URL: url } })],
    ["--index-url in 'pip-args'", (url) => ({ inputs: { 'pip-args': `--index-url ${url}` } })],
    ['--index-url in a requirement file', (url) => ({ file: `--index-url ${url}\nsv-tool==2.0\n` })],
  ]
  test.each(cases)('in %s', async (_name, arrange) => {
    const given = arrange(auth.url)
    const job: Job = newRunner(
      given.file === undefined ? SMALL_REQUIREMENTS : { 'requirements.txt': given.file },
    )
    const servedBefore = auth.served
    const step: StepResult = await runAction(job, {
      env: { ...env(), ...given.env },
      inputs: given.inputs ?? {},
    })
    expect(step.code).toBe(0)
    // pip got the packages from the index that needs the token.
    expect(auth.served).toBeGreaterThan(servedBefore)
    const venv = path.join(job.workspace, '.venv')
    expect(await venvInUse(step)).toEqual(workingVenv(venv))

    // Masked: registered before anything shows it, so the log never shows it.
    expect(step.stdout.split('\n')).toContain(`::add-mask::${token}`)
    expect(maskedLog(step.stdout).filter((line) => line.includes(token))).toEqual([])
    expect(step.stderr).not.toContain(token)
    // In nothing the step hands on.
    const handedOn = JSON.stringify([
      step.outputs,
      step.state,
      step.env,
      step.path,
      step.summary,
      step.annotations,
    ])
    expect(handedOn).not.toContain(token)
    expect(step.outputs['cache-key']).not.toContain(token)
    // Written nowhere: the venv, the runner's temp and tool cache, the cache archive. (The requirement
    // file that holds it is the user's own.)
    const own = given.file === undefined ? [] : [path.join(job.workspace, 'requirements.txt')]
    expect(filesContaining(job.root, token, own)).toEqual([])
    expect(step.stdout).toContain(LOG.saved(step.outputs['cache-key'] ?? ''))
    expect(archivesContaining(token)).toEqual([])
  })
})

group('privileged events: no cache unless asked for', () => {
  const why = (what: string) =>
    `Cache not used on ${what}: a cached venv is code that later steps run. Set 'cache-privileged-events: true' to use it anyway.`

  test.each([
    ['release', {}, "the 'release' event"],
    ['pull_request_target', {}, "the 'pull_request_target' event"],
    ['workflow_run', {}, "the 'workflow_run' event"],
    [
      'push',
      { GITHUB_REF: 'refs/tags/v1.2.0', GITHUB_REF_NAME: 'v1.2.0', GITHUB_REF_TYPE: 'tag' },
      'a tag push (refs/tags/v1.2.0)',
    ],
  ])('%s %j: no cache call, one line saying why, a working venv', async (eventName, refEnv, what) => {
    const job = newRunner(SMALL_REQUIREMENTS)
    local.server.clearRequests()
    const step = await runAction(job, { env: { ...env(), ...refEnv }, eventName })
    expect(step.code).toBe(0)
    expect(local.server.requests).toEqual([])
    expect(step.stdout.split('\n').filter((l) => /^Cache (?!key:)/.test(l))).toEqual([why(what)])
    expect(step.outputs['cache-status']).toBe('disabled')
    expect(step.annotations).toEqual([])
    expect(await venvInUse(step)).toEqual(workingVenv(path.join(job.workspace, '.venv')))
  })

  test("cache-privileged-events: 'true' uses the cache on a release", async () => {
    const job = newRunner(SMALL_REQUIREMENTS)
    local.server.clearRequests()
    const step = await runAction(job, {
      env: env(),
      eventName: 'release',
      inputs: { 'cache-privileged-events': 'true' },
    })
    expect(step.code).toBe(0)
    expect(step.stdout).not.toContain('Cache not used on')
    expect(cacheOps(local.server)).toEqual(['lookup', 'reserve', 'upload', 'commit'])
    expect(step.stdout).toContain(LOG.saved(step.outputs['cache-key'] ?? ''))
    expect(annotationsOf(step, 'warning')).toEqual([])
    expect(await venvInUse(step)).toEqual(workingVenv(path.join(job.workspace, '.venv')))
  })
})
