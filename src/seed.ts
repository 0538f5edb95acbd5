// Seeding pip into a new venv without `ensurepip`'s slow path. `python -m venv` runs ensurepip, which
// starts pip from a zip (no cached bytecode: ~2 s of CPU compiling pip's own imports) and compiles every
// installed file on one core. Instead: the same bundled wheels are installed by the base interpreter's
// pip, already compiled, of the same version, run under the venv's interpreter through pip's own runner
// script (what `pip --python` does, minus one process start); the requirements follow the same way, and
// everything is compiled once at the end on all cores. Where any fact needed for that is missing, the
// action uses plain `python -m venv` and the venv's own pip.
import * as exec from '@actions/exec'
import type { Layout } from './platform.js'

export interface Seed {
  /** ensurepip's directory of bundled wheels. */
  readonly wheelDir: string
  /** What ensurepip would install, pinned: e.g. ['setuptools==65.5.0', 'pip==23.2.1']. */
  readonly packages: readonly string[]
  /** The base pip's `__pip-runner__.py`: runs that pip under another interpreter, installing into it. */
  readonly runner: string
}

// ensurepip's package list and versions are private names that changed over the years (_PROJECTS up to
// 3.10, _PACKAGE_NAMES in 3.11 and 3.12, only _PIP_VERSION since 3.13): any surprise prints null. The base pip must be the bundled version,
// so that resolving the requirements behaves exactly as the venv's own pip would.
const SCRIPT = `
import json, os
try:
    import ensurepip, pip
    names = getattr(ensurepip, '_PACKAGE_NAMES', None)
    if names is None:
        projects = getattr(ensurepip, '_PROJECTS', None)
        names = [p[0] for p in projects] if projects else ['pip']
    pins = ['%s==%s' % (n, getattr(ensurepip, '_%s_VERSION' % n.upper())) for n in names]
    wheel_dir = os.path.join(os.path.dirname(ensurepip.__file__), '_bundled')
    runner = os.path.join(os.path.dirname(pip.__file__), '__pip-runner__.py')
    ok = pip.__version__ == ensurepip.version() and os.path.isdir(wheel_dir) and os.path.isfile(runner)
    print(json.dumps({'wheelDir': wheel_dir, 'packages': pins, 'runner': runner} if ok else None))
except Exception:
    print('null')
`

/** How to seed pip into a venv made from `python`, or undefined to let `python -m venv` do it. */
export async function findSeed(python: string): Promise<Seed | undefined> {
  const result = await exec.getExecOutput(python, ['-B', '-E', '-s', '-c', SCRIPT], {
    silent: true,
    ignoreReturnCode: true,
  })
  if (result.exitCode !== 0) return undefined
  return (JSON.parse(result.stdout.trim() || 'null') as Seed | null) ?? undefined
}

/** `python -m venv` arguments: without pip when it is seeded separately. */
export function venvArgs(venvDir: string, seed: Seed | undefined): string[] {
  return ['-m', 'venv', ...(seed ? ['--without-pip'] : []), venvDir]
}

/**
 * The argv that runs pip for the venv: the seed's runner, or the venv's own pip; under the interpreter
 * name ensurepip uses, so that the scripts pip writes are byte for byte those of a plain build.
 */
export function pipCommand(layout: Layout, seed: Seed | undefined): [string, ...string[]] {
  return seed ? [layout.pipPython, seed.runner] : [layout.pipPython, '-m', 'pip']
}

/** What ensurepip runs (no index, the bundled wheels as the only source), without compiling. */
export function seedInstallArgs(seed: Seed): string[] {
  return [
    'install',
    '--no-cache-dir',
    '--no-index',
    '--no-compile',
    '--find-links',
    seed.wheelDir,
    ...seed.packages,
  ]
}

/**
 * Compiles the files named on stdin (UTF-8, one per line) as pip does after an install: same call
 * (compileall.compile_file), same interpreter and invalidation mode, errors in unimportable files ignored.
 * The action runs one of these per core over its share of the files: no per-file traffic between
 * processes, and nothing to pickle (which a pool in a `-c` script cannot do on Windows).
 */
export const COMPILE_SCRIPT = `
import compileall, sys
for path in sys.stdin.buffer.read().decode('utf-8').splitlines():
    compileall.compile_file(path, quiet=2)
`
