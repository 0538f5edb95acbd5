// Runs an interpreter once with a script that prints its facts as JSON. The script keeps to syntax that
// Python 2.7 and 3.x both parse, so that a too-old interpreter is reported by version, not by a SyntaxError.
import * as exec from '@actions/exec'
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
  /** `import venv` works */
  readonly hasVenv: boolean
  /** the pip version ensurepip would put in a new venv; null when ensurepip is missing */
  readonly ensurepip: string | null
}

const SCRIPT = `
import json, os, platform, sys
def has(name):
    try:
        __import__(name)
        return True
    except Exception:
        return False
try:
    import ensurepip
    pip = ensurepip.version()
except Exception:
    pip = None
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
}))
`

/**
 * `kind` says what runs: a base interpreter is probed without its `site` module (-S), which can cost a
 * hundred milliseconds of .pth imports and tells nothing the probe needs; a venv's interpreter needs `site`
 * before Python 3.11 to set sys.prefix from pyvenv.cfg.
 */
export async function probePython(executable: string, kind: 'base' | 'venv'): Promise<PythonFacts> {
  // -E -s: no PYTHON* variables and no user site, so the environment cannot change what the probe reports.
  // -B: no bytecode written, so probing a venv never changes the files its manifest covers.
  // (Not -I, which Python 2 rejects before it could tell us its version.)
  const args = ['-B', '-E', '-s', ...(kind === 'base' ? ['-S'] : []), '-c', SCRIPT]
  let result: exec.ExecOutput
  try {
    result = await exec.getExecOutput(executable, args, { silent: true, ignoreReturnCode: true })
  } catch (error) {
    throw new UsageError(`Could not run Python at '${executable}': ${(error as Error).message}`)
  }
  const line = result.stdout.trim().split('\n').pop() ?? ''
  if (result.exitCode !== 0 || !line.startsWith('{')) {
    throw new UsageError(
      `Python at '${executable}' failed to start (exit ${result.exitCode}): ${result.stderr.trim() || result.stdout.trim()}`,
    )
  }
  return JSON.parse(line) as PythonFacts
}
