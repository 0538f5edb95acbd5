// Byte-compiling the venv as pip would after an install, but on every core and partly while pip runs:
// the seeded pip and setuptools (~800 files, 2 s of one core) are compiled while pip installs the
// requirements, and what pip installed afterwards.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as core from '@actions/core'
import { runChecked } from './command.js'
import { removeEmptyDirs, walk, type TreeEntry } from './files.js'
import type { Plan } from './plan.js'

/**
 * Compiles the files named on stdin (UTF-8, one per line) as pip does after an install: same call
 * (compileall.compile_file), same interpreter and invalidation mode, errors in unimportable files ignored.
 * The action runs one of these per core over its share of the files: no per-file traffic between
 * processes, and nothing to pickle (which a pool in a `-c` script cannot do on Windows).
 */
const COMPILE_SCRIPT = `
import compileall, sys
for path in sys.stdin.buffer.read().decode('utf-8').splitlines():
    compileall.compile_file(path, quiet=2)
`

/** The compiling of what site-packages held before pip installed (the seeded packages). */
export interface EarlyCompile {
  readonly sources: ReadonlySet<string>
  /** Size and mtime of each installed package's RECORD when the sources were listed. */
  readonly records: ReadonlyMap<string, string>
  /** False when a compile process failed: its files are compiled again at the end. */
  readonly done: Promise<boolean>
}

/**
 * Starts compiling what site-packages holds now (the seeded packages); to be called before pip starts.
 * pip writes a package's RECORD after its files and removes it first when it uninstalls, so a RECORD
 * unchanged from now to the end means that package's files were not touched meanwhile.
 */
export async function compileEarly(plan: Plan): Promise<EarlyCompile> {
  const entries = await walk(plan.venvDir)
  const sources = entries.filter(isSource).map(({ full }) => full)
  const recordFiles = entries
    .filter(({ rel, dirent }) => dirent.isFile() && inSitePackages(rel) && isRecord(rel))
    .map(({ full }) => full)
  const records = new Map(
    await Promise.all(recordFiles.map(async (file) => [file, await fileStamp(file)] as const)),
  )
  const done = compileFiles(plan, sources).then(
    () => true,
    () => false,
  )
  return { sources: new Set(sources), records, done }
}

/**
 * Compiles every installed source not compiled yet. When pip replaced a seeded package while it was being
 * compiled (requirements that upgrade pip or setuptools), the early bytecode may belong to the files pip
 * removed, or sit in directories pip removed: it is all taken away and everything compiled afresh.
 */
export async function compileRest(plan: Plan, early?: EarlyCompile): Promise<void> {
  const sources = await installedSources(plan)
  if (early === undefined) return compileFiles(plan, sources)
  if (await anyChanged(early.records)) {
    core.info('pip replaced the seeded packages while they were compiled: compiling everything afresh.')
    await early.done
    await removeBytecode(plan)
    return compileFiles(plan, sources)
  }
  const rest = sources.filter((file) => !early.sources.has(file))
  const [earlyOk] = await Promise.all([early.done, compileFiles(plan, rest)])
  if (!earlyOk) await compileFiles(plan, [...early.sources])
}

function isRecord(rel: string): boolean {
  return path.basename(rel) === 'RECORD' && path.basename(path.dirname(rel)).endsWith('.dist-info')
}

/** The Python sources pip would compile: every .py file under the venv's site-packages directories. */
async function installedSources(plan: Plan): Promise<string[]> {
  return (await walk(plan.venvDir)).filter(isSource).map(({ full }) => full)
}

function isSource({ rel, dirent }: TreeEntry): boolean {
  return dirent.isFile() && rel.endsWith('.py') && inSitePackages(rel)
}

function inSitePackages(rel: string): boolean {
  return rel.split(path.sep).includes('site-packages')
}

/** The Python sources in `dir` and below, e.g. a package just unpacked. */
export async function packageSources(dir: string): Promise<string[]> {
  return (await walk(dir))
    .filter(({ rel, dirent }) => dirent.isFile() && rel.endsWith('.py'))
    .map(({ full }) => full)
}

/** One compile process per core, each given an equal share; files already up to date are skipped. */
export async function compileFiles(plan: Plan, sources: readonly string[]): Promise<void> {
  const workers = Math.min(os.availableParallelism(), sources.length)
  const shares = Array.from({ length: workers }, (_, i) => sources.filter((_, j) => j % workers === i))
  await Promise.all(
    shares.map((share) =>
      runChecked([plan.layout.python, '-c', COMPILE_SCRIPT], {
        input: Buffer.from(share.join('\n')),
        silent: true,
      }),
    ),
  )
}

async function fileStamp(file: string): Promise<string> {
  try {
    const stat = await fs.promises.stat(file)
    return `${stat.size} ${stat.mtimeMs}`
  } catch {
    return 'missing'
  }
}

async function anyChanged(stamps: ReadonlyMap<string, string>): Promise<boolean> {
  const now = await Promise.all([...stamps].map(async ([file, stamp]) => (await fileStamp(file)) !== stamp))
  return now.includes(true)
}

/**
 * Removes every __pycache__ directory in site-packages, then the directories left empty (a compile
 * process recreates a removed package's directory to hold its bytecode; pip never leaves one empty).
 */
async function removeBytecode(plan: Plan): Promise<void> {
  const dirs = (await walk(plan.venvDir))
    .filter(({ rel, dirent }) => dirent.isDirectory() && inSitePackages(path.dirname(rel)))
    .map(({ rel, full }) => ({ rel, full }))
  for (const { full } of dirs.filter(({ rel }) => path.basename(rel) === '__pycache__')) {
    await fs.promises.rm(full, { recursive: true, force: true })
  }
  await removeEmptyDirs(dirs.map(({ full }) => full))
}
