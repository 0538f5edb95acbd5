import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { lacksPython, testIf } from '../test-support/needs.js'
import { pyenvPython } from '../test-support/pythons.js'
import { buildIndex, buildWheel, crc32, normalizeName, type BuiltWheel } from '../test-support/wheels.js'

const execFileP = promisify(execFile)

let tmp: string
let dep09: BuiltWheel
let dep10: BuiltWheel
let app: BuiltWheel
let indexUrl: string

// pip must see only our index: no config files (the machine's pip.conf adds a mirror and
// find-links), no inherited PIP_* variables (PIP_FIND_LINKS=/opt/wheels), no cache.
function pipEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIP_')))
  return {
    ...env,
    PIP_INDEX_URL: indexUrl,
    PIP_CONFIG_FILE: '/dev/null',
    PIP_FIND_LINKS: '',
    PIP_NO_CACHE_DIR: '1',
    PIP_DISABLE_PIP_VERSION_CHECK: '1',
  }
}

async function run(cmd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { env: pipEnv(), encoding: 'utf8' })
    return stdout
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string }
    throw new Error(`${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`)
  }
}

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'wheels-test-'))
  const wheels = path.join(tmp, 'wheels')
  const depCode = (v: number) => `def value():\n    return ${v}\n`
  dep09 = buildWheel(wheels, { name: 'Tiny.Dep-Core', version: '0.9.0', code: depCode(9) })
  dep10 = buildWheel(wheels, { name: 'Tiny.Dep-Core', version: '1.0.0', code: depCode(10) })
  app = buildWheel(wheels, {
    name: 'tiny-app',
    version: '0.2.0',
    // Spelled differently from the dependency's own name, and excluding its newest version, so
    // pip has to normalise the name and pick from the index page rather than take the latest.
    requires: ['tiny_dep.core>=0.5,<1'],
    consoleScripts: { 'tiny-app': 'tiny_app:main' },
    code: 'import tiny_dep_core\n\n\ndef main():\n    print("tiny-app says", tiny_dep_core.value())\n',
  })
  indexUrl = buildIndex(path.join(tmp, 'index'), [dep09, dep10, app])
})

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true })
})

describe('buildWheel', () => {
  test('names the file and dist-info with the escaped, lower-cased project name', () => {
    expect(dep10.filename).toBe('tiny_dep_core-1.0.0-py3-none-any.whl')
    expect(app.filename).toBe('tiny_app-0.2.0-py3-none-any.whl')
    expect(normalizeName('Tiny.Dep-Core')).toBe('tiny-dep-core')
  })

  testIf(lacksPython('3.11'))(
    'is a valid zip whose RECORD hashes and sizes match, checked by Python itself',
    async () => {
      // An independent reader (CPython's zipfile, which checks every CRC) re-derives each RECORD line.
      const check = String.raw`
import base64, csv, hashlib, io, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = set(z.namelist())
rec = [n for n in names if n.endswith('.dist-info/RECORD')][0]
rows = list(csv.reader(io.StringIO(z.read(rec).decode())))
assert {r[0] for r in rows} == names, (rows, names)
for path, digest, size in rows:
    if path == rec:
        assert digest == '' and size == ''
        continue
    data = z.read(path)
    want = 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()
    assert digest == want and int(size) == len(data), path
print(sorted(names))
`
      const out = await run(pyenvPython('3.11'), ['-c', check, app.path])
      expect(out).toContain('tiny_app/__init__.py')
      expect(out).toContain('tiny_app-0.2.0.dist-info/entry_points.txt')
      expect(out).toContain('tiny_app-0.2.0.dist-info/METADATA')
      expect(out).toContain('tiny_app-0.2.0.dist-info/WHEEL')
    },
  )

  test('is byte-for-byte reproducible', () => {
    const again = buildWheel(path.join(tmp, 'again'), {
      name: 'Tiny.Dep-Core',
      version: '1.0.0',
      code: 'def value():\n    return 10\n',
    })
    expect(again.sha256).toBe(dep10.sha256)
  })

  test('computes the standard CRC-32', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926)
  })
})

describe('buildIndex', () => {
  test('lays out a PEP 503 tree with sha256 fragments and returns its file:// URL', () => {
    expect(indexUrl).toMatch(/^file:\/\/\/.*\/simple\/$/)
    const simple = fileURLToPath(indexUrl)
    const root = readFileSync(path.join(simple, 'index.html'), 'utf8')
    expect(root).toContain('<a href="tiny-app/">tiny-app</a>')
    expect(root).toContain('<a href="tiny-dep-core/">tiny-dep-core</a>')
    const page = readFileSync(path.join(simple, 'tiny-dep-core', 'index.html'), 'utf8')
    expect(page).toContain(`href="${dep09.filename}#sha256=${dep09.sha256}"`)
    expect(page).toContain(`href="${dep10.filename}#sha256=${dep10.sha256}"`)
    expect(existsSync(path.join(simple, 'tiny-dep-core', dep10.filename))).toBe(true)
  })
})

describe.each(['3.11', '3.8'])('pip install from the index with CPython %s', (version) => {
  const maybe = testIf(lacksPython(version))
  let venv: string
  let bin: (name: string) => string

  // Runs only when a test of this block does: jest skips the hooks of a block whose tests are all skipped.
  beforeAll(async () => {
    venv = mkdtempSync(path.join(tmp, 'venv-'))
    bin = (name) => path.join(venv, 'bin', name)
    await run(pyenvPython(version), ['-m', 'venv', venv])
  })

  maybe('installs the app and resolves its dependency from the index', async () => {
    const report = path.join(venv, 'report.json')
    const log = await run(bin('python'), ['-m', 'pip', 'install', '--report', report, 'tiny-app'])
    // Hermetic: our index is the only source pip consulted (no mirror, no /opt/wheels find-links).
    expect(log).toContain(`Looking in indexes: ${indexUrl}\n`)
    expect(log).not.toMatch(/Looking in links|\/opt\//)
    const installed = (
      JSON.parse(readFileSync(report, 'utf8')) as {
        install: { metadata: { name: string; version: string }; download_info: { url: string } }[]
      }
    ).install.map((i) => [i.metadata.name, i.metadata.version, i.download_info.url])
    expect(installed.sort()).toEqual([
      ['Tiny.Dep-Core', '0.9.0', `${indexUrl}tiny-dep-core/${dep09.filename}`],
      ['tiny-app', '0.2.0', `${indexUrl}tiny-app/${app.filename}`],
    ])
    const list = JSON.parse(await run(bin('python'), ['-m', 'pip', 'list', '--format=json'])) as {
      name: string
      version: string
    }[]
    expect(list).toEqual(
      expect.arrayContaining([
        { name: 'tiny-app', version: '0.2.0' },
        { name: 'Tiny.Dep-Core', version: '0.9.0' },
      ]),
    )
  })

  maybe('puts a working console script in venv/bin', async () => {
    expect(existsSync(bin('tiny-app'))).toBe(true)
    expect(await run(bin('tiny-app'), [])).toBe('tiny-app says 9\n')
  })

  maybe('passes pip check', async () => {
    expect(await run(bin('python'), ['-m', 'pip', 'check'])).toMatch(/No broken requirements found/)
  })
})
