// Seeding pip into a new venv without `ensurepip`'s slow path. `python -m venv` runs ensurepip, which
// starts pip from a zip (no cached bytecode: ~2 s of CPU compiling pip's own imports) and compiles every
// installed file on one core. Instead the venv is made without pip, and the same bundled wheels are
// installed by the base interpreter's pip (already compiled, and of the bundled version) running under
// the venv's interpreter: its wheel installer called directly, which skips the ~0.5 s that pip's command
// line spends importing itself, and writes the same files (a test compares them with a plain build).
// The requirements then go through the base pip's own runner script (what `pip --python` does, minus one
// process start), and everything is compiled at the end on all cores. Where a fact needed for that is
// missing, the venv gets pip from ensurepip, as `python -m venv` would.
import { runCommand } from './command.js'
import type { Layout } from './platform.js'

export interface Seed {
  /** ensurepip's directory of bundled wheels. */
  readonly wheelDir: string
  /** What ensurepip would install, pinned: e.g. ['setuptools==65.5.0', 'pip==23.2.1']. */
  readonly packages: readonly string[]
  /** The bundled wheel of each package, in the same order. */
  readonly wheels: readonly string[]
  /** The base pip's `__pip-runner__.py`: runs that pip under another interpreter, installing into it. */
  readonly runner: string
  /** The directory that holds the base pip's package. */
  readonly pipRoot: string
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
    files = os.listdir(wheel_dir)
    wheels = []
    for pin in pins:
        found = [f for f in files if f.startswith(pin.replace('==', '-') + '-') and f.endswith('.whl')]
        wheels.append(os.path.join(wheel_dir, found[0]) if len(found) == 1 else None)
    runner = os.path.join(os.path.dirname(pip.__file__), '__pip-runner__.py')
    ok = pip.__version__ == ensurepip.version() and None not in wheels and os.path.isfile(runner)
    seed = {'wheelDir': wheel_dir, 'packages': pins, 'wheels': wheels, 'runner': runner,
            'pipRoot': os.path.dirname(os.path.dirname(pip.__file__))}
    print(json.dumps(seed if ok else None))
except Exception:
    print('null')
`

/** How to seed pip into a venv made from `python`, or undefined to let `python -m venv` do it. */
export async function findSeed(python: string): Promise<Seed | undefined> {
  const result = await runCommand([python, '-B', '-E', '-s', '-c', SCRIPT], { silent: true })
  if (result.code !== 0) return undefined
  return (JSON.parse(result.stdout.trim() || 'null') as Seed | null) ?? undefined
}

/** `python -m venv` arguments: without pip when it is seeded separately. */
export function venvArgs(venvDir: string, withoutPip: boolean): string[] {
  return ['-m', 'venv', ...(withoutPip ? ['--without-pip'] : []), venvDir]
}

/**
 * The argv that runs pip for the venv: the seed's runner, or the venv's own pip; under the interpreter
 * name ensurepip uses, so that the scripts pip writes are byte for byte those of a plain build.
 */
export function pipCommand(layout: Layout, seed: Seed | undefined): [string, ...string[]] {
  return seed ? [layout.pipPython, seed.runner] : [layout.pipPython, '-m', 'pip']
}

/**
 * Installs the bundled wheels as ensurepip's pip command would (each one asked for by name, so marked
 * REQUESTED; console scripts with the running interpreter in their shebang), but through pip's wheel
 * installer alone, imported from the base pip the way its `__pip-runner__.py` imports it. Exit code UNSEEDABLE,
 * before anything is written: this pip has no such installer (its internals moved), use the command line.
 * Arguments: the directory holding the base pip, then the pin and wheel of each package.
 */
export const UNSEEDABLE = 3
export const SEED_SCRIPT = `
import sys
from importlib.machinery import PathFinder
root = sys.argv[1]
class PipFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        return PathFinder.find_spec(fullname, [root], target) if fullname == 'pip' else None
sys.meta_path.insert(0, PipFinder())
try:
    from pip._internal.locations import get_scheme
    from pip._internal.operations.install.wheel import install_wheel
except Exception:
    sys.exit(${UNSEEDABLE})
for pin, wheel in zip(sys.argv[2::2], sys.argv[3::2]):
    name = pin.split('==')[0]
    install_wheel(name, wheel, scheme=get_scheme(name), req_description=pin, pycompile=False,
                  warn_script_location=True, direct_url=None, requested=True)
`

/** The argv (after the interpreter) that runs SEED_SCRIPT for `seed`. */
export function seedScriptArgs(seed: Seed): string[] {
  return ['-c', SEED_SCRIPT, seed.pipRoot, ...seed.packages.flatMap((pin, i) => [pin, seed.wheels[i] ?? ''])]
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
