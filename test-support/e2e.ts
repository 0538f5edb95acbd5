// Shared set-up for end-to-end tests: hermetic wheels and index, a cache service, workspaces, and the
// environment a step gets. Everything is real: the action bundle, python -m venv, pip, @actions/cache.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { startCacheServer, type CacheServer } from './cache-server/server.js'
import { pyenvPython } from './pythons.js'
import { NODE24, runStep, type RunStepOptions, type StepResult } from './runner.js'
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
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true })
    fs.writeFileSync(path.join(workspace, rel), text)
  }
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
