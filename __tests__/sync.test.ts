// The sync of an incremental cache miss must give the venv a fresh build gives. One venv (A) is built from
// the first requirements and then synced through a chain of changes; after each, a fresh venv (B) is built
// from the same requirements, and the two are compared: `pip freeze --all`, and every file but bytecode,
// byte for byte once each venv's own path is replaced by a placeholder (console-script shebangs,
// pyvenv.cfg, activate scripts), RECORD, REQUESTED, INSTALLER and direct_url.json included. Both are
// built as the action builds, with --no-compile (it compiles afterwards), so their RECORDs can be equal.
// Each step starts from a venv already shown equal to a fresh build of the step before. Real venvs, real
// wheels from the machine's local index, CPython 3.11.
import { execFile, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { SyncFailure, syncVenv, type SyncChanges } from '../src/sync.js'
import { testIf } from '../test-support/needs.js'
import { localIndexUrl, pyenvPython } from '../test-support/pythons.js'

const exec = promisify(execFile)

/** The interpreter and index, or why the tests cannot run here. */
function setting(): { python: string; indexUrl: string } | string {
  try {
    const python = pyenvPython('3.11')
    if (!fs.existsSync(python)) return `${python} is missing`
    const indexUrl = localIndexUrl(python)
    const dir = new URL(indexUrl).pathname
    if (!fs.existsSync(path.join(dir, 'zipp'))) return `the local index ${indexUrl} has no zipp`
    return { python, indexUrl }
  } catch (error) {
    return (error as Error).message
  }
}

const found = setting()
const maybe = testIf(typeof found === 'string' ? found : undefined)
const python = typeof found === 'string' ? '' : found.python
const indexUrl = typeof found === 'string' ? '' : found.indexUrl

// The machine's pip configuration adds a constraints file and find-links: kept out, as is every PIP_*.
const env: Record<string, string> = {}
for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PIP_')) env[k] = v
Object.assign(env, {
  PIP_INDEX_URL: indexUrl,
  PIP_CONFIG_FILE: os.devNull,
  PIP_NO_CACHE_DIR: '1',
  PIP_DISABLE_PIP_VERSION_CHECK: '1',
})

const SEEDED = ['setuptools==65.5.0', 'pip==23.2.1']
const TABULATE_WHEEL = 'file:///opt/pypi/files/tabulate-0.10.0-py3-none-any.whl'

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'setup-venv-sync-test-'))
// Of equal length, so that files holding their venv's path have equal sizes in both; one name, which
// the activate scripts hold as the prompt.
const venvA = path.join(work, 'a', 'venv')
const venvB = path.join(work, 'b', 'venv')
/** A fresh `python -m venv` at venvB's path, copied back for each fresh build. */
const templateB = path.join(work, 'template-b')
const siteA = path.join(venvA, 'lib', 'python3.11', 'site-packages')
let step = 0

afterAll(() => {
  if (process.env['KEEP_SYNC_TEST'] === undefined) fs.rmSync(work, { recursive: true, force: true })
  else console.warn(`kept ${work}`)
})

/** Writes the requirement file of the next step; returns its path. */
function requirements(lines: readonly string[]): string {
  const file = path.join(work, `requirements-${++step}.txt`)
  fs.writeFileSync(file, lines.map((l) => `${l}\n`).join(''))
  return file
}

fs.writeFileSync(path.join(work, 'constraints-1.txt'), 'zipp==3.23.0\n')
fs.writeFileSync(path.join(work, 'constraints-2.txt'), 'zipp==4.1.0\n')

async function pipInstall(venv: string, file: string): Promise<void> {
  await exec(path.join(venv, 'bin', 'pip'), ['install', '--quiet', '--no-compile', '-r', file], {
    env,
    cwd: work,
  })
}

async function freshB(file: string): Promise<void> {
  fs.rmSync(venvB, { recursive: true, force: true })
  execFileSync('cp', ['-a', templateB, venvB])
  await pipInstall(venvB, file)
}

function sync(file: string): Promise<SyncChanges> {
  return syncVenv({
    python: path.join(venvA, 'bin', 'python'),
    pip: [path.join(venvA, 'bin', 'pip')],
    installArgs: ['-r', file],
    seeded: SEEDED,
    cwd: work,
    env,
  })
}

/**
 * Every file and symlink of a venv, relative to it, with a hash of its content in which the venv's own path
 * reads `<venv>`; bytecode and __pycache__ left out.
 */
function snapshot(venv: string): [string, string][] {
  const out: [string, string][] = []
  const visit = (rel: string): void => {
    for (const d of fs.readdirSync(path.join(venv, rel), { withFileTypes: true })) {
      const r = path.join(rel, d.name)
      const full = path.join(venv, r)
      if (d.name === '__pycache__' || d.name.endsWith('.pyc')) continue
      if (d.isSymbolicLink()) out.push([r, `-> ${fs.readlinkSync(full).split(venv).join('<venv>')}`])
      else if (d.isDirectory()) {
        out.push([`${r}/`, 'dir'])
        visit(r)
      } else {
        const text = (d.name === 'RECORD' ? placedRecord(full, venv) : fs.readFileSync(full, 'latin1'))
          .split(venv)
          .join('<venv>')
        out.push([r, createHash('sha256').update(text, 'latin1').digest('hex')])
      }
    }
  }
  visit('')
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

/**
 * A RECORD with the hash of each file that holds its venv's path (a console script's shebang) replaced by
 * `<placed>`: such a file's hash differs between the two venvs, its size does not.
 */
function placedRecord(record: string, venv: string): string {
  const site = path.dirname(path.dirname(record))
  return fs
    .readFileSync(record, 'latin1')
    .split('\r\n')
    .map((row) => {
      const [, file, hash, size] = /^(.*),([^,]*),([^,]*)$/.exec(row) ?? []
      if (file === undefined || hash === '') return row
      const full = path.join(site, file)
      const placed = fs.existsSync(full) && fs.readFileSync(full, 'latin1').includes(venv)
      return placed ? `${file},<placed>,${size ?? ''}` : row
    })
    .join('\r\n')
}

async function freeze(venv: string): Promise<string> {
  return (await exec(path.join(venv, 'bin', 'pip'), ['freeze', '--all'], { env })).stdout
}

const NONE: SyncChanges = { installed: [], upgraded: [], downgraded: [], removed: [], reinstalled: [] }

/** Syncs A to `lines` while B is built fresh from them, then compares the two. */
async function syncAndCompare(lines: readonly string[], expected: Partial<SyncChanges>): Promise<string> {
  const file = requirements(lines)
  const [changes] = await Promise.all([sync(file), freshB(file)])
  expect(changes).toEqual({ ...NONE, ...expected })
  const [freezeA, freezeB] = await Promise.all([freeze(venvA), freeze(venvB)])
  expect(freezeA).toBe(freezeB)
  const [a, b] = [snapshot(venvA), snapshot(venvB)]
  // The differing paths first: a readable failure.
  const hashesB = new Map(b)
  const hashesA = new Map(a)
  expect(a.filter(([f, h]) => hashesB.get(f) !== h).map(([f]) => f)).toEqual([])
  expect(b.filter(([f]) => !hashesA.has(f)).map(([f]) => f)).toEqual([])
  expect(a).toEqual(b)
  // As the action leaves a venv after a build or a sync: compiled, so that the next sync removes bytecode too.
  await exec(path.join(venvA, 'bin', 'python'), ['-m', 'compileall', '-q', siteA])
  return freezeA
}

function requestedOf(venv: string, distInfo: string): boolean {
  return fs.existsSync(path.join(venv, 'lib', 'python3.11', 'site-packages', distInfo, 'REQUESTED'))
}

describe('syncVenv, CPython 3.11, real wheels', () => {
  beforeAll(async () => {
    if (typeof found === 'string') return
    const file = requirements(['tabulate==0.8.10', 'zipp==3.23.0'])
    await Promise.all([
      exec(python, ['-m', 'venv', venvA])
        .then(() => pipInstall(venvA, file))
        .then(() => exec(path.join(venvA, 'bin', 'python'), ['-m', 'compileall', '-q', siteA])),
      // Made at venvB's path, so that its files name that path, then kept aside.
      exec(python, ['-m', 'venv', venvB]).then(() => execFileSync('cp', ['-a', venvB, templateB])),
    ])
  }, 120_000)

  maybe('upgrade of one pinned package', async () => {
    const freeze = await syncAndCompare(['tabulate==0.8.10', 'zipp==4.1.0'], {
      upgraded: ['zipp 3.23.0 -> 4.1.0'],
    })
    expect(freeze).toBe('pip==23.2.1\nsetuptools==65.5.0\ntabulate==0.8.10\nzipp==4.1.0\n')
  })

  maybe('a downgrade', async () => {
    await syncAndCompare(['tabulate==0.8.10', 'zipp==3.23.0'], { downgraded: ['zipp 4.1.0 -> 3.23.0'] })
  })

  maybe('a module that became a package, with its console script (tabulate.py -> tabulate/)', async () => {
    // A's old module has bytecode (A is compiled after each step, as the action leaves a venv): both go.
    expect(fs.readdirSync(path.join(siteA, '__pycache__'))).toContain('tabulate.cpython-311.pyc')
    await syncAndCompare(['tabulate==0.10.0', 'zipp==3.23.0'], { upgraded: ['tabulate 0.8.10 -> 0.10.0'] })
    expect(fs.existsSync(path.join(siteA, 'tabulate.py'))).toBe(false)
    expect(fs.existsSync(path.join(siteA, '__pycache__', 'tabulate.cpython-311.pyc'))).toBe(false)
    expect(fs.existsSync(path.join(siteA, 'tabulate', '__init__.py'))).toBe(true)
    const shebang = fs.readFileSync(path.join(venvA, 'bin', 'tabulate'), 'utf8').split('\n')[0]
    expect(shebang).toBe(`#!${venvA}/bin/python3`)
  })

  maybe('an extra added (tabulate[widechars])', async () => {
    await syncAndCompare(['tabulate[widechars]==0.10.0', 'zipp==3.23.0'], { installed: ['wcwidth 0.9.1'] })
    expect(requestedOf(venvA, 'wcwidth-0.9.1.dist-info')).toBe(false)
  })

  maybe(
    'a new requirement, and a top-level requirement that becomes a dependency (REQUESTED goes)',
    async () => {
      expect(requestedOf(venvA, 'zipp-3.23.0.dist-info')).toBe(true)
      await syncAndCompare(
        ['-c constraints-1.txt', 'tabulate[widechars]==0.10.0', 'importlib-metadata==8.7.1'],
        {
          installed: ['importlib_metadata 8.7.1'],
        },
      )
      expect(requestedOf(venvA, 'zipp-3.23.0.dist-info')).toBe(false)
    },
  )

  maybe('a change of -c constraints only', async () => {
    await syncAndCompare(
      ['-c constraints-2.txt', 'tabulate[widechars]==0.10.0', 'importlib-metadata==8.7.1'],
      {
        upgraded: ['zipp 3.23.0 -> 4.1.0'],
      },
    )
  })

  maybe('a dependency that becomes a top-level requirement (REQUESTED comes)', async () => {
    expect(requestedOf(venvA, 'zipp-4.1.0.dist-info')).toBe(false)
    await syncAndCompare(
      ['-c constraints-2.txt', 'tabulate[widechars]==0.10.0', 'importlib-metadata==8.7.1', 'zipp'],
      {},
    )
    expect(requestedOf(venvA, 'zipp-4.1.0.dist-info')).toBe(true)
  })

  maybe('a new requirement with new dependencies', async () => {
    await syncAndCompare(
      [
        '-c constraints-2.txt',
        'tabulate[widechars]==0.10.0',
        'importlib-metadata==8.7.1',
        'zipp',
        'jaraco.functools==4.6.0',
      ],
      { installed: ['jaraco.functools 4.6.0', 'more-itertools 11.1.0'] },
    )
  })

  maybe('removal of top-level requirements whose dependencies become orphans', async () => {
    await syncAndCompare(['tabulate[widechars]==0.10.0', 'zipp'], {
      removed: ['importlib_metadata 8.7.1', 'jaraco.functools 4.6.0', 'more-itertools 11.1.0'],
    })
  })

  maybe('the same version, now from a URL (direct_url.json)', async () => {
    await syncAndCompare([`tabulate[widechars] @ ${TABULATE_WHEEL}`, 'zipp'], {
      reinstalled: ['tabulate 0.10.0'],
    })
    expect(fs.existsSync(path.join(siteA, 'tabulate-0.10.0.dist-info', 'direct_url.json'))).toBe(true)
  })

  maybe('the same version, back from the URL to the index', async () => {
    await syncAndCompare(['tabulate[widechars]==0.10.0', 'zipp'], { reinstalled: ['tabulate 0.10.0'] })
  })

  maybe('all requirements gone (an empty file): the seeded packages alone', async () => {
    const freeze = await syncAndCompare(['# nothing'], {
      removed: ['tabulate 0.10.0', 'wcwidth 0.9.1', 'zipp 4.1.0'],
    })
    expect(freeze).toBe('pip==23.2.1\nsetuptools==65.5.0\n')
  })

  maybe('from the seeded packages alone back to requirements', async () => {
    await syncAndCompare(['tabulate[widechars]==0.10.0', 'zipp==4.1.0'], {
      installed: ['tabulate 0.10.0', 'wcwidth 0.9.1', 'zipp 4.1.0'],
    })
  })

  maybe("a requirement that does not exist: SyncFailure with pip's error", async () => {
    const file = requirements(['tabulate[widechars]==0.10.0', 'zipp', 'no-such-package-here==1.0'])
    const failure = sync(file)
    await expect(failure).rejects.toThrow(SyncFailure)
    await expect(failure).rejects.toThrow(
      /^pip install --dry-run failed \(exit code 1\): ERROR: No matching distribution found for no-such-package-here==1\.0$/,
    )
  })

  maybe('a newer setuptools than the seeded one: SyncFailure, a fresh build decides', async () => {
    const file = requirements(['tabulate[widechars]==0.10.0', 'zipp', 'setuptools>=70'])
    await expect(sync(file)).rejects.toThrow(
      new SyncFailure(
        'The requirements ask for setuptools (pip would pick 84.0.0) and the venv is seeded with 65.5.0: ' +
          'a fresh build decides whether it keeps the seeded one.',
      ),
    )
  })

  maybe("the seeded setuptools asked for, and pip's settings ask to reinstall: SyncFailure", async () => {
    // ensurepip's own wheels as find-links: the index has no setuptools 65.5.0.
    const bundled = path.join(
      path.dirname(path.dirname(python)),
      'lib',
      'python3.11',
      'ensurepip',
      '_bundled',
    )
    const file = requirements(['tabulate[widechars]==0.10.0', 'zipp', 'setuptools==65.5.0', `-f ${bundled}`])
    const request = {
      python: path.join(venvA, 'bin', 'python'),
      pip: [path.join(venvA, 'bin', 'pip')] as const,
      installArgs: ['-r', file],
      seeded: SEEDED,
      cwd: work,
      env,
    }
    // A fresh build would reinstall it from the wheel named (as PIP_FORCE_REINSTALL or a config file's
    // force-reinstall makes pip do): which one, only a fresh build shows.
    await expect(syncVenv({ ...request, reinstalls: true })).rejects.toThrow(
      new SyncFailure(
        'The requirements ask for setuptools (pip would pick 65.5.0) and the venv is seeded with 65.5.0: ' +
          'a fresh build decides whether it keeps the seeded one.',
      ),
    )
  })

  maybe('a venv whose pip is not the seeded one: SyncFailure', async () => {
    const file = requirements(['tabulate[widechars]==0.10.0', 'zipp'])
    const request = {
      python: path.join(venvA, 'bin', 'python'),
      pip: [path.join(venvA, 'bin', 'pip')] as const,
    }
    await expect(
      syncVenv({
        ...request,
        installArgs: ['-r', file],
        seeded: ['setuptools==65.5.0', 'pip==99.0'],
        cwd: work,
        env,
      }),
    ).rejects.toThrow(
      new SyncFailure('The venv holds pip 23.2.1, not the seeded 99.0: a fresh build seeds it anew.'),
    )
  })

  // The last two break A on purpose.
  maybe('a file that a removed distribution takes with it and a kept one lists: SyncFailure', async () => {
    const record = path.join(siteA, 'zipp-4.1.0.dist-info', 'RECORD')
    const text = fs.readFileSync(record, 'utf8')
    const wcwidthFile = fs
      .readFileSync(path.join(siteA, 'wcwidth-0.9.1.dist-info', 'RECORD'), 'utf8')
      .split('\r\n')
      .find((row) => row.startsWith('wcwidth/__init__.py,'))
    fs.writeFileSync(record, `${text}${wcwidthFile ?? ''}\r\n`)
    try {
      await expect(sync(requirements(['tabulate==0.10.0', 'zipp']))).rejects.toThrow(
        new SyncFailure(
          `Uninstalling wcwidth removed ${siteA}/wcwidth/__init__.py, which another distribution lists.`,
        ),
      )
    } finally {
      fs.writeFileSync(record, text)
    }
  })

  maybe('a file a removed package made at run time: left by pip, so SyncFailure', async () => {
    fs.writeFileSync(path.join(siteA, 'tabulate', 'cache.json'), '{}')
    await expect(sync(requirements(['zipp']))).rejects.toThrow(
      new SyncFailure(`${siteA}/tabulate of the removed tabulate is still there.`),
    )
  })
})
