// Every difference between runner operating systems lives here, as pure functions of an `Os` value, so
// that the rest of the action never asks which OS it runs on and tests can pin Windows and macOS answers
// on a Linux machine with path.win32 / path.posix.
import * as path from 'node:path'

export type Os = 'linux' | 'darwin' | 'win32'

export interface Layout {
  /** Directory that goes on PATH: `bin` on POSIX, `Scripts` on Windows. */
  readonly binDir: string
  /** The venv's own interpreter. */
  readonly python: string
  /** The file that marks a directory as a venv (PEP 405). */
  readonly pyvenvCfg: string
}

export function toOs(platform: NodeJS.Platform): Os {
  if (platform === 'win32' || platform === 'darwin') return platform
  return 'linux'
}

export function pathFor(os: Os): path.PlatformPath {
  return os === 'win32' ? path.win32 : path.posix
}

/** The layout `python -m venv` produces on this OS. */
export function venvLayout(os: Os, venvDir: string): Layout {
  const p = pathFor(os)
  const binDir = p.join(venvDir, os === 'win32' ? 'Scripts' : 'bin')
  return {
    binDir,
    python: p.join(binDir, os === 'win32' ? 'python.exe' : 'python'),
    pyvenvCfg: p.join(venvDir, 'pyvenv.cfg'),
  }
}

/** Commands tried, in order, when the `python` input is empty. Windows installs have no `python3`. */
export function defaultPythonCommands(os: Os): readonly string[] {
  return os === 'win32' ? ['python'] : ['python3', 'python']
}

/** A path in one canonical spelling for keys: Windows paths are case-insensitive, so `C:\` and `c:\` are one. */
export function canonicalPath(os: Os, p: string): string {
  const resolved = pathFor(os).resolve(p)
  return os === 'win32' ? resolved.toLowerCase() : resolved
}

/** Whether a user-given `python` is a path (to check on disk) rather than a command (to look up on PATH). */
export function looksLikePath(os: Os, value: string): boolean {
  return value.includes('/') || (os === 'win32' && (value.includes('\\') || /^[A-Za-z]:/.test(value)))
}

/** The interpreter's arch in the runner's vocabulary: what Python runs as, which Rosetta or WOW64 can hide. */
export function archOf(machine: string, bits: number): string {
  const m = machine.toLowerCase()
  if (m === 'x86_64' || m === 'amd64' || m === 'x64') return bits === 32 ? 'x86' : 'x64'
  if (m === 'aarch64' || m === 'arm64') return 'arm64'
  if (/^i[3-6]86$/.test(m) || m === 'x86') return 'x86'
  return m === '' ? 'unknown' : m
}

export interface ImageFacts {
  readonly env: Readonly<Record<string, string | undefined>>
  /** Contents of /etc/os-release, when readable (Linux). */
  readonly osRelease?: string | undefined
  /** os.release(): the kernel version, the last resort on macOS and Windows outside hosted runners. */
  readonly kernelRelease: string
}

/**
 * The identity of the runner image. Hosted runners name it in ImageOS/ImageVersion (an image update can
 * change system libraries that compiled wheels link against); elsewhere the OS release stands in.
 */
export function imageIdentity(os: Os, facts: ImageFacts): string {
  const imageOs = facts.env['ImageOS']
  const imageVersion = facts.env['ImageVersion']
  if (imageOs && imageVersion) return `${imageOs}-${imageVersion}`
  if (os === 'linux' && facts.osRelease !== undefined) {
    const fields = parseOsRelease(facts.osRelease)
    const id = fields.get('ID') ?? 'linux'
    return `${id}${fields.get('VERSION_ID') ?? ''}`
  }
  return `${os}${facts.kernelRelease}`
}

function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>()
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (match?.[1] !== undefined && match[2] !== undefined)
      fields.set(match[1], match[2].replace(/^"|"$/g, ''))
  }
  return fields
}

/**
 * pip's configuration files, lowest priority first, as pip reads them (global, then user). The venv's own
 * site file is not listed: a venv we create has none.
 */
export function pipConfigFiles(
  os: Os,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): readonly string[] {
  const p = pathFor(os)
  if (os === 'win32') {
    const programData = env['ProgramData'] ?? 'C:\\ProgramData'
    const appData = env['APPDATA'] ?? p.join(home, 'AppData', 'Roaming')
    return [
      p.join(programData, 'pip', 'pip.ini'),
      p.join(home, 'pip', 'pip.ini'),
      p.join(appData, 'pip', 'pip.ini'),
    ]
  }
  const xdgDirs = (env['XDG_CONFIG_DIRS'] || '/etc/xdg').split(':').filter((d) => d !== '')
  const globals = [...xdgDirs.map((d) => p.join(d, 'pip', 'pip.conf')), '/etc/pip.conf']
  if (os === 'darwin') globals.unshift('/Library/Application Support/pip/pip.conf')
  const xdgHome = env['XDG_CONFIG_HOME'] || p.join(home, '.config')
  const users = [p.join(home, '.pip', 'pip.conf'), p.join(xdgHome, 'pip', 'pip.conf')]
  if (os === 'darwin') users.push(p.join(home, 'Library', 'Application Support', 'pip', 'pip.conf'))
  return [...globals, ...users]
}
