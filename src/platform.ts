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
  /**
   * The venv's interpreter under the base interpreter's own name (bin/python3, bin/python3.12, ...):
   * ensurepip runs pip by that name, so console scripts pip writes carry it in their shebang.
   */
  readonly pipPython: string
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

/** The layout `python -m venv` produces on this OS from the base interpreter `baseExecutable`. */
export function venvLayout(os: Os, venvDir: string, baseExecutable: string): Layout {
  const p = pathFor(os)
  const binDir = p.join(venvDir, os === 'win32' ? 'Scripts' : 'bin')
  return {
    binDir,
    python: p.join(binDir, os === 'win32' ? 'python.exe' : 'python'),
    pipPython: p.join(binDir, p.basename(baseExecutable)),
    pyvenvCfg: p.join(venvDir, 'pyvenv.cfg'),
  }
}

/** Commands tried, in order, when the `python` input is empty. Windows installs have no `python3`. */
export function defaultPythonCommands(os: Os): readonly string[] {
  return os === 'win32' ? ['python'] : ['python3', 'python']
}

/**
 * A path in one canonical spelling for keys. Pure: it normalizes (`.`/`..`, `/` to `\` on Windows, no
 * trailing separator) but never resolves against the process's working directory, which on a Linux machine
 * driving Windows paths would leak a POSIX directory into a Windows key. Windows file systems ignore case,
 * so `C:\` and `c:\` are one key; macOS keeps case because APFS can be case-sensitive, and a spelling
 * that differs only in case then costs at most one extra miss, never a venv restored to the wrong place.
 */
export function canonicalPath(os: Os, p: string): string {
  const paths = pathFor(os)
  let normalized = paths.normalize(p)
  const root = paths.parse(normalized).root
  while (normalized.length > root.length && normalized.endsWith(paths.sep))
    normalized = normalized.slice(0, -1)
  return os === 'win32' ? normalized.toLowerCase() : normalized
}

/**
 * A Windows path like `C:venv`: relative to drive C:'s own current directory, which the action cannot know
 * (and which a Linux machine resolving Windows paths would fill with its own working directory).
 */
export function isDriveRelative(os: Os, p: string): boolean {
  return os === 'win32' && /^[A-Za-z]:(?![\\/])/.test(p)
}

/** PATH's separator: `;` on Windows (where `:` follows every drive letter), `:` elsewhere. */
export function pathDelimiter(os: Os): string {
  return pathFor(os).delimiter
}

/**
 * A variable from a copy of the environment. Windows variable names ignore case (`Path` is how Windows
 * spells PATH) but a copied object's keys do not, so there the first name matching in any case wins.
 */
export function envVar(
  os: Os,
  env: Readonly<Record<string, string | undefined>>,
  name: string,
): string | undefined {
  if (os !== 'win32' || env[name] !== undefined) return env[name]
  const upper = name.toUpperCase()
  const match = Object.keys(env).find((k) => k.toUpperCase() === upper)
  return match === undefined ? undefined : env[match]
}

/**
 * The directories PATH names, in order. Empty entries are dropped: on POSIX they mean the working
 * directory, where no interpreter should be picked up by accident. Windows entries may be quoted.
 */
export function pathEntries(os: Os, pathValue: string | undefined): string[] {
  return (pathValue ?? '')
    .split(pathDelimiter(os))
    .map((entry) => (os === 'win32' ? entry.replace(/^"(.*)"$/, '$1') : entry))
    .filter((entry) => entry !== '')
}

/** Whether a file must have an execute permission bit to run: Windows has none and goes by extension. */
export function usesExecuteBit(os: Os): boolean {
  return os !== 'win32'
}

/** The file a command is on disk: Windows runs `python` from `python.exe`. */
export function executableFile(os: Os, command: string): string {
  return os === 'win32' && !/\.exe$/i.test(command) ? `${command}.exe` : command
}

/**
 * Commands on PATH that may be a Python of the requested version (`[3, 12]` or `[3, 12, 7]` or `[3]`).
 * POSIX installs name them `python3.12` and `python3`; Windows installs have only `python.exe` (the `py`
 * launcher picks by its own rules and is not used), so there every `python` on PATH is a candidate.
 */
export function versionCommands(os: Os, version: readonly number[]): string[] {
  if (os === 'win32') return ['python']
  const [major, minor] = version
  return [minor === undefined ? `python${String(major)}` : `python${String(major)}.${String(minor)}`]
}

/**
 * The runner's arch as the tool cache names it: RUNNER_ARCH (X86, X64, ARM, ARM64) in lower case, else
 * Node's arch of this process (ia32 is the tool cache's x86).
 */
export function toolCacheArch(runnerArch: string | undefined, nodeArch: string): string {
  if (runnerArch) return runnerArch.toLowerCase()
  return nodeArch === 'ia32' ? 'x86' : nodeArch
}

/** One Python in the runner's tool cache, as actions/setup-python (actions/python-versions) lays it out. */
export interface ToolCachePython {
  /** `<tool cache>/Python/<version>`: the version directory, named by the full version, e.g. 3.12.7 */
  readonly versionDir: string
  /** `<version dir>/<arch>`: the installation */
  readonly installDir: string
  /** The interpreter: `bin/python3` on POSIX, `python.exe` at the top of the installation on Windows. */
  readonly python: string
  /** `<version dir>/<arch>.complete`, written last by the installer: without it the install is unfinished. */
  readonly marker: string
}

/** The directory that holds one subdirectory per installed CPython version. */
export function toolCachePythonRoot(os: Os, toolCache: string): string {
  return pathFor(os).join(toolCache, 'Python')
}

export function toolCachePython(os: Os, toolCache: string, version: string, arch: string): ToolCachePython {
  const p = pathFor(os)
  const versionDir = p.join(toolCachePythonRoot(os, toolCache), version)
  const installDir = p.join(versionDir, arch)
  return {
    versionDir,
    installDir,
    python: os === 'win32' ? p.join(installDir, 'python.exe') : p.join(installDir, 'bin', 'python3'),
    marker: p.join(versionDir, `${arch}.complete`),
  }
}

/** What to tell a user whose interpreter cannot create venvs: the fix depends on where Python came from. */
export function missingVenvHint(os: Os, major: number, minor: number): string {
  if (os === 'linux') {
    return `On Debian or Ubuntu install it with 'sudo apt-get install python${String(major)}.${String(minor)}-venv', or use actions/setup-python.`
  }
  return 'Use an interpreter from actions/setup-python or the python.org installer, which include both modules.'
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
  const imageOs = envVar(os, facts.env, 'ImageOS')
  const imageVersion = envVar(os, facts.env, 'ImageVersion')
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
    const programData = envVar(os, env, 'ProgramData') ?? 'C:\\ProgramData'
    const appData = envVar(os, env, 'APPDATA') ?? p.join(home, 'AppData', 'Roaming')
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
