// Runs an interpreter once with a script that prints its facts: a base interpreter's as JSON, in syntax that
// Python 2.7 and 3.x both parse (a too-old interpreter is reported by version, not by a SyntaxError); a
// venv's interpreter (always 3.8 or newer) its version, prefix and the manifest of the venv's files.
import { runCommand, type CommandResult } from './command.js'
import { UsageError } from './errors.js'

export interface PythonFacts {
  readonly implementation: string
  /** platform.python_version(), e.g. 3.12.7 */
  readonly version: string
  readonly versionInfo: readonly [number, number, number]
  /** sys.version: the build (compiler, date), which differs between builds of one version */
  readonly build: string
  readonly executable: string
  readonly prefix: string
  readonly basePrefix: string
  /** platform.machine() */
  readonly machine: string
  readonly bits: number
  /** glibc/musl family and version, empty where not applicable */
  readonly libc: string
  /** the `venv` module is there (its package directory, else `import venv` works) */
  readonly hasVenv: boolean
  /** the pip version ensurepip would put in a new venv; null when ensurepip is missing */
  readonly ensurepip: string | null
  /** What a new venv holds before anything is installed, pinned: ['pip==23.2.1', 'setuptools==65.5.0']. */
  readonly seeded: readonly string[]
  /** Set when this interpreter is a venv's: the venv, its pyvenv.cfg home, and the base interpreter found there. */
  readonly venvBase: {
    readonly venv: string
    readonly home: string | null
    readonly executable: string | null
  } | null
}

// What a new venv gets is read from files where that is enough: importing `venv` and `ensurepip` costs
// 40 ms of a 90 ms probe (run on every hit). ensurepip.version() is the version of the pip wheel in
// ensurepip/_bundled; builds that keep the wheels elsewhere (Debian) or only as bytecode are asked by import.
const SCRIPT = `
import json, os, platform, sys
stdlib = os.path.dirname(os.__file__)
def has(name):
    if os.path.isfile(os.path.join(stdlib, name, '__init__.py')):
        return True
    try:
        __import__(name)
        return True
    except Exception:
        return False
def bundled_pip():
    try:
        for name in os.listdir(os.path.join(stdlib, 'ensurepip', '_bundled')):
            if name.startswith('pip-') and name.endswith('.whl'):
                return name.split('-')[1]
    except OSError:
        pass
    try:
        import ensurepip
        return ensurepip.version()
    except Exception:
        return None
def venv_base():
    # An interpreter of a venv: CPython finds pyvenv.cfg beside the executable or one level up. Its base is
    # the interpreter of the same name in the directory pyvenv.cfg calls home (what a venv links or copies),
    # else sys._base_executable (3.11+ on POSIX, all versions on Windows).
    exe = os.path.abspath(sys.executable)
    for d in (os.path.dirname(exe), os.path.dirname(os.path.dirname(exe))):
        cfg = os.path.join(d, 'pyvenv.cfg')
        if not os.path.isfile(cfg):
            continue
        home = None
        f = open(cfg)
        try:
            for line in f:
                key, sep, value = line.partition('=')
                if sep and key.strip().lower() == 'home':
                    home = value.strip()
        finally:
            f.close()
        found = None
        if home:
            names = [os.path.basename(exe), 'python%d.%d' % sys.version_info[:2], 'python%d' % sys.version_info[0], 'python']
            if sys.platform == 'win32':
                names = [n if n.lower().endswith('.exe') else n + '.exe' for n in names]
            candidates = [os.path.join(home, n) for n in names] + [getattr(sys, '_base_executable', None) or '']
            for c in candidates:
                if c and os.path.isfile(c) and os.path.normcase(os.path.abspath(c)) != os.path.normcase(exe):
                    found = c
                    break
        return {'venv': d, 'home': home, 'executable': found}
    return None
def bundled_pins():
    # What ensurepip installs, pinned: every wheel in ensurepip/_bundled (pip, and setuptools up to 3.11).
    try:
        names = sorted(os.listdir(os.path.join(stdlib, 'ensurepip', '_bundled')))
    except OSError:
        names = []
    pins = ['%s==%s' % tuple(n.split('-')[:2]) for n in names if n.endswith('.whl')]
    return pins or ['pip==%s' % pip]
pip = bundled_pip() if has('ensurepip') else None
libc = platform.libc_ver() if sys.platform.startswith('linux') else ('', '')
impl = getattr(sys, 'implementation', None)
print(json.dumps({
    'implementation': impl.name if impl else platform.python_implementation().lower(),
    'version': platform.python_version(),
    'versionInfo': list(sys.version_info[:3]),
    'build': sys.version,
    'executable': sys.executable,
    'prefix': sys.prefix,
    'basePrefix': getattr(sys, 'base_prefix', sys.prefix),
    'machine': platform.machine(),
    'bits': 64 if sys.maxsize > 2 ** 32 else 32,
    'libc': ''.join(libc),
    'hasVenv': has('venv'),
    'ensurepip': pip,
    'seeded': bundled_pins() if pip else [],
    'venvBase': venv_base(),
}))
`

/** What the venv's interpreter reports of itself and of the venv's files (see VENV_SCRIPT). */
export interface VenvFacts {
  readonly version: string
  readonly prefix: string
  readonly manifest: string
  /** Total size of the files the manifest covers. */
  readonly bytes: number
  /** The distributions in site-packages, sorted by name. */
  readonly distributions: readonly Distribution[]
}

export interface Distribution {
  readonly name: string
  readonly version: string
  /** Asked for by name (pip's REQUESTED marker), not only pulled in as a dependency. */
  readonly requested: boolean
}

function parseDistributions(text: string): Distribution[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [name = '', version = '', requested = '0'] = line.split(' ')
      return { name, version, requested: requested === '1' }
    })
}

// The venv's interpreter, with `site` (before Python 3.11 it sets sys.prefix from pyvenv.cfg), reports its
// version and prefix, and takes the venv's manifest: a digest of every entry's path, type, size,
// whole-second mtime (what tar keeps) and link target, plus the content of pyvenv.cfg and the launchers,
// which hold absolute paths. It catches files missing, added or changed after the build without reading
// every byte of a large venv; Python walks a venv's thousands of files in a fraction of Node's time.
// It also lists the distributions in site-packages (name, version, REQUESTED), for the summary.
// Arguments: venv, bin directory, pyvenv.cfg, the stamp file to leave out. Output: a marker, then
// NUL-separated fields (a .pth file may print, and a path may hold a newline).
const VENV_SCRIPT = `
import hashlib, os, platform, sys
root, bin_dir, cfg, stamp = sys.argv[1:5]
lines, size = [], 0
def visit(rel):
    global size
    for entry in os.scandir(os.path.join(root, rel)):
        path = os.path.join(rel, entry.name) if rel else entry.name
        if path == stamp:
            continue
        if entry.is_symlink():
            lines.append('l %s %s' % (path, os.readlink(entry.path)))
        elif entry.is_file(follow_symlinks=False):
            st = entry.stat(follow_symlinks=False)
            size += st.st_size
            lines.append('f %s %d %d' % (path, st.st_size, st.st_mtime_ns // 10 ** 9))
        elif entry.is_dir(follow_symlinks=False):
            lines.append('d ' + path)
            if entry.name.endswith('.dist-info') and os.path.basename(rel) == 'site-packages':
                name, _, version = entry.name[:-len('.dist-info')].partition('-')
                requested = os.path.exists(os.path.join(entry.path, 'REQUESTED'))
                dists.append('%s %s %d' % (name, version, requested))
            visit(path)
dists = []
visit('')
digest = hashlib.sha256()
for line in sorted(lines):
    digest.update((line + '\\n').encode('utf-8', 'surrogateescape'))
launchers = sorted(e.name for e in os.scandir(bin_dir) if e.is_file(follow_symlinks=False))
for path in [cfg] + [os.path.join(bin_dir, name) for name in launchers]:
    digest.update((path + '\\n').encode('utf-8', 'surrogateescape'))
    with open(path, 'rb') as f:
        digest.update(f.read())
fields = ['setup-venv-probe', platform.python_version(), sys.prefix, digest.hexdigest(), str(size), '\\n'.join(sorted(dists))]
sys.stdout.write('\\0'.join(fields) + '\\0')
`

/** Runs the venv's interpreter once: its version and sys.prefix, and the manifest of the venv's files. */
export async function probeVenvPython(
  executable: string,
  venv: { dir: string; binDir: string; pyvenvCfg: string; stampFile: string },
): Promise<VenvFacts> {
  const args = ['-c', VENV_SCRIPT, venv.dir, venv.binDir, venv.pyvenvCfg, venv.stampFile]
  const stdout = await runProbe(executable, args)
  const at = stdout.lastIndexOf('setup-venv-probe\0')
  const [, version, prefix, manifest, bytes, dists] = at < 0 ? [] : stdout.slice(at).split('\0')
  if (
    version === undefined ||
    prefix === undefined ||
    manifest === undefined ||
    bytes === undefined ||
    dists === undefined
  ) {
    throw startFailure(executable, 0, stdout)
  }
  return { version, prefix, manifest, bytes: Number(bytes), distributions: parseDistributions(dists) }
}

/**
 * The facts of a base interpreter. It runs without its `site` module (-S), which can cost a hundred
 * milliseconds of .pth imports and tells nothing the probe needs.
 */
export async function probePython(executable: string): Promise<PythonFacts> {
  const stdout = await runProbe(executable, ['-S', '-c', SCRIPT])
  const line = stdout.trim().split('\n').pop() ?? ''
  if (!line.startsWith('{')) throw startFailure(executable, 0, stdout)
  return JSON.parse(line) as PythonFacts
}

async function runProbe(executable: string, args: readonly string[]): Promise<string> {
  // -E -s: no PYTHON* variables and no user site, so the environment cannot change what the probe reports.
  // -B: no bytecode written, so probing a venv never changes the files its manifest covers.
  // (Not -I, which Python 2 rejects before it could tell us its version.)
  let result: CommandResult
  try {
    result = await runCommand([executable, '-B', '-E', '-s', ...args], { silent: true })
  } catch (error) {
    throw new UsageError(`Could not run Python at '${executable}': ${(error as Error).message}`)
  }
  if (result.code !== 0) throw startFailure(executable, result.code, result.stderr.trim() || result.stdout)
  return result.stdout
}

function startFailure(executable: string, exitCode: number, output: string): UsageError {
  return new UsageError(`Python at '${executable}' failed to start (exit ${exitCode}): ${output.trim()}`)
}
