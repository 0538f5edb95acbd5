import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { normalizeRequirement } from '../../src/pep508.js'
import {
  declarationKind,
  readPyproject,
  selectRequirements,
  type SelectionRequest,
} from '../../src/pyproject.js'

let dir: string
function write(text: string, rel = 'pyproject.toml'): string {
  const file = path.join(dir, rel)
  fs.writeFileSync(file, text)
  return file
}

const ORIGINS = { extras: "Input 'extras'", groups: "Input 'groups'" }
function select(text: string, request: Partial<SelectionRequest> = {}) {
  const p = readPyproject(write(text))
  return selectRequirements(p, { extras: [], groups: [], withBuildSystem: false, ...request }, ORIGINS)
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pyproject-'))
})

const PROJECT = `
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "My_Proj"
version = "1.0"
description = "A demo"
dependencies = ["requests >= 2.31", "tomli; python_version < '3.11'"]

[project.optional-dependencies]
lint = ["ruff==0.6.*", "codespell ; python_version>='3.9'"]
test = ["pytest>=8", "My.Proj[lint]; sys_platform == 'linux'", "my-proj"]
docs = ["sphinx"]

[dependency-groups]
dev = ["pre-commit", {include-group = "Typing"}]
typing = ["mypy", "my_proj[test]"]
unused = ["black"]

[tool.ruff]
line-length = 110
`

describe('selectRequirements', () => {
  test('dependencies, an extra that asks for another, a group that includes another', () => {
    const s = select(PROJECT, { extras: ['test'], groups: ['dev'] })
    expect(s.name).toBe('my-proj')
    expect(s.requirements).toEqual([
      'requests >= 2.31',
      "tomli; python_version < '3.11'",
      'pytest>=8',
      'ruff==0.6.*; sys_platform == "linux"',
      `codespell; (sys_platform == "linux") and (python_version>='3.9')`,
      'pre-commit',
      'mypy',
    ])
    expect(s.dynamicFiles).toEqual([])
    expect(s.buildSystem).toBeUndefined()
    expect(s.warnings).toEqual([])
    expect(JSON.parse(s.keyText)).toEqual({
      name: 'my-proj',
      requirements: [
        'codespell; (sys_platform == "linux") and (python_version >= "3.9")',
        'mypy',
        'pre-commit',
        'pytest>=8',
        'requests>=2.31',
        'ruff==0.6.*; sys_platform == "linux"',
        'tomli; python_version < "3.11"',
      ],
      extras: ['test'],
      groups: ['dev'],
      dynamicFiles: [],
    })
  })

  test('a group that names the project follows its extras', () => {
    const s = select(PROJECT, { groups: ['typing'] })
    expect(s.requirements).toEqual([
      'requests >= 2.31',
      "tomli; python_version < '3.11'",
      'mypy',
      'pytest>=8',
      'ruff==0.6.*; sys_platform == "linux"',
      `codespell; (sys_platform == "linux") and (python_version>='3.9')`,
    ])
  })

  test('extras that ask for each other are each taken once', () => {
    const s = select(`
[project]
name = "p"
optional-dependencies = { a = ["x", "p[b]"], b = ["y", "P[a]"] }
`)
    expect(s.requirements).toEqual([])
    expect(
      select(`[project]\nname = "p"\noptional-dependencies = { a = ["x", "p[b]"], b = ["y", "P[a]"] }\n`, {
        extras: ['a'],
      }).requirements,
    ).toEqual(['x', 'y'])
  })

  test('an extra reached under a marker and then without one is taken without', () => {
    const s = select(
      `[project]
name = "p"
dependencies = ["p[a]; os_name == 'nt'"]
optional-dependencies = { a = ["x"] }
`,
      { extras: ['a'] },
    )
    expect(s.requirements).toEqual(['x; os_name == "nt"', 'x'])
  })

  test('a self-reference to an extra that does not exist is what pip warns about', () => {
    const s = select(`[project]\nname = "p"\noptional-dependencies = { a = ["x", "p[nope]"] }\n`, {
      extras: ['a'],
    })
    expect(s.requirements).toEqual(['x'])
    expect(s.warnings).toEqual([
      `${path.join(dir, 'pyproject.toml')}: 'p[nope]' in project.optional-dependencies.a asks for the extra 'nope', ` +
        'which the project does not define; pip ignores it.',
    ])
  })

  test('an unknown extra names the input, the file and the extras it defines', () => {
    const file = path.join(dir, 'pyproject.toml')
    expect(() => select(PROJECT, { extras: ['Nope'] })).toThrow(
      `Input 'extras': 'Nope' is not an extra of ${file} (it defines: docs, lint, test). ` +
        'Fix the name, or add the extra to [project.optional-dependencies].',
    )
    expect(() => select('[project]\nname = "p"\n', { extras: ['test'] })).toThrow(
      `Input 'extras': 'test' is not an extra of ${file} (it defines: none). ` +
        'Fix the name, or add the extra to [project.optional-dependencies].',
    )
  })

  test('extras for a file without [project] name the input', () => {
    expect(() => select('[dependency-groups]\ndev = ["x"]\n', { extras: ['test'] })).toThrow(
      `Input 'extras': ${path.join(dir, 'pyproject.toml')} has no [project] table, so it defines no extras. ` +
        'Leave the extras out, or declare the project in a [project] table.',
    )
  })

  test('an unknown group names the input, the file and the groups it defines', () => {
    const file = path.join(dir, 'pyproject.toml')
    expect(() => select(PROJECT, { groups: ['docs'] })).toThrow(
      `Input 'groups': 'docs' is not a dependency group of ${file} (it defines: dev, typing, unused). ` +
        'Fix the name, or add the group to [dependency-groups].',
    )
    expect(() => select('[project]\nname = "p"\n', { groups: ['dev'] })).toThrow(/\(it defines: none\)/)
  })

  test('an include-group cycle names the chain', () => {
    const text = `[dependency-groups]
a = ["x", {include-group = "B"}]
b = [{include-group = "c"}]
c = [{include-group = "b"}]
`
    expect(() => select(text, { groups: ['a'] })).toThrow(
      `${path.join(dir, 'pyproject.toml')}: dependency group 'b' includes itself (b -> c -> b). ` +
        'Remove one of those include-group entries.',
    )
  })

  test('an include-group of a group that does not exist names it', () => {
    expect(() => select('[dependency-groups]\na = [{include-group = "z"}]\n', { groups: ['a'] })).toThrow(
      `${path.join(dir, 'pyproject.toml')}: dependency group 'a' includes 'z', which is not defined ` +
        '(it defines: a). Fix that include-group.',
    )
  })

  test('only dependency groups: no project, no name', () => {
    const s = select('[dependency-groups]\nDev_Tools = ["x"]\n', { groups: ['dev-tools'] })
    expect(s.name).toBeUndefined()
    expect(s.requirements).toEqual(['x'])
    expect(JSON.parse(s.keyText)).toEqual({
      name: null,
      requirements: ['x'],
      extras: [],
      groups: ['dev-tools'],
      dynamicFiles: [],
    })
  })
})

describe('dynamic dependencies', () => {
  const SETUPTOOLS = `
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"
[project]
name = "dyn"
dynamic = ["dependencies", "optional-dependencies", "version"]
[tool.setuptools.dynamic]
dependencies = {file = ["requirements.in"]}
optional-dependencies.test = {file = ["test.txt", "requirements.in"]}
optional-dependencies.docs = {file = "docs.txt"}
version = {attr = "dyn.__version__"}
`

  test('setuptools files are handed back to be read as requirement files', () => {
    expect(select(SETUPTOOLS).dynamicFiles).toEqual(['requirements.in'])
    const s = select(SETUPTOOLS, { extras: ['test', 'docs'] })
    expect(s.dynamicFiles).toEqual(['requirements.in', 'docs.txt', 'test.txt'])
    expect(s.requirements).toEqual([])
    expect(() => select(SETUPTOOLS, { extras: ['lint'] })).toThrow(/\(it defines: docs, test\)/)
  })

  test('dependencies computed by the backend are refused, saying how to list them', () => {
    const file = path.join(dir, 'pyproject.toml')
    expect(() =>
      select(`[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"
[project]
name = "h"
dynamic = ["dependencies"]
`),
    ).toThrow(
      `${file}: project.dynamic lists 'dependencies', so the build backend (hatchling.build) computes the ` +
        "project's dependencies when it builds the project, and they cannot be known before. List them in " +
        "[project] dependencies, or put them in a requirements file and list that file in the 'requirements' input.",
    )
    expect(() => select('[project]\nname = "s"\ndynamic = ["dependencies"]\n')).toThrow(
      `${file}: project.dynamic lists 'dependencies', so the build backend (setuptools.build_meta:__legacy__) ` +
        "computes the project's dependencies when it builds the project, and they cannot be known before. " +
        'List them in [project] dependencies, or name their requirements file in [tool.setuptools.dynamic] ' +
        'dependencies = {file = ["..."]}, or put them in a requirements file and list that file in the ' +
        "'requirements' input.",
    )
  })

  test('dynamic extras from another backend are refused only when one is selected', () => {
    const text = `[build-system]
requires = ["flit_core"]
build-backend = "flit_core.buildapi"
[project]
name = "f"
dependencies = ["x"]
dynamic = ["optional-dependencies"]
`
    expect(select(text).requirements).toEqual(['x'])
    expect(() => select(text, { extras: ['test'] })).toThrow(
      `${path.join(dir, 'pyproject.toml')}: project.dynamic lists 'optional-dependencies', so the build backend ` +
        "(flit_core.buildapi) computes the extra 'test' when it builds the project",
    )
  })

  test('a field both given and dynamic is refused', () => {
    expect(() => select('[project]\nname = "p"\ndependencies = []\ndynamic = ["dependencies"]\n')).toThrow(
      `${path.join(dir, 'pyproject.toml')}: project.dependencies is given and also listed in project.dynamic, ` +
        'which PEP 621 forbids. Remove one of them.',
    )
  })
})

describe('declarationKind and Poetry 1', () => {
  test.each([
    ['[project]\nname = "p"\n', 'project'],
    ['[dependency-groups]\ndev = []\n', 'groups'],
    ['[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2"\n', 'poetry1'],
    ['[project]\nname = "p"\n[tool.poetry.dependencies]\nrequests = "^2"\n', 'poetry1'],
    [
      '[project]\nname = "p"\ndependencies = ["requests"]\n[tool.poetry.dependencies]\nrequests = {source = "x"}\n',
      'project',
    ],
    [
      '[project]\nname = "p"\ndynamic = ["dependencies"]\n[tool.poetry.dependencies]\nrequests = "^2"\n',
      'project',
    ],
    ['[tool.poetry.dependencies]\npython = "^3.10"\n', 'none'],
    ['[tool.black]\nline-length = 100\n', 'none'],
  ])('%j is %s', (text, kind) => {
    expect(declarationKind(readPyproject(write(text)))).toBe(kind)
  })

  test('Poetry 1 dependencies are refused with both fixes', () => {
    expect(() =>
      select('[tool.poetry]\nname = "p"\n[tool.poetry.dependencies]\npython = "^3.10"\nrequests = "^2"\n'),
    ).toThrow(
      `${path.join(dir, 'pyproject.toml')}: the dependencies are in [tool.poetry.dependencies], Poetry 1's format, ` +
        'which pip cannot read. Move them to the [project] table (dependencies = [...], which Poetry 2 reads), ' +
        "or run 'poetry export -f requirements.txt --output requirements.txt' and list that file in the " +
        "'requirements' input.",
    )
  })
})

describe('readPyproject', () => {
  test('invalid TOML names the file, line and column', () => {
    const file = write('[project]\nname = "x"\ndependencies = ["a",\n  "b" "c"]\n')
    expect(() => readPyproject(file)).toThrow(
      `${file}:4:7 is not valid TOML: expected comma or end of structure. Fix the TOML there.`,
    )
  })

  test('a byte order mark is refused, as pip refuses it', () => {
    const file = write('\ufeff[project]\nname = "x"\n')
    expect(() => readPyproject(file)).toThrow(
      `${file}:1:1 is not valid TOML: it starts with a byte order mark, which pip refuses. Save it as UTF-8 without a BOM.`,
    )
  })

  test.each([
    [
      '[project]\ndependencies = "requests"\n',
      'project.dependencies must be an array of strings, but it is a string.',
    ],
    [
      '[project]\ndependencies = ["a", 1]\n',
      'project.dependencies must be an array of strings, but item 2 is a number.',
    ],
    ['project = 1\n', 'project must be a table, but it is a number.'],
    ['[project]\nname = ["p"]\n', 'project.name must be a string, but it is an array.'],
    [
      '[project.optional-dependencies]\n"te st" = [{a = 1}]\n',
      'project.optional-dependencies."te st" must be an array of strings, but item 1 is a table.',
    ],
    [
      '[project]\ndynamic = "dependencies"\n',
      'project.dynamic must be an array of strings, but it is a string.',
    ],
    [
      '[build-system]\nrequires = "setuptools"\n',
      'build-system.requires must be an array of strings, but it is a string.',
    ],
    ['[dependency-groups]\ndev = "x"\n', 'dependency-groups.dev must be an array, but it is a string.'],
  ])('%j: the key and the fix are named', (text, message) => {
    const file = write(text)
    expect(() => readPyproject(file)).toThrow(`${file}: ${message} Fix that key.`)
  })

  test('a group entry other than a string or an include-group is refused (PEP 735)', () => {
    const file = write('[dependency-groups]\ndev = ["x", {include-group = "a", extra = 1}]\n')
    expect(() => readPyproject(file)).toThrow(
      `${file}: dependency-groups.dev item 2 must be a requirement string or {include-group = "name"}, ` +
        'but it is a table. Fix that item.',
    )
  })

  test('names that normalize alike are refused', () => {
    const file = write('[dependency-groups]\nDev = []\ndev = []\n')
    expect(() => readPyproject(file)).toThrow(
      `${file}: dependency-groups has 'Dev' and 'dev', which name the same dependency group. Merge them.`,
    )
    write('[project.optional-dependencies]\nTest_X = []\n"test.x" = []\n')
    expect(() => readPyproject(file)).toThrow("has 'Test_X' and 'test.x', which name the same extra.")
  })

  test('keys named like Object properties are just keys', () => {
    const s = select('[project]\nname = "p"\n[project.optional-dependencies]\nconstructor = ["x"]\n', {
      extras: ['constructor'],
    })
    expect(s.requirements).toEqual(['x'])
    expect(() => select('[project]\nname = "p"\n', { extras: ['toString'] })).toThrow(/it defines: none/)
  })
})

describe('build system', () => {
  test("pip's default without [build-system]: setuptools with the legacy backend", () => {
    const s = select('[project]\nname = "p"\n', { withBuildSystem: true })
    expect(s.buildSystem).toEqual({
      requires: ['setuptools>=40.8.0'],
      backend: 'setuptools.build_meta:__legacy__',
      backendPath: [],
    })
    expect((JSON.parse(s.keyText) as { buildSystem: unknown }).buildSystem).toEqual(s.buildSystem)
  })

  test('a table without build-backend gets the legacy backend with its own requires', () => {
    const s = select('[build-system]\nrequires = ["Setuptools >= 70", "wheel"]\n[project]\nname = "p"\n', {
      withBuildSystem: true,
    })
    expect(s.buildSystem).toEqual({
      requires: ['Setuptools >= 70', 'wheel'],
      backend: 'setuptools.build_meta:__legacy__',
      backendPath: [],
    })
    expect((JSON.parse(s.keyText) as { buildSystem: { requires: unknown } }).buildSystem.requires).toEqual([
      'setuptools>=70',
      'wheel',
    ])
  })

  test('as declared, backend-path included', () => {
    const s = select(
      '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "backend"\nbackend-path = ["_build"]\n',
      { withBuildSystem: true },
    )
    expect(s.buildSystem).toEqual({ requires: ['hatchling'], backend: 'backend', backendPath: ['_build'] })
  })

  test('a table without requires is refused, as pip refuses it', () => {
    expect(() =>
      select('[build-system]\nbuild-backend = "hatchling.build"\n', { withBuildSystem: true }),
    ).toThrow(
      `${path.join(dir, 'pyproject.toml')}: [build-system] has no 'requires', which PEP 518 makes mandatory. ` +
        `Add requires = [...] naming the build backend's package, e.g. requires = ["setuptools>=61"].`,
    )
  })
})

describe('keyText', () => {
  const SELECTION = { extras: ['test'], groups: ['dev'], withBuildSystem: true }
  let base: string
  beforeEach(() => {
    base = select(PROJECT, SELECTION).keyText
  })

  test.each([
    ['the description', PROJECT.replace('A demo', 'Another demo')],
    ['the version', PROJECT.replace('version = "1.0"', 'version = "2.0"')],
    ['a [tool] table', PROJECT.replace('line-length = 110', 'line-length = 88\n[tool.mypy]\nstrict = true')],
    ['an unselected extra', PROJECT.replace('docs = ["sphinx"]', 'docs = ["sphinx>=7", "furo"]')],
    ['an unselected group', PROJECT.replace('unused = ["black"]', 'unused = ["black", "isort"]')],
    ['comments', PROJECT.replace('[project]\n', '# the project\n[project] # here\n')],
    [
      'formatting and quoting',
      PROJECT.replace(
        `dependencies = ["requests >= 2.31", "tomli; python_version < '3.11'"]`,
        `dependencies = [\n  'requests>=2.31',\n  """tomli ;python_version<"3.11"""",\n]`,
      ).replace('name = "My_Proj"', "'name' = 'my-proj'"),
    ],
    [
      'the order of keys and tables',
      `[tool.ruff]
line-length = 110
[dependency-groups]
unused = ["black"]
typing = ["mypy", "my_proj[test]"]
dev = ["pre-commit", {include-group = "Typing"}]
[project]
dependencies = ["requests >= 2.31", "tomli; python_version < '3.11'"]
description = "A demo"
name = "My_Proj"
version = "1.0"
optional-dependencies.docs = ["sphinx"]
optional-dependencies.test = ["pytest>=8", "My.Proj[lint]; sys_platform == 'linux'", "my-proj"]
optional-dependencies.lint = ["ruff==0.6.*", "codespell ; python_version>='3.9'"]
[build-system]
build-backend = "setuptools.build_meta"
requires = ["setuptools>=61"]
`,
    ],
    [
      'the order of requirements',
      PROJECT.replace(
        `"requests >= 2.31", "tomli; python_version < '3.11'"`,
        `"tomli; python_version < '3.11'", "requests >= 2.31"`,
      ),
    ],
  ])('editing %s keeps it', (_what, text) => {
    expect(select(text, SELECTION).keyText).toBe(base)
  })

  test.each([
    ['a selected requirement', PROJECT.replace('"pytest>=8"', '"pytest>=8.1"')],
    ['an extra reached through a self-reference', PROJECT.replace('"ruff==0.6.*"', '"ruff==0.7.*"')],
    ['a marker', PROJECT.replace("python_version < '3.11'", "python_version < '3.12'")],
    ['an added dependency', PROJECT.replace('"requests >= 2.31",', '"requests >= 2.31", "idna",')],
    ['a group', PROJECT.replace('"pre-commit"', '"pre-commit", "tox"')],
    ['the name', PROJECT.replace('My_Proj', 'my-proj2').replace('My.Proj', 'my-proj2')],
    ['the build backend', PROJECT.replace('"setuptools>=61"', '"setuptools>=70"')],
  ])('editing %s changes it', (_what, text) => {
    expect(select(text, SELECTION).keyText).not.toBe(base)
  })

  test('a changed selection changes it', () => {
    expect(select(PROJECT, { ...SELECTION, extras: ['test', 'docs'] }).keyText).not.toBe(base)
    expect(select(PROJECT, { ...SELECTION, groups: [] }).keyText).not.toBe(base)
    expect(select(PROJECT, { ...SELECTION, withBuildSystem: false }).keyText).not.toBe(base)
    // The same selection spelled otherwise is the same selection.
    expect(select(PROJECT, { ...SELECTION, extras: ['Test', 'test'], groups: ['DEV'] }).keyText).toBe(base)
  })

  test('a used setuptools file entry is in it, an unused one is not', () => {
    const text = `[project]
name = "d"
dynamic = ["dependencies", "optional-dependencies"]
[tool.setuptools.dynamic]
dependencies = {file = ["a.txt"]}
optional-dependencies.test = {file = ["t.txt"]}
`
    const key = select(text).keyText
    expect(select(text.replace('t.txt', 'u.txt')).keyText).toBe(key)
    expect(select(text.replace('a.txt', 'b.txt')).keyText).not.toBe(key)
  })
})

describe('normalizeRequirement', () => {
  test.each([
    ['requests', 'requests'],
    ['  Foo_Bar.baz  ', 'foo-bar-baz'],
    [
      `Foo_Bar [Socks , Security] >= 2.0 , < 3 ; python_version<"3.12" and  sys_platform == 'linux'`,
      'foo-bar[security,socks]>=2.0,<3; python_version < "3.12" and sys_platform == "linux"',
    ],
    [
      `x; (os_name=='nt' or os_name == "posix")and extra=='a'`,
      'x; (os_name == "nt" or os_name == "posix") and extra == "a"',
    ],
    [`x; platform_release not  in '5.1'`, 'x; platform_release not in "5.1"'],
    [`x; implementation_name == 'say "hi"'`, `x; implementation_name == 'say "hi"'`],
    ['foo (>=1.0, <2)', 'foo(>=1.0,<2)'],
    ['foo[]', 'foo'],
    ['foo === 1.0+Local.A', 'foo===1.0+Local.A'],
    ['numpy==1.26.4', 'numpy==1.26.4'],
    [
      'Pkg @ https://example.org/Pkg-1.0.tar.gz#sha256=ABC',
      'pkg @ https://example.org/Pkg-1.0.tar.gz#sha256=ABC',
    ],
    ['pkg@ https://x/Y.whl   ;os_name=="nt"', 'pkg @ https://x/Y.whl ; os_name == "nt"'],
    // Not understood: kept as written (trimmed).
    ['pkg @ https://x/y.whl;os_name=="nt"', 'pkg @ https://x/y.whl;os_name=="nt"'],
    ['git+https://github.com/Org/Pkg', 'git+https://github.com/Org/Pkg'],
    ['./libs/X', './libs/X'],
    ['Foo Bar', 'Foo Bar'],
    ['Foo >= 1 ; python_version ~ "3"', 'Foo >= 1 ; python_version ~ "3"'],
    ['Foo; ', 'Foo;'],
  ])('%j -> %j', (spec, normalized) => {
    expect(normalizeRequirement(spec)).toBe(normalized)
  })

  test('versions are never touched', () => {
    expect(normalizeRequirement('numpy==1.26.40')).not.toBe(normalizeRequirement('numpy==1.26.4'))
    expect(normalizeRequirement('numpy==1.26.4.*')).not.toBe(normalizeRequirement('numpy==1.26.4'))
  })
})
