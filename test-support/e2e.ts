// Shared set-up for end-to-end tests: hermetic wheels and index, a cache service, workspaces, and the
// environment a step gets. Everything is real: the action bundle, python -m venv, pip, @actions/cache.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startCacheServer, type CacheServer } from './cache-server/server.js'
import { pyenvPython } from './pythons.js'
import { NODE24, nextStep, runStep, type Annotation, type RunStepOptions, type StepResult } from './runner.js'
import { writeFile } from './fixtures.js'
import { buildIndex, buildWheel } from './wheels.js'

export type Protocol = 'v1' | 'v2'

export const NODES = { node20: process.execPath, node24: NODE24 } as const

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `setup-venv-${prefix}-`))
}

/** Two tiny pure-Python projects: `sv-tool` (console script `sv-tool`) depends on `sv-lib`. */
export function buildTestIndex(): { url: string; dir: string } {
  const dir = tempDir('index')
  const wheels = path.join(dir, 'wheels')
  fs.mkdirSync(wheels)
  const lib = buildWheel(wheels, { name: 'sv-lib', version: '1.0', code: 'VALUE = 42\n' })
  const tool = buildWheel(wheels, {
    name: 'sv-tool',
    version: '2.0',
    code: 'import sys\nimport sv_lib\n\ndef main():\n    print("sv-tool ok", sv_lib.VALUE, sys.prefix)\n',
    consoleScripts: { 'sv-tool': 'sv_tool:main' },
    requires: ['sv-lib>=1.0'],
  })
  return { url: buildIndex(dir, [lib, tool]), dir }
}

/** The env a step gets for one cache protocol, isolated from this machine's pip configuration. */
export function stepEnv(
  server: CacheServer | undefined,
  protocol: Protocol,
  indexUrl: string,
  python = '3.11',
) {
  const cacheEnv = server === undefined ? {} : protocol === 'v1' ? server.envV1() : server.envV2()
  return {
    ...cacheEnv,
    // As actions/setup-python leaves it: the interpreter's directory first on PATH.
    PATH: `${path.dirname(pyenvPython(python))}${path.delimiter}${process.env['PATH'] ?? ''}`,
    PIP_INDEX_URL: indexUrl,
    PIP_CONFIG_FILE: os.devNull,
    PIP_NO_CACHE_DIR: '1',
  }
}

export interface Job {
  readonly root: string
  readonly workspace: string
}

/** A fresh runner: a new job root with an empty workspace, holding the given files. */
export function newRunner(files: Record<string, string>): Job {
  const root = tempDir('job')
  const workspace = path.join(root, 'workspace')
  for (const [rel, text] of Object.entries(files)) writeFile(workspace, rel, text)
  return { root, workspace }
}

export function runAction(job: Job, opts: RunStepOptions): Promise<StepResult> {
  return runStep({ root: job.root, ...opts })
}

export async function startServer(): Promise<CacheServer> {
  return startCacheServer({ dir: tempDir('cache') })
}

/** The fixed outcome lines of the action, for asserting on logs. */
export const LOG = {
  restored: (key: string) => `Cache restored from key: ${key}`,
  saved: (key: string) => `Cache saved with key: ${key}`,
  notFound: (key: string) => `No cache found for key: ${key}`,
}

/** The one annotation of a step that had no cache service to use (ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL unset). */
export const NO_CACHE_SERVICE_WARNING: Readonly<Annotation> = {
  level: 'warning',
  message:
    'The venv is built without the cache: no cache service is configured for this runner (ACTIONS_CACHE_URL / ACTIONS_RESULTS_URL are unset).',
  properties: {},
}

/** The smallest useful requirement set of buildTestIndex(): sv-tool, which pulls in sv-lib. */
export const SMALL_REQUIREMENTS: Readonly<Record<string, string>> = { 'requirements.txt': 'sv-tool==2.0\n' }

/** Messages of the step's annotations of one level. */
export function annotationsOf(step: StepResult, level: 'error' | 'warning' | 'notice'): string[] {
  return step.annotations.filter((a) => a.level === level).map((a) => a.message)
}

/** What a later step sees of the venv; compare with workingVenv(venvDir). */
export interface VenvUse {
  readonly VIRTUAL_ENV: string | undefined
  readonly path: readonly string[]
  readonly python: { code: number | null; stderr: string; stdout: string[] }
  readonly tool: { code: number | null; stdout: string }
}

/**
 * Runs the venv's tools as the next step would: `python` from PATH with the packages imported, and the
 * console script. `wrap` prefixes both commands (e.g. to run them in a job's own mount namespace).
 */
export async function venvInUse(step: StepResult, wrap: readonly string[] = []): Promise<VenvUse> {
  const py = await nextStep(step, [
    ...wrap,
    'python',
    '-c',
    'import shutil, sys, sv_lib, sv_tool; print(shutil.which("python")); print(sys.prefix); print(sv_lib.VALUE)',
  ])
  const tool = await nextStep(step, [...wrap, 'sv-tool'])
  return {
    VIRTUAL_ENV: step.env['VIRTUAL_ENV'],
    path: step.path,
    python: { code: py.code, stderr: py.stderr, stdout: py.stdout.trim().split('\n') },
    tool: { code: tool.code, stdout: tool.stdout.trim() },
  }
}

/** venvInUse's answer for a working venv at `venvDir` built from SMALL_REQUIREMENTS. */
export function workingVenv(venvDir: string): VenvUse {
  return {
    VIRTUAL_ENV: venvDir,
    path: [path.join(venvDir, 'bin')],
    python: { code: 0, stderr: '', stdout: [path.join(venvDir, 'bin', 'python'), venvDir, '42'] },
    tool: { code: 0, stdout: `sv-tool ok 42 ${venvDir}` },
  }
}

/**
 * Every entry under `dir` (not following links), as `path -> what it is`: `d`, `l <target>` or
 * `f <sha256>`. Two equal snapshots mean nothing was added, removed or changed.
 */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const visit = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name)
      const full = path.join(dir, child)
      if (entry.isSymbolicLink()) out[child] = `l ${fs.readlinkSync(full)}`
      else if (entry.isDirectory()) {
        out[child] = 'd'
        visit(child)
      } else out[child] = `f ${createHash('sha256').update(fs.readFileSync(full)).digest('hex')}`
    }
  }
  visit('')
  return out
}

/**
 * Entries under `dir` last modified before `sinceMs` (lstat, links not followed). tar restores the archived
 * modification times, so after a step that started at `sinceMs` an empty list means no file came from a
 * (partial) restore: the directory was built from scratch.
 */
export function entriesOlderThan(dir: string, sinceMs: number): string[] {
  const old: string[] = []
  const visit = (rel: string): void => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name)
      if (fs.lstatSync(path.join(dir, child)).mtimeMs < sinceMs) old.push(child)
      if (entry.isDirectory()) visit(child)
    }
  }
  visit('')
  return old
}

/** The cache operations a server saw, named alike for both protocols, in order, each once. */
export function cacheOps(server: CacheServer): string[] {
  const names: Record<string, string> = {
    lookup: 'lookup',
    GetCacheEntryDownloadURL: 'lookup',
    download: 'download',
    getProperties: 'download',
    reserve: 'reserve',
    CreateCacheEntry: 'reserve',
    upload: 'upload',
    putBlob: 'upload',
    putBlock: 'upload',
    putBlockList: 'upload',
    commit: 'commit',
    FinalizeCacheEntryUpload: 'commit',
  }
  return [...new Set(server.requests.map((r) => names[r.op] ?? `${r.protocol}:${r.op}`))]
}
