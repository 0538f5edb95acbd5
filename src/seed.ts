// Seeding pip into a new venv without `ensurepip`'s slow path. `python -m venv` runs ensurepip, which
// starts pip from a zip (no cached bytecode: ~2 s of CPU compiling pip's own imports) and compiles every
// installed file on one core. Instead the venv is made without pip and the same bundled wheels are
// installed, by the bundled version of pip itself, as ensurepip's pip would install them, without its
// command line (the ~0.5 s it spends importing itself) and without compiling; everything is compiled on all
// cores. Which copy of that pip runs depends on the base interpreter:
// - its own pip is the bundled version: that pip (already compiled) runs under the venv's interpreter,
//   seeds the venv, then installs the requirements through its `__pip-runner__.py`;
// - its pip is another version (a hosted runner's Python, whose installer upgrades pip after ensurepip) or
//   absent: the bundled pip's package is unpacked from its wheel into the venv and compiled there on all
//   cores (bytecode the venv keeps, unless `pip-version` replaces that pip), and that pip installs itself and the other bundled wheels, then
//   the requirements. A venv's requirements are always resolved by the pip version the venv gets.
// A test compares both with a plain build, file by file. Where a fact needed for either is missing, the
// venv gets pip from ensurepip, as `python -m venv` would.
import { runCommand } from './command.js'
import type { Layout } from './platform.js'

export interface Seed {
  /** ensurepip's directory of bundled wheels. */
  readonly wheelDir: string
  /** What ensurepip would install, pinned: e.g. ['setuptools==65.5.0', 'pip==23.2.1']. */
  readonly packages: readonly string[]
  /** The bundled wheel of each package, in the same order. */
  readonly wheels: readonly string[]
  /** The base interpreter's pip when it is the bundled version and has a runner script; else null. */
  readonly basePip: BasePip | null
  /** The base interpreter's pip version, for the log; null when it has none. */
  readonly basePipVersion: string | null
}

/** A venv seeded with the bundled pip: how pip runs to install the requirements. */
export interface Seeded {
  /** The `__pip-runner__.py` of the seeding pip (the base's, or the one unpacked into the venv); undefined: `python -m pip`. */
  readonly runner: string | undefined
}

export interface BasePip {
  /** The base pip's `__pip-runner__.py`: runs that pip under another interpreter, installing into it. */
  readonly runner: string
  /** The directory that holds the base pip's package. */
  readonly root: string
}

// ensurepip's package list and versions are private names that changed over the years (_PROJECTS up to
// 3.10, _PACKAGE_NAMES in 3.11 and 3.12, only _PIP_VERSION since 3.13): any surprise prints null. The base
// pip is offered for seeding only when it is the bundled version, so that resolving the requirements
// behaves exactly as the venv's own pip would.
const SCRIPT = `
import json, os
try:
    import ensurepip
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
    try:
        import pip
        version = pip.__version__
        runner = os.path.join(os.path.dirname(pip.__file__), '__pip-runner__.py')
        root = os.path.dirname(os.path.dirname(pip.__file__))
    except Exception:
        version = None
    base = None
    if version == ensurepip.version() and os.path.isfile(runner):
        base = {'runner': runner, 'root': root}
    seed = {'wheelDir': wheel_dir, 'packages': pins, 'wheels': wheels, 'basePip': base,
            'basePipVersion': version}
    print(json.dumps(seed if None not in wheels and 'pip==%s' % ensurepip.version() in pins else None))
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
 * The argv that runs pip for the venv: a seeded pip's runner script, or the venv's own pip; under the
 * interpreter name ensurepip uses, so that the scripts pip writes are byte for byte those of a plain build.
 */
export function pipCommand(layout: Layout, runner: string | undefined): [string, ...string[]] {
  return runner === undefined ? [layout.pipPython, '-m', 'pip'] : [layout.pipPython, runner]
}

/**
 * Exit code of SEED_SCRIPT when this pip cannot seed the venv that way; it says why on stderr. With the
 * base pip nothing was written yet: its command line seeds instead. With the unpacked pip, nothing but
 * that pip's package: the venv is made again by ensurepip.
 */
export const UNSEEDABLE = 3

/**
 * Installs the bundled wheels as ensurepip's pip command would (each one asked for by name, so marked
 * REQUESTED; console scripts with the running interpreter in their shebang), but through pip's wheel
 * installer alone, imported from the directory given the way `__pip-runner__.py` imports pip. Arguments:
 * that directory, the scratch directory (empty for the base pip), then the pin and wheel of each package.
 *
 * With a scratch directory, the pip running is the bundled one unpacked into the venv (UNPACK_SCRIPT), and
 * it installs itself first: into an empty copy of the venv's layout under the scratch directory, so that
 * the files it is running from, and their bytecode compiled meanwhile, are not rewritten. Its package files
 * there must equal the unpacked ones byte for byte and mode for mode; the rest (its .dist-info with RECORD,
 * the console scripts) then moves into the venv, and the scratch directory is removed.
 */
export const SEED_SCRIPT = `
import os, shutil, stat, sys, zipfile
from importlib.machinery import PathFinder
root, scratch = sys.argv[1], sys.argv[2]
class PipFinder:
    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        return PathFinder.find_spec(fullname, [root], target) if fullname == 'pip' else None
sys.meta_path.insert(0, PipFinder())
def unseedable(why):
    if scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    sys.stderr.write(why + '\\n')
    sys.exit(${UNSEEDABLE})
try:
    from pip._internal.locations import get_scheme
    from pip._internal.operations.install.wheel import install_wheel
    if scratch:
        from pip._internal.models.scheme import SCHEME_KEYS, Scheme
except Exception as e:
    unseedable("this pip's wheel installer cannot be imported: %r" % e)
def install(name, wheel, pin, scheme, warn=True):
    install_wheel(name, wheel, scheme=scheme, req_description=pin, pycompile=False,
                  warn_script_location=warn, direct_url=None, requested=True)
def files(top):
    return [os.path.relpath(os.path.join(d, n), top) for d, _, names in os.walk(top) for n in names]
def same(a, b):
    sa, sb = os.stat(a), os.stat(b)
    if stat.S_IMODE(sa.st_mode) != stat.S_IMODE(sb.st_mode) or sa.st_size != sb.st_size:
        return False
    with open(a, 'rb') as fa, open(b, 'rb') as fb:
        return fa.read() == fb.read()
def install_itself(wheel, pin):
    scheme = get_scheme('pip')
    moved = {}
    for key in SCHEME_KEYS:
        rel = os.path.relpath(getattr(scheme, key), sys.prefix)
        if rel.split(os.sep)[0] == os.pardir:
            unseedable("pip's %s directory %s is outside the venv" % (key, getattr(scheme, key)))
        moved[key] = os.path.normpath(os.path.join(scratch, rel))
    install('pip', wheel, pin, Scheme(**moved), warn=False)
    with zipfile.ZipFile(wheel) as z:
        unpacked = set(os.path.join(*n.split('/')) for n in z.namelist() if n.split('/')[0] == 'pip' and not n.endswith('/'))
    lib = os.path.relpath(moved['purelib'], scratch)
    rest = []
    for rel in files(scratch):
        inside = os.path.relpath(rel, lib)
        if inside not in unpacked:
            rest.append(rel)
        elif not same(os.path.join(scratch, rel), os.path.join(scheme.purelib, inside)):
            unseedable('pip installs %s otherwise than it was unpacked' % inside)
        else:
            unpacked.discard(inside)
    if unpacked:
        unseedable('pip does not install %s, which was unpacked' % sorted(unpacked)[0])
    for rel in rest:
        dest = os.path.join(sys.prefix, rel)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        os.replace(os.path.join(scratch, rel), dest)
    shutil.rmtree(scratch)
pairs = list(zip(sys.argv[3::2], sys.argv[4::2]))
if scratch:
    # pip first: until it has passed its check, nothing but its unpacked package is in the venv.
    pairs.sort(key=lambda pair: not pair[0].startswith('pip=='))
for pin, wheel in pairs:
    name = pin.split('==')[0]
    if scratch and name == 'pip':
        install_itself(wheel, pin)
    else:
        install(name, wheel, pin, get_scheme(name))
`

/**
 * The argv (after the interpreter) that runs SEED_SCRIPT for `seed`: with the base pip when it is given,
 * else with the pip unpacked into `unpacked` (the venv's site-packages) and the scratch directory.
 */
export function seedScriptArgs(
  seed: Seed,
  from: { readonly basePip: BasePip } | { readonly unpacked: string; readonly scratch: string },
): string[] {
  const [root, scratch] = 'basePip' in from ? [from.basePip.root, ''] : [from.unpacked, from.scratch]
  return ['-c', SEED_SCRIPT, root, scratch, ...seed.packages.flatMap((pin, i) => [pin, seed.wheels[i] ?? ''])]
}

/**
 * Unpacks the package of the pip wheel given (its `pip/` directory, nothing of its .dist-info) into the
 * site-packages of the interpreter that runs it (the venv's), and prints that directory: enough for that
 * pip to run, and to install itself properly (SEED_SCRIPT).
 */
export const UNPACK_SCRIPT = `
import os, shutil, sys, sysconfig, zipfile
root = sysconfig.get_path('purelib')
with zipfile.ZipFile(sys.argv[1]) as z:
    for info in z.infolist():
        parts = info.filename.split('/')
        if parts[0] != 'pip' or info.is_dir() or '..' in parts:
            continue
        dest = os.path.join(root, *parts)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with z.open(info) as src, open(dest, 'wb') as out:
            shutil.copyfileobj(src, out)
print(root)
`

/** The bundled pip wheel of `seed`. */
export function pipWheel(seed: Seed): string {
  const i = seed.packages.findIndex((pin) => pin.startsWith('pip=='))
  const wheel = seed.wheels[i]
  if (wheel === undefined) throw new Error(`No pip among the bundled packages ${seed.packages.join(', ')}`)
  return wheel
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
