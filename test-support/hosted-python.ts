// A hosted runner's CPython, made from this machine's. actions/setup-python's installers (whose builds the
// runner images preinstall) put it at <tool cache>/Python/<version>/<arch>, run `python -m ensurepip` and
// then `python -m pip install --upgrade pip`, and write <arch>.complete last: its pip is not the one
// ensurepip bundles, so a venv made from it gets another pip than the base has. Here a pyenv interpreter is
// copied into that layout and the same two commands run, with pip from the local index.
//
// The copy leaves out what the pyenv interpreter has that a hosted one does not (the third-party packages
// in site-packages and their console scripts) and the standard library's test suite (a quarter of the
// size; nothing here runs it). The interpreter finds its libpython by an absolute rpath, so the copy runs.
// Making one takes several seconds: it is kept under the temp directory per version and pip requirement,
// for every test file and bench run that asks for it.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { pyenvPython } from './pythons.js'

export interface HostedPython {
  /** The tool cache root (RUNNER_TOOL_CACHE) holding Python/<version>/x64. */
  readonly toolCache: string
  /** <toolCache>/Python/<version>/x64/bin/python3 */
  readonly python: string
  /** The full version, e.g. 3.11.7. */
  readonly version: string
  /** The base interpreter's pip version after the upgrade. */
  readonly pip: string
  /** The pip version ensurepip bundles, which a new venv gets. */
  readonly bundledPip: string
}

/** Bump when the way copies are made changes: older copies are then left alone. */
const FORMAT = 1
const CACHE_ROOT = path.join(os.tmpdir(), `setup-venv-hosted-python-v${String(FORMAT)}`)
const READY = 'hosted-python.json'
/** How long to wait for another process making the same copy. */
const WAIT_MS = 5 * 60_000

/**
 * The hosted-runner Python of the pyenv interpreter for `minor` (e.g. '3.11'), its pip upgraded to
 * `pip` (a requirement; default the newest the index has, as the installer's `--upgrade pip`) from
 * `indexUrl`. Made once, then reused; throws when the interpreter is missing or a command fails.
 */
export function hostedPython(minor: string, indexUrl: string, pip = 'pip'): HostedPython {
  const source = path.dirname(path.dirname(pyenvPython(minor)))
  const version = path.basename(source)
  const dir = path.join(CACHE_ROOT, `${version}-${pip.replace(/[^A-Za-z0-9.=<>-]/g, '_')}`)
  const ready = path.join(dir, READY)
  const lock = `${dir}.lock`
  fs.mkdirSync(CACHE_ROOT, { recursive: true })
  const deadline = Date.now() + WAIT_MS
  for (;;) {
    if (fs.existsSync(ready)) return JSON.parse(fs.readFileSync(ready, 'utf8')) as HostedPython
    try {
      fs.mkdirSync(lock)
      break
    } catch {
      // Another process is making it: wait for its marker.
      if (Date.now() > deadline) throw new Error(`${lock} stayed for ${String(WAIT_MS / 1000)} s: remove it`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500)
    }
  }
  try {
    if (fs.existsSync(ready)) return JSON.parse(fs.readFileSync(ready, 'utf8')) as HostedPython
    fs.rmSync(dir, { recursive: true, force: true })
    const made = make(source, version, dir, indexUrl, pip)
    fs.writeFileSync(ready, `${JSON.stringify(made, null, 2)}\n`)
    return made
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
}

function make(
  source: string,
  version: string,
  toolCache: string,
  indexUrl: string,
  pip: string,
): HostedPython {
  const versionDir = path.join(toolCache, 'Python', version)
  const prefix = path.join(versionDir, 'x64')
  const minor = /^\d+\.\d+/.exec(version)?.[0] ?? version
  const stdlib = path.join(source, 'lib', `python${minor}`)
  const sitePackages = path.join(stdlib, 'site-packages')
  const bin = path.join(source, 'bin')
  fs.cpSync(source, prefix, {
    recursive: true,
    verbatimSymlinks: true,
    // The standard library's bytecode stays valid only with its sources' times.
    preserveTimestamps: true,
    filter: (from) =>
      (path.dirname(from) !== sitePackages || path.basename(from) === 'README.txt') &&
      from !== path.join(stdlib, 'test') &&
      (path.dirname(from) !== bin || /^(python|pydoc|idle|2to3)/.test(path.basename(from))),
  })
  const python = path.join(prefix, 'bin', 'python3')
  // Only the index given: no pip configuration file or PIP_* variable of this machine's.
  const env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? os.homedir(),
    PIP_INDEX_URL: indexUrl,
    PIP_CONFIG_FILE: os.devNull,
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
    PIP_ROOT_USER_ACTION: 'ignore',
    PIP_NO_WARN_SCRIPT_LOCATION: '1',
  }
  const run = (...args: string[]): string =>
    execFileSync(python, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  run('-m', 'ensurepip')
  run('-m', 'pip', 'install', '--upgrade', pip)
  fs.writeFileSync(path.join(versionDir, 'x64.complete'), '')
  const [pipVersion = '', bundledPip = ''] = run(
    '-c',
    'import ensurepip, pip; print(pip.__version__); print(ensurepip.version())',
  )
    .trim()
    .split('\n')
  return { toolCache, python, version, pip: pipVersion, bundledPip }
}
