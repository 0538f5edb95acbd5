import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { writeFile } from '../../test-support/fixtures.js'
import { UsageError } from '../../src/errors.js'
import type { PipSetting } from '../../src/pipconfig.js'
import { findDependencies, type SourceContext, type SourceInputs } from '../../src/sources.js'

let ws: string
let copyDir: string
const write = (rel: string, text: string): string => writeFile(ws, rel, text)
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')
/** readRequirementFiles' hash of files given as [path relative to ws, content], sorted by path. */
const filesHash = (...files: [string, string][]) =>
  sha256(
    [...files]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([p, text]) => `${p}\0${sha256(text)}\n`)
      .join(''),
  )

const INPUTS: SourceInputs = {
  requirements: undefined,
  extras: [],
  groups: [],
  installProject: 'auto',
  packages: [],
  pipArgs: [],
}
function find(inputs: Partial<SourceInputs> = {}, pipSettings: PipSetting[] = []) {
  const ctx: SourceContext = { baseDir: ws, workspace: ws, pipSettings, copyDir }
  return findDependencies({ ...INPUTS, ...inputs }, ctx)
}
/** A 'file' setting of pip as PIP_<NAME> gives it. */
function envFileSetting(name: string, value: string): PipSetting {
  return {
    source: `env PIP_${name.toUpperCase().replace(/-/g, '_')}`,
    origin: 'env',
    name,
    value,
    category: 'file',
  }
}

async function keyOf(inputs: Partial<SourceInputs> = {}, pipSettings: PipSetting[] = []) {
  return JSON.parse((await find(inputs, pipSettings)).keyText) as Record<string, unknown>
}

const PROJECT = `
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "lp"
version = "1.0"
dependencies = ["requests>=2"]

[project.optional-dependencies]
test = ["pytest"]

[dependency-groups]
dev = ["ruff"]
`
const BACKEND = { name: 'setuptools.build_meta', path: [] }

let stdout: string[]
beforeEach(() => {
  ws = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'sources-')))
  copyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sources-copies-'))
  stdout = []
  // core.info and core.warning write to stdout: kept to be read, not printed.
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk))
    return true
  })
})
afterEach(() => {
  jest.restoreAllMocks()
})

describe('default discovery', () => {
  test('requirements.txt first, before pylock.toml and pyproject.toml', async () => {
    const file = write('requirements.txt', 'idna\n')
    write('pylock.toml', 'lock-version = "1.0"\n')
    write('pyproject.toml', PROJECT)
    const deps = await find()
    expect(deps.pipFiles).toEqual([file])
    expect(deps.copies).toEqual([])
    expect(deps.specs).toEqual([])
    expect(deps.projects).toEqual([])
    expect(deps.lock).toBeUndefined()
    expect(deps.described).toEqual({ sources: ['requirements.txt'], extras: [], groups: [] })
    expect(deps.files.files.map((f) => f.path)).toEqual(['requirements.txt'])
    expect(JSON.parse(deps.keyText)).toEqual({
      requirements: filesHash(['requirements.txt', 'idna\n']),
      packages: [],
    })
  })

  test('then pylock.toml, as the lock pip reads', async () => {
    const lock = write('pylock.toml', 'lock-version = "1.0"\n')
    write('pyproject.toml', PROJECT)
    const deps = await find()
    expect(deps.lock).toBe(lock)
    expect(deps.pipFiles).toEqual([lock])
    expect(deps.specs).toEqual([])
    expect(deps.projects).toEqual([])
    expect(deps.described.sources).toEqual(['pylock.toml'])
  })

  test('then pyproject.toml with [project]: its dependencies, its build backend, itself editable', async () => {
    write('pyproject.toml', PROJECT)
    const deps = await find()
    expect(deps.pipFiles).toEqual([])
    expect(deps.lock).toBeUndefined()
    expect(deps.specs).toEqual([
      { text: 'requests>=2', origin: 'pyproject.toml' },
      { text: 'setuptools>=61', origin: 'pyproject.toml [build-system] requires' },
    ])
    expect(deps.projects).toEqual([{ dir: ws, editable: true, origin: 'pyproject.toml', backend: BACKEND }])
    expect(deps.described).toEqual({ sources: ['pyproject.toml'], extras: [], groups: [] })
    const key = JSON.parse(deps.keyText) as Record<string, unknown>
    expect(key['projects']).toEqual(['. editable'])
    expect(key['requirements']).toBe(sha256(''))
  })

  test('then pyproject.toml with only [dependency-groups]: the groups, no project', async () => {
    write('pyproject.toml', '[dependency-groups]\ndev = ["ruff"]\n')
    const deps = await find({ groups: ['dev'] })
    expect(deps.specs).toEqual([{ text: 'ruff', origin: 'pyproject.toml' }])
    expect(deps.projects).toEqual([])
    expect(deps.described).toEqual({ sources: ['pyproject.toml'], extras: [], groups: ['dev'] })
  })

  test('a pyproject.toml with neither table, and nothing else: no dependencies, one info line', async () => {
    write('pyproject.toml', '[tool.ruff]\nline-length = 100\n')
    const deps = await find()
    expect(deps.pipFiles).toEqual([])
    expect(deps.specs).toEqual([])
    expect(deps.projects).toEqual([])
    expect(deps.described.sources).toEqual([])
    expect(stdout).toEqual([
      `No dependencies to install: none of requirements.txt, pylock.toml, pyproject.toml (with [project] or ` +
        `[dependency-groups]) is in ${ws}.${os.EOL}`,
    ])
  })

  test('an empty directory: no dependencies, one info line', async () => {
    const deps = await find()
    expect(deps.pipFiles).toEqual([])
    expect(JSON.parse(deps.keyText)).toEqual({ requirements: sha256(''), packages: [] })
    expect(stdout).toHaveLength(1)
    expect(stdout[0]).toMatch(/^No dependencies to install: /)
  })

  test('uv.lock alone: a warning naming the export command, then the info line', async () => {
    write('uv.lock', 'version = 1\n')
    const deps = await find()
    expect(deps.pipFiles).toEqual([])
    expect(stdout).toEqual([
      `::warning::${ws}/uv.lock is a lock file pip cannot read. Export it to a form the action reads: uv export ` +
        `--format pylock.toml --output-file pylock.toml (and list pylock.toml; pip-version 26.1 or later), or uv ` +
        `export --format requirements-txt --output-file requirements.txt. Nothing else declares dependencies ` +
        `here, so the venv holds none.${os.EOL}`,
      expect.stringMatching(/^No dependencies to install: /),
    ])
  })

  test('poetry.lock beside a pyproject.toml with [project]: the pyproject is read, one line says so', async () => {
    write('poetry.lock', '')
    write('pyproject.toml', PROJECT)
    const deps = await find()
    expect(deps.described.sources).toEqual(['pyproject.toml'])
    expect(stdout).toEqual([
      `poetry.lock is not read: the versions come from the ranges in pyproject.toml, not from the lock. To ` +
        `install the locked versions, export them (poetry export -f requirements.txt --output requirements.txt) ` +
        `and list that file in 'requirements'.${os.EOL}`,
    ])
  })
})

test('default discovery: a Poetry 1 pyproject.toml is an error, not an empty venv', async () => {
  write('pyproject.toml', '[tool.poetry.dependencies]\npython = "^3.9"\nrequests = "^2"\n')
  await expect(find()).rejects.toThrow(
    `${ws}/pyproject.toml: the dependencies are in [tool.poetry.dependencies], Poetry 1's format`,
  )
})

describe('foreign lock files listed in requirements', () => {
  test.each([
    [
      'uv.lock',
      'uv export --format pylock.toml --output-file pylock.toml (and list pylock.toml; pip-version 26.1 or later), or uv export --format requirements-txt --output-file requirements.txt',
    ],
    ['poetry.lock', 'poetry export -f requirements.txt --output requirements.txt'],
    ['Pipfile.lock', 'pipenv requirements > requirements.txt'],
  ])('%s is refused with the command that exports it', async (name, command) => {
    write(name, '')
    write('requirements.txt', 'idna\n')
    const found = find({ requirements: ['requirements.txt', name] })
    await expect(found).rejects.toThrow(UsageError)
    await expect(find({ requirements: ['requirements.txt', name] })).rejects.toThrow(
      `Input 'requirements': '${name}': ${ws}/${name} is a lock file pip cannot read. ` +
        `Export it to a form the action reads: ${command}.`,
    )
  })
})

describe('extras and groups need a pyproject.toml source', () => {
  test.each([
    ['extras', { extras: ['test'] }],
    ['groups', { groups: ['dev'] }],
  ] as const)('%s with requirement files only', async (name, asked) => {
    write('requirements.txt', 'idna\n')
    write('pyproject.toml', PROJECT)
    await expect(find(asked)).rejects.toThrow(
      new UsageError(
        `Input '${name}' selects from a pyproject.toml, but the dependencies come from requirements.txt. ` +
          `List pyproject.toml in 'requirements' (beside the other files), or remove '${name}'.`,
      ),
    )
  })

  test('extras with no dependency file at all', async () => {
    await expect(find({ extras: ['test'] })).rejects.toThrow(
      `Input 'extras' selects from a pyproject.toml, but the dependencies come from no file. `,
    )
  })

  test('extras and groups from a listed pyproject.toml', async () => {
    write('requirements.txt', 'idna\n')
    write('pyproject.toml', PROJECT)
    const deps = await find({
      requirements: ['requirements.txt', 'pyproject.toml'],
      extras: ['test'],
      groups: ['dev'],
    })
    expect(deps.specs).toEqual([
      { text: 'requests>=2', origin: 'pyproject.toml' },
      { text: 'pytest', origin: 'pyproject.toml' },
      { text: 'ruff', origin: 'pyproject.toml' },
      { text: 'setuptools>=61', origin: 'pyproject.toml [build-system] requires' },
    ])
    expect(deps.pipFiles).toEqual([path.join(ws, 'requirements.txt')])
    expect(deps.described).toEqual({
      // In the order the input lists them.
      sources: ['requirements.txt', 'pyproject.toml'],
      extras: ['test'],
      groups: ['dev'],
    })
  })
})

describe('install-project with a pyproject.toml source', () => {
  test.each([
    ['auto', [{ dir: '.', editable: true }], ['. editable']],
    ['editable', [{ dir: '.', editable: true }], ['. editable']],
    ['true', [{ dir: '.', editable: false }], ['. regular']],
    ['false', [], undefined],
  ] as const)('%s', async (installProject, projects, keyProjects) => {
    write('pyproject.toml', PROJECT)
    const deps = await find({ requirements: ['pyproject.toml'], installProject })
    expect(deps.projects).toEqual(
      projects.map((p) => ({ dir: ws, editable: p.editable, origin: 'pyproject.toml', backend: BACKEND })),
    )
    // The build backend goes into the venv only when the project is installed.
    expect(deps.specs).toEqual([
      { text: 'requests>=2', origin: 'pyproject.toml' },
      ...(projects.length > 0
        ? [{ text: 'setuptools>=61', origin: 'pyproject.toml [build-system] requires' }]
        : []),
    ])
    expect((JSON.parse(deps.keyText) as Record<string, unknown>)['projects']).toEqual(keyProjects)
  })

  test('a pyproject.toml with only groups: auto installs no project, true does', async () => {
    write('pyproject.toml', '[dependency-groups]\ndev = ["ruff"]\n')
    expect((await find({ installProject: 'auto' })).projects).toEqual([])
    const deps = await find({ installProject: 'true' })
    expect(deps.projects).toEqual([
      {
        dir: ws,
        editable: false,
        origin: 'pyproject.toml',
        backend: { name: 'setuptools.build_meta:__legacy__', path: [] },
      },
    ])
    expect(deps.specs).toEqual([
      { text: 'setuptools>=40.8.0', origin: 'pyproject.toml [build-system] requires' },
    ])
  })

  test('in a subdirectory: the project is that directory', async () => {
    write('app/pyproject.toml', PROJECT)
    const deps = await find({ requirements: ['app/pyproject.toml'] })
    expect(deps.projects).toEqual([
      { dir: path.join(ws, 'app'), editable: true, origin: 'app/pyproject.toml', backend: BACKEND },
    ])
    expect(deps.specs[0]).toEqual({ text: 'requests>=2', origin: 'app/pyproject.toml' })
  })
})

describe('install-project true or editable with requirement files: the working directory project', () => {
  test('its build backend goes into the venv, the files give the dependencies', async () => {
    write('requirements.txt', 'idna\n')
    write('pyproject.toml', PROJECT)
    const deps = await find({ installProject: 'true' })
    expect(deps.projects).toEqual([
      { dir: ws, editable: false, origin: "Input 'install-project' (true)", backend: BACKEND },
    ])
    expect(deps.specs).toEqual([{ text: 'setuptools>=61', origin: 'pyproject.toml [build-system] requires' }])
    expect(deps.pipFiles).toEqual([path.join(ws, 'requirements.txt')])
  })

  test('a setup.py project: setuptools legacy backend', async () => {
    write('requirements.txt', 'idna\n')
    write('setup.py', 'from setuptools import setup\nsetup()\n')
    const deps = await find({ installProject: 'editable' })
    expect(deps.projects).toEqual([
      {
        dir: ws,
        editable: true,
        origin: "Input 'install-project' (editable)",
        backend: { name: 'setuptools.build_meta:__legacy__', path: [] },
      },
    ])
    expect(deps.specs).toEqual([
      { text: 'setuptools>=40.8.0', origin: 'pyproject.toml [build-system] requires' },
    ])
  })

  test('a Poetry 1 project whose dependencies were exported to requirements.txt: built, not refused', async () => {
    write('requirements.txt', 'idna\n')
    write(
      'pyproject.toml',
      '[build-system]\nrequires = ["poetry-core"]\nbuild-backend = "poetry.core.masonry.api"\n\n' +
        '[tool.poetry]\nname = "p1"\n\n[tool.poetry.dependencies]\nidna = "*"\n',
    )
    const deps = await find({ installProject: 'true' })
    expect(deps.specs).toEqual([{ text: 'poetry-core', origin: 'pyproject.toml [build-system] requires' }])
    expect(deps.projects.map((p) => p.backend)).toEqual([{ name: 'poetry.core.masonry.api', path: [] }])
  })

  test('the build system enters the key normalized: spacing and order of requires do not count', async () => {
    write('requirements.txt', 'idna\n')
    const build = (requires: string) =>
      `[build-system]\nrequires = [${requires}]\nbuild-backend = "setuptools.build_meta"\n`
    write('pyproject.toml', build('"setuptools >= 61", "wheel"'))
    const first = await keyOf({ installProject: 'true' })
    write('pyproject.toml', build('"wheel", "setuptools>=61"'))
    expect(await keyOf({ installProject: 'true' })).toEqual(first)
    write('pyproject.toml', build('"wheel", "setuptools>=62"'))
    expect(await keyOf({ installProject: 'true' })).not.toEqual(first)
  })

  test('no project there: refused', async () => {
    write('requirements.txt', 'idna\n')
    await expect(find({ installProject: 'editable' })).rejects.toThrow(
      new UsageError(
        `Input 'install-project' (editable): there is no project in ${ws} (no pyproject.toml or setup.py). ` +
          `Set 'working-directory' to the project, or 'install-project: false'.`,
      ),
    )
  })
})

describe('local projects in requirement files and packages', () => {
  test('-e ./lp[test]: a project; its dependencies, extras and build backend in specs; the line dropped', async () => {
    const file = write('requirements.txt', 'idna\n-e ./lp[test]\n')
    write('lp/pyproject.toml', PROJECT)
    const deps = await find()
    expect(deps.projects).toEqual([
      { dir: path.join(ws, 'lp'), editable: true, origin: 'requirements.txt:2', backend: BACKEND },
    ])
    expect(deps.specs).toEqual([
      { text: 'requests>=2', origin: 'lp/pyproject.toml' },
      { text: 'pytest', origin: 'lp/pyproject.toml' },
      { text: 'setuptools>=61', origin: 'lp/pyproject.toml [build-system] requires' },
    ])
    const copy = path.join(copyDir, '1-requirements.txt')
    expect(deps.pipFiles).toEqual([copy])
    expect(deps.copies).toEqual([
      {
        source: file,
        path: copy,
        content: 'idna\n# setup-venv: installed after the venv is ready: -e ./lp[test]\n',
      },
    ])
    const key = JSON.parse(deps.keyText) as Record<string, unknown>
    expect(key['projects']).toEqual(['lp editable'])
    expect(key['declared']).toEqual([
      JSON.stringify({
        name: 'lp',
        requirements: ['pytest', 'requests>=2'],
        extras: ['test'],
        groups: [],
        dynamicFiles: [],
        buildSystem: { requires: ['setuptools>=61'], backend: 'setuptools.build_meta', backendPath: [] },
      }),
    ])
    // The requirement file's own content, unchanged, is in the key.
    expect(key['requirements']).toBe(filesHash(['requirements.txt', 'idna\n-e ./lp[test]\n']))
  })

  test('a local path in packages: a project, not a package', async () => {
    write('lp/pyproject.toml', PROJECT)
    const deps = await find({ packages: ['six', './lp'] })
    expect(deps.projects).toEqual([
      { dir: path.join(ws, 'lp'), editable: false, origin: "Input 'packages'", backend: BACKEND },
    ])
    expect(deps.specs).toEqual([
      { text: 'six', origin: "the 'packages' input" },
      { text: 'requests>=2', origin: 'lp/pyproject.toml' },
      { text: 'setuptools>=61', origin: 'lp/pyproject.toml [build-system] requires' },
    ])
    expect((JSON.parse(deps.keyText) as Record<string, unknown>)['packages']).toEqual(['six'])
    expect(deps.described.sources).toEqual(["the 'packages' input"])
  })

  test('one project named twice: once, editable if either asks', async () => {
    write('requirements.txt', './lp\n')
    write('lp/pyproject.toml', PROJECT)
    const deps = await find({ packages: ['-e ./lp'] })
    expect(deps.projects).toEqual([
      { dir: path.join(ws, 'lp'), editable: true, origin: 'requirements.txt:1', backend: BACKEND },
    ])
  })

  test('a local archive stays in the file, its digest in the key', async () => {
    const file = write('requirements.txt', './dist/x-1.0-py3-none-any.whl\nidna\n')
    write('dist/x-1.0-py3-none-any.whl', 'wheel bytes')
    const deps = await find()
    expect(deps.pipFiles).toEqual([file])
    expect(deps.copies).toEqual([])
    expect(deps.projects).toEqual([])
    expect(deps.specs).toEqual([])
    const key = JSON.parse(deps.keyText) as Record<string, unknown>
    expect(key['archives']).toEqual([`dist/x-1.0-py3-none-any.whl ${sha256('wheel bytes')}`])
    write('dist/x-1.0-py3-none-any.whl', 'other wheel bytes')
    expect((await find()).keyText).not.toBe(deps.keyText)
  })

  test('-e on an archive is refused', async () => {
    write('requirements.txt', '-e ./dist/x-1.0-py3-none-any.whl\n')
    write('dist/x-1.0-py3-none-any.whl', 'wheel bytes')
    await expect(find()).rejects.toThrow(
      new UsageError(
        `requirements.txt:1: -e needs a project directory, and ${ws}/dist/x-1.0-py3-none-any.whl is a file.`,
      ),
    )
  })

  test('a local path that does not exist is refused', async () => {
    write('requirements.txt', 'idna\n./nope\n')
    await expect(find()).rejects.toThrow(
      new UsageError(`requirements.txt:2: the local path ${ws}/nope does not exist. Fix the path.`),
    )
  })

  test('a local project outside the workspace is refused', async () => {
    const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'outside-')))
    fs.writeFileSync(path.join(outside, 'pyproject.toml'), PROJECT)
    write('requirements.txt', `${outside}\n`)
    await expect(find()).rejects.toThrow(`requirements.txt:1: '${outside}' is outside the workspace (${ws}).`)
  })

  test('the key follows what a local project declares, not its source', async () => {
    write('requirements.txt', '-e ./lp\n')
    write('lp/pyproject.toml', PROJECT)
    write('lp/src/lp/__init__.py', '')
    const first = (await find()).keyText
    write('lp/src/lp/__init__.py', 'VERSION = 2\n')
    write('lp/pyproject.toml', PROJECT.replace('version = "1.0"', 'version = "2.0"'))
    expect((await find()).keyText).toBe(first)
    write('lp/pyproject.toml', PROJECT.replace('"requests>=2"', '"requests>=2.31"'))
    expect((await find()).keyText).not.toBe(first)
  })

  test('a local project with setuptools dynamic dependencies: its file goes to pip and into the key', async () => {
    write('requirements.txt', 'idna\n-e ./lp\n')
    write(
      'lp/pyproject.toml',
      `[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "lp"
version = "1.0"
dynamic = ["dependencies"]

[tool.setuptools.dynamic]
dependencies = { file = ["requirements.in"] }
`,
    )
    const dynamic = write('lp/requirements.in', 'six\n')
    const deps = await find()
    expect(deps.pipFiles).toEqual([dynamic, path.join(copyDir, '1-requirements.txt')])
    expect(deps.specs).toEqual([
      { text: 'setuptools>=61', origin: 'lp/pyproject.toml [build-system] requires' },
    ])
    expect(deps.files.files.map((f) => f.path)).toEqual(['lp/requirements.in', 'requirements.txt'])
    const before = deps.keyText
    write('lp/requirements.in', 'six==1.17\n')
    expect((await find()).keyText).not.toBe(before)
  })

  test("a local project named in a local project's dynamic dependency file: a project too, its line dropped", async () => {
    write('requirements.txt', '-e ./lp\n')
    write(
      'lp/pyproject.toml',
      '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n\n' +
        '[project]\nname = "lp"\nversion = "1.0"\ndynamic = ["dependencies"]\n\n' +
        '[tool.setuptools.dynamic]\ndependencies = { file = ["requirements.in"] }\n',
    )
    // setuptools reads PEP 508 lines there: a direct reference is how such a file names a local project.
    write('lp/requirements.in', `six\nshared @ file://${ws}/shared\n`)
    write('shared/pyproject.toml', PROJECT.replace('name = "lp"', 'name = "shared"'))
    const deps = await find()
    expect(deps.projects.map((p) => [p.dir, p.editable, p.origin])).toEqual([
      [path.join(ws, 'lp'), true, 'requirements.txt:1'],
      [path.join(ws, 'shared'), false, 'lp/requirements.in:2'],
    ])
    // pip reads the dynamic file without that line; the shared project's dependencies are in the specs.
    expect(deps.copies.map((c) => c.content)).toContainEqual(expect.stringContaining('six'))
    expect(deps.copies.map((c) => c.content).join('\n')).not.toMatch(/^shared @/m)
    expect(deps.pipFiles.every((f) => f.startsWith(copyDir))).toBe(true)
    expect(deps.specs.map((sp) => sp.text)).toContain('requests>=2')
  })

  const noProject = (origin: string) =>
    new UsageError(
      `${origin}: the local project ${ws}/lp declares no dependencies in a pyproject.toml [project] table, so ` +
        `what it needs cannot be known before it is built, and a cached venv could miss it. Declare them in ` +
        `[project] dependencies (setuptools reads them there too), or install the project in a later step.`,
    )

  test.each([
    ['no pyproject.toml', undefined],
    ['a pyproject.toml with [build-system] only', '[build-system]\nrequires = ["setuptools"]\n'],
    ['a pyproject.toml with [dependency-groups] only', '[dependency-groups]\ndev = ["ruff"]\n'],
  ])('a local project with %s is refused', async (_, toml) => {
    write('lp/setup.py', 'from setuptools import setup\nsetup()\n')
    if (toml !== undefined) write('lp/pyproject.toml', toml)
    write('requirements.txt', '-e ./lp\n')
    await expect(find()).rejects.toThrow(noProject('requirements.txt:1'))
    await expect(find({ requirements: [], packages: ['./lp'] })).rejects.toThrow(
      noProject("Input 'packages'"),
    )
  })
})

describe('pip-args naming a local project', () => {
  test.each([
    [['-e', '.'], '-e .'],
    [['--editable=./lp'], '--editable=./lp'],
    [['--no-deps', './lp'], './lp'],
    [['.'], '.'],
  ])('%j is refused', async (pipArgs, named) => {
    write('lp/pyproject.toml', PROJECT)
    await expect(find({ pipArgs })).rejects.toThrow(
      new UsageError(
        `Input 'pip-args' names the local path '${named}'. List it in 'packages' or a requirement file instead: ` +
          `local projects are installed after the venv is ready, so that a change to their source is always seen.`,
      ),
    )
  })

  test('named requirements and options are not', async () => {
    await expect(find({ pipArgs: ['--pre', 'requests>=2', '--no-binary', ':all:'] })).resolves.toBeDefined()
  })

  // An editable VCS install is not a local project: the same line in a requirement file is accepted
  // (localRequirement gives undefined for it) and pip checks it out inside the venv.
  test('-e with a VCS URL is not a local path', async () => {
    await expect(find({ pipArgs: ['-e', 'git+https://github.com/x/y#egg=y'] })).resolves.toBeDefined()
  })

  // A requirement file named by pip-args is hashed for the key, but its lines are not looked at: `-e ./lp`
  // there would go into the cached venv, with its source outside the key, which is what refusing `-e` in
  // pip-args is meant to prevent.
  test('a requirement file named by pip-args that names a local project', async () => {
    write('lp/pyproject.toml', PROJECT)
    write('extra.txt', '-e ./lp\n')
    await expect(find({ pipArgs: ['-r', 'extra.txt'] })).rejects.toThrow(UsageError)
  })
})

describe('keyText', () => {
  test('the order of packages does not matter', async () => {
    write('requirements.txt', 'idna\n')
    const ab = await find({ packages: ['b>=1', 'a'] })
    const ba = await find({ packages: ['a', 'b>=1'] })
    expect(ab.keyText).toBe(ba.keyText)
    expect(JSON.parse(ab.keyText)).toEqual({
      requirements: filesHash(['requirements.txt', 'idna\n']),
      packages: ['a', 'b>=1'],
    })
    // specs keep the order given.
    expect(ab.specs.map((s) => s.text)).toEqual(['b>=1', 'a'])
    expect((await find({ packages: ['a', 'b>=2'] })).keyText).not.toBe(ab.keyText)
  })

  test('the order of requirement files does not matter', async () => {
    write('a.txt', 'idna\n')
    write('b.txt', 'six\n')
    const ab = await find({ requirements: ['a.txt', 'b.txt'] })
    const ba = await find({ requirements: ['b.txt', 'a.txt'] })
    expect(ab.keyText).toBe(ba.keyText)
  })

  const constraint = (value: string): PipSetting => ({
    source: 'env PIP_CONSTRAINT',
    origin: 'env',
    name: 'constraint',
    value,
    category: 'file',
  })

  test("a constraint file named by pip's settings: its content, and what it includes", async () => {
    write('requirements.txt', 'idna\n')
    write('pins.txt', 'idna==3.7\n-c more.txt\n')
    write('more.txt', 'six==1.16\n')
    const first = await keyOf({}, [constraint('pins.txt')])
    expect(first['content']).toEqual([
      `env PIP_CONSTRAINT constraint ${ws}/pins.txt ` +
        filesHash(['pins.txt', 'idna==3.7\n-c more.txt\n'], ['more.txt', 'six==1.16\n']),
    ])
    write('more.txt', 'six==1.17\n')
    const second = await keyOf({}, [constraint('pins.txt')])
    expect(second['content']).not.toEqual(first['content'])
    expect(second['requirements']).toEqual(first['requirements'])
    write('pins.txt', 'idna==3.8\n-c more.txt\n')
    expect((await keyOf({}, [constraint('pins.txt')]))['content']).not.toEqual(second['content'])
  })

  test("a constraint file of pip's settings may be anywhere; a missing one is 'missing'", async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'outside-'))
    const pins = path.join(outside, 'pins.txt')
    fs.writeFileSync(pins, 'idna==3.7\n')
    const key = await keyOf({}, [constraint(pins), constraint('nope.txt')])
    expect(key['content']).toEqual([
      `env PIP_CONSTRAINT constraint ${pins} ${filesHash([path.relative(ws, pins), 'idna==3.7\n'])}`,
      `env PIP_CONSTRAINT constraint ${ws}/nope.txt missing`,
    ])
  })

  test('a constraint file named by pip-args: its content', async () => {
    write('pins.txt', 'idna==3.7\n')
    const first = await keyOf({ pipArgs: ['-c', 'pins.txt'] })
    expect(first['content']).toEqual([
      `Input 'pip-args' constraint ${ws}/pins.txt ${filesHash(['pins.txt', 'idna==3.7\n'])}`,
    ])
    write('pins.txt', 'idna==3.8\n')
    expect((await keyOf({ pipArgs: ['-c', 'pins.txt'] }))['content']).not.toEqual(first['content'])
  })

  test('a find-links directory of a requirement file: a new file there changes the key', async () => {
    write('requirements.txt', 'idna\n-f wheels\n')
    write('wheels/a-1.0-py3-none-any.whl', 'a')
    const first = await keyOf()
    expect(first['content']).toEqual([
      `requirements.txt:2 ${ws}/wheels a-1.0-py3-none-any.whl=${sha256('a')}`,
    ])
    write('wheels/b-1.0-py3-none-any.whl', 'b')
    const second = await keyOf()
    expect(second['content']).toEqual([
      `requirements.txt:2 ${ws}/wheels a-1.0-py3-none-any.whl=${sha256('a')} b-1.0-py3-none-any.whl=${sha256('b')}`,
    ])
    expect(second['requirements']).toEqual(first['requirements'])
  })

  test("a find-links directory of pip's settings or pip-args: a new file there changes the key", async () => {
    write('wheels/a-1.0-py3-none-any.whl', 'a')
    const setting: PipSetting = {
      source: '/etc/pip.conf:3',
      origin: '/etc/pip.conf [install]',
      name: 'find-links',
      value: 'wheels https://host/links/',
      category: 'file',
    }
    const inputs = { pipArgs: ['--find-links', './wheels'] }
    const first = await keyOf(inputs, [setting])
    expect(first['content']).toEqual([
      `Input 'pip-args' ${ws}/wheels a-1.0-py3-none-any.whl=${sha256('a')}`,
      `/etc/pip.conf:3 ${ws}/wheels a-1.0-py3-none-any.whl=${sha256('a')}`,
    ])
    write('wheels/b-1.0-py3-none-any.whl', 'b')
    expect((await keyOf(inputs, [setting]))['content']).not.toEqual(first['content'])
  })

  test('a file: URL find-links location of a requirement file or a pip setting is read', async () => {
    write('wheels/a-1.0-py3-none-any.whl', 'a')
    write('requirements.txt', `-f file://${ws}/wheels\n`)
    const setting = envFileSetting('find-links', `file://${ws}/wheels`)
    expect((await keyOf({}, [setting]))['content']).toEqual([
      `env PIP_FIND_LINKS ${ws}/wheels a-1.0-py3-none-any.whl=${sha256('a')}`,
      `requirements.txt:1 ${ws}/wheels a-1.0-py3-none-any.whl=${sha256('a')}`,
    ])
  })

  // The README: "each local --find-links location (in a requirement file, pip-args, PIP_FIND_LINKS or a pip
  // config file)". A file: URL is local, and is read as one in a requirement file and in pip's settings.
  test('a file: URL find-links location in pip-args is read', async () => {
    write('wheels/a-1.0-py3-none-any.whl', 'a')
    expect((await keyOf({ pipArgs: [`--find-links=file://${ws}/wheels`] }))['content']).toEqual([
      `Input 'pip-args' ${ws}/wheels a-1.0-py3-none-any.whl=${sha256('a')}`,
    ])
  })

  test('a remote find-links location is not read', async () => {
    write('requirements.txt', '-f https://host/links/\nidna\n')
    expect((await keyOf({ pipArgs: ['-f', 'https://host/links/'] }))['content']).toBeUndefined()
  })

  // Every option that names a file whose content decides what pip installs, not only -r, -c and -f.
  test.each([
    ['--group dev: the pyproject.toml it reads', ['--group', 'dev'], 'pyproject.toml'],
    ['--group with a path', ['--gro=sub/pyproject.toml:dev'], 'sub/pyproject.toml'],
    ['--build-constraint', ['--build-constraint', 'bc.txt'], 'bc.txt'],
    ['--requirements-from-script', ['--requirements-from-script', 'tool.py'], 'tool.py'],
  ])('pip-args %s: an edit of the file changes the key', async (_, pipArgs, file) => {
    write('requirements.txt', 'idna\n') // the dependencies come from here, not from that file
    write(file, '[dependency-groups]\ndev = ["a"]\n')
    const first = await keyOf({ pipArgs })
    expect(first['content']).toEqual([expect.stringContaining(`${path.join(ws, file)} `)])
    write(file, '[dependency-groups]\ndev = ["b"]\n')
    expect((await keyOf({ pipArgs }))['content']).not.toEqual(first['content'])
  })

  test("a build-constraint file of pip's settings: its content, and what it includes", async () => {
    write('bc.txt', '-c more.txt\n')
    write('more.txt', 'setuptools<80\n')
    const setting = envFileSetting('build-constraint', 'bc.txt')
    const first = await keyOf({}, [setting])
    write('more.txt', 'setuptools<81\n')
    expect((await keyOf({}, [setting]))['content']).not.toEqual(first['content'])
  })

  test('a requirement file named by pip-args: the find-links directories it names', async () => {
    write('extra.txt', '-f ./wheels\nidna\n')
    write('wheels/a-1.0-py3-none-any.whl', 'a')
    const first = await keyOf({ pipArgs: ['-r', 'extra.txt'] })
    write('wheels/b-1.0-py3-none-any.whl', 'b')
    expect((await keyOf({ pipArgs: ['-r', 'extra.txt'] }))['content']).not.toEqual(first['content'])
  })

  test("a requirement file of pip's settings: the archives it names, by content", async () => {
    write('extra.txt', './dist/x-1.0-py3-none-any.whl\n')
    write('dist/x-1.0-py3-none-any.whl', 'x1')
    const setting = envFileSetting('requirement', 'extra.txt')
    const first = await keyOf({}, [setting])
    write('dist/x-1.0-py3-none-any.whl', 'x2')
    expect((await keyOf({}, [setting]))['content']).not.toEqual(first['content'])
  })
})
