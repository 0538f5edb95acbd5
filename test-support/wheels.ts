// Builds tiny pure-Python wheels and a PEP 503 "simple" index on disk, so tests can pip install
// real packages with no network.
//
// The zip is written here in Node (deflateRaw + CRC32 + the three zip record types) rather than by
// a python3 one-liner: building then needs no interpreter (tests may want wheels before any Python
// is chosen), and with a fixed timestamp the bytes are deterministic, so a wheel's sha256 is stable
// from run to run, which cache-key tests can rely on. Zip64, encryption and data descriptors are not
// needed for files this small and are not written.
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { deflateRawSync } from 'node:zlib'

export interface WheelSpec {
  /** Project name as written in METADATA, e.g. "Tiny.Dep-Core". */
  name: string
  version: string
  /** Import name of the top-level package; default the name lower-cased with runs of -_. as _. */
  module?: string
  /** Contents of <module>/__init__.py; default defines __version__ and a main() printing "<name> <version>". */
  code?: string
  /** console_scripts: script name -> "module:function". */
  consoleScripts?: Record<string, string>
  /** Requires-Dist lines, e.g. ["tiny-dep>=1.0"]. */
  requires?: string[]
  requiresPython?: string
  /** Extras: name -> requirements (written as Provides-Extra and `; extra == "name"` Requires-Dist lines). */
  extras?: Record<string, string[]>
  /**
   * The files at the wheel's root instead of `<module>/__init__.py`: relative path -> content (a single
   * module `x.py`, a package, a `.pth` file).
   */
  files?: Record<string, string>
}

export interface BuiltWheel {
  path: string
  filename: string
  name: string
  version: string
  /** Hex sha256 of the .whl file. */
  sha256: string
}

/** PEP 503 normalised project name: the index directory name. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase()
}

/** Name as escaped in wheel file names and the .dist-info directory. */
function wheelDistName(name: string): string {
  return name.replace(/[-_.]+/g, '_').toLowerCase()
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

export function crc32(buf: Uint8Array): number {
  let c = 0xffffffff
  for (const byte of buf) c = (CRC_TABLE[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

// 1980-01-01 00:00:00, the earliest DOS date: a fixed stamp keeps the archive reproducible.
const DOS_TIME = 0
const DOS_DATE = (0 << 9) | (1 << 5) | 1

/** A zip of regular files (deflated, UTF-8 names, mode 0644). */
export function zipFiles(files: readonly (readonly [string, Buffer])[]): Buffer {
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const [name, data] of files) {
    const nameBuf = Buffer.from(name, 'utf8')
    const deflated = deflateRawSync(data)
    const crc = crc32(data)
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6) // flags: names are UTF-8
    local.writeUInt16LE(8, 8) // method: deflate
    local.writeUInt16LE(DOS_TIME, 10)
    local.writeUInt16LE(DOS_DATE, 12)
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(deflated.length, 18)
    local.writeUInt32LE(data.length, 22)
    local.writeUInt16LE(nameBuf.length, 26)
    local.writeUInt16LE(0, 28) // extra length
    locals.push(local, nameBuf, deflated)

    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE((3 << 8) | 20, 4) // made by: Unix, so the external attributes are a mode
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(8, 10)
    central.writeUInt16LE(DOS_TIME, 12)
    central.writeUInt16LE(DOS_DATE, 14)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(deflated.length, 20)
    central.writeUInt32LE(data.length, 24)
    central.writeUInt16LE(nameBuf.length, 28)
    // extra length, comment length, disk number, internal attributes: all 0 (already zeroed)
    central.writeUInt32LE((0o100644 << 16) >>> 0, 38)
    central.writeUInt32LE(offset, 42)
    centrals.push(central, nameBuf)
    offset += local.length + nameBuf.length + deflated.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}

/** RECORD hash format: sha256=<urlsafe base64, no padding>. */
function recordHash(data: Buffer): string {
  return `sha256=${createHash('sha256').update(data).digest('base64url')}`
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Writes <dist>-<version>-py3-none-any.whl into dir and returns where it is and its sha256. */
export function buildWheel(dir: string, spec: WheelSpec): BuiltWheel {
  const dist = wheelDistName(spec.name)
  const mod = spec.module ?? dist
  const distInfo = `${dist}-${spec.version}.dist-info`
  const code =
    spec.code ??
    `__version__ = ${JSON.stringify(spec.version)}\n\n\ndef main():\n    print(${JSON.stringify(`${spec.name} ${spec.version}`)})\n`

  const metadata = [
    'Metadata-Version: 2.1',
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    'Summary: A tiny test package built by test-support/wheels.ts',
    ...(spec.requiresPython ? [`Requires-Python: ${spec.requiresPython}`] : []),
    ...(spec.requires ?? []).map((r) => `Requires-Dist: ${r}`),
    ...Object.entries(spec.extras ?? {}).flatMap(([extra, reqs]) => [
      `Provides-Extra: ${extra}`,
      ...reqs.map((r) => `Requires-Dist: ${r}; extra == "${extra}"`),
    ]),
    '',
    '',
  ].join('\n')
  const wheelMeta = [
    'Wheel-Version: 1.0',
    'Generator: setup-venv test-support',
    'Root-Is-Purelib: true',
    'Tag: py3-none-any',
    '',
  ].join('\n')

  const own: [string, Buffer][] =
    spec.files === undefined
      ? [[`${mod}/__init__.py`, Buffer.from(code)]]
      : Object.entries(spec.files).map(([name, text]) => [name, Buffer.from(text)])
  const files: [string, Buffer][] = [
    ...own,
    [`${distInfo}/METADATA`, Buffer.from(metadata)],
    [`${distInfo}/WHEEL`, Buffer.from(wheelMeta)],
  ]
  const scripts = Object.entries(spec.consoleScripts ?? {})
  if (scripts.length > 0) {
    const eps = ['[console_scripts]', ...scripts.map(([n, target]) => `${n} = ${target}`), ''].join('\n')
    files.push([`${distInfo}/entry_points.txt`, Buffer.from(eps)])
  }
  // RECORD lists every file with its hash and size, and itself with neither.
  const record = [
    ...files.map(([n, data]) => [n, recordHash(data), String(data.length)].map(csvField).join(',')),
    `${csvField(`${distInfo}/RECORD`)},,`,
    '',
  ].join('\n')
  files.push([`${distInfo}/RECORD`, Buffer.from(record)])

  const filename = `${dist}-${spec.version}-py3-none-any.whl`
  const zip = zipFiles(files)
  mkdirSync(dir, { recursive: true })
  const wheelPath = path.join(dir, filename)
  writeFileSync(wheelPath, zip)
  return {
    path: wheelPath,
    filename,
    name: spec.name,
    version: spec.version,
    sha256: createHash('sha256').update(zip).digest('hex'),
  }
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function page(title: string, links: readonly (readonly [string, string])[]): string {
  const body = links.map(([href, text]) => `    <a href="${escapeHtml(href)}">${escapeHtml(text)}</a><br/>`)
  return [
    '<!DOCTYPE html>',
    '<html>',
    '  <head>',
    '    <meta name="pypi:repository-version" content="1.0">',
    `    <title>${escapeHtml(title)}</title>`,
    '  </head>',
    '  <body>',
    ...body,
    '  </body>',
    '</html>',
    '',
  ].join('\n')
}

/**
 * Lays out dir/simple/index.html and dir/simple/<normalized-name>/index.html (the wheels copied
 * next to it, links carrying #sha256= so pip verifies them) and returns the file:// URL of simple/,
 * with the trailing slash pip needs to resolve project pages under it.
 */
export function buildIndex(dir: string, wheels: readonly BuiltWheel[]): string {
  const simple = path.join(dir, 'simple')
  const byProject = new Map<string, BuiltWheel[]>()
  for (const w of wheels) {
    const key = normalizeName(w.name)
    byProject.set(key, [...(byProject.get(key) ?? []), w])
  }
  for (const [project, list] of byProject) {
    const projectDir = path.join(simple, project)
    mkdirSync(projectDir, { recursive: true })
    for (const w of list) copyFileSync(w.path, path.join(projectDir, w.filename))
    const links = list.map((w) => [`${w.filename}#sha256=${w.sha256}`, w.filename] as const)
    writeFileSync(path.join(projectDir, 'index.html'), page(`Links for ${project}`, links))
  }
  mkdirSync(simple, { recursive: true })
  const projects = [...byProject.keys()].sort().map((p) => [`${p}/`, p] as const)
  writeFileSync(path.join(simple, 'index.html'), page('Simple index', projects))
  const url = pathToFileURL(simple).href
  return url.endsWith('/') ? url : `${url}/`
}

/**
 * A wheel of another PEP 503 index on this machine (a file:// URL), as buildIndex takes it: the newest one
 * its page for `project` links, so that a test index can hold a real build backend or pip and the test can
 * then take every index it uses out of reach.
 */
export function wheelFromIndex(indexUrl: string, project: string): BuiltWheel {
  const page = new URL(
    `${normalizeName(project)}/index.html`,
    indexUrl.endsWith('/') ? indexUrl : `${indexUrl}/`,
  )
  const hrefs = [...readFileSync(page, 'utf8').matchAll(/href="([^"#]+\.whl)[^"]*"/g)].map((m) => m[1] ?? '')
  const href = hrefs.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).pop()
  if (href === undefined) throw new Error(`no wheel of ${project} in ${page.href}`)
  const file = fileURLToPath(new URL(href, page))
  const filename = path.basename(file)
  const [, version = ''] = filename.split('-')
  return {
    path: file,
    filename,
    name: project,
    version,
    sha256: createHash('sha256').update(readFileSync(file)).digest('hex'),
  }
}
