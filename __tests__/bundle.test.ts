// The bundle's source map (scripts/bundler.js writes index.js.map beside index.js; src/stack.ts reads it
// when a stack is formatted): functions of the action, found in the minified bundle by the names it keeps,
// map back to the file and line of src/ that declare them. Checked on the bundle the end-to-end tests run,
// which jest's global set-up built from the current sources with the settings of `npm run bundle`.
import * as fs from 'node:fs'
import { SourceMap, type SourceMapPayload } from 'node:module'
import * as path from 'node:path'
import { DEFAULT_ENTRY, REPO_ROOT } from '../test-support/runner.js'

const code = fs.readFileSync(DEFAULT_ENTRY, 'utf8')
const payload = JSON.parse(fs.readFileSync(`${DEFAULT_ENTRY}.map`, 'utf8')) as SourceMapPayload
const map = new SourceMap(payload)

/** Zero-based line and column of `index` in the bundle. */
function position(index: number): { line: number; column: number } {
  const before = code.slice(0, index).split('\n')
  return { line: before.length - 1, column: (before[before.length - 1] ?? '').length }
}

test('the bundle names its map, and the map names only files of this checkout, by relative paths', () => {
  expect(code.endsWith('\n//# sourceMappingURL=index.js.map\n')).toBe(true)
  const outside = payload.sources.filter(
    (source) =>
      path.isAbsolute(source) ||
      !path.resolve(path.dirname(DEFAULT_ENTRY), source).startsWith(`${REPO_ROOT}${path.sep}`),
  )
  expect(outside).toEqual([])
})

test.each([
  ['restoredProblem', 'venv.ts'],
  ['restoreVenv', 'cache.ts'],
  ['saveVenv', 'cache.ts'],
  ['probePython', 'probe.ts'],
  ['readInputs', 'inputs.ts'],
  ['mapStacks', 'stack.ts'],
])('%s, declared in src/%s, maps to its declaration', (name, file) => {
  // keepNames: the bundle gives each function its name back with __name(<minified>, "<name>").
  const named = [...code.matchAll(new RegExp(`[\\w$]+\\(([\\w$]+),"${name}"\\)`, 'g'))]
  expect(named).toHaveLength(1)
  const minified = named[0]?.[1] ?? ''
  const declaration = new RegExp(`function ${minified.replace(/\$/g, '\\$')}\\(`).exec(code)
  expect(declaration).not.toBeNull()
  // The position of the function's (minified) name in `function <name>(`.
  const { line, column } = position((declaration?.index ?? 0) + 'function '.length)
  const source = fs.readFileSync(path.join(REPO_ROOT, 'src', file), 'utf8').split('\n')
  const declared = source.findIndex((l) => new RegExp(`^export (async )?function ${name}\\(`).test(l))
  expect(declared).toBeGreaterThanOrEqual(0)
  const entry = map.findEntry(line, column)
  expect({
    ...entry,
    originalSource:
      'originalSource' in entry ? path.resolve(path.dirname(DEFAULT_ENTRY), entry.originalSource) : '',
  }).toEqual({
    generatedLine: line,
    generatedColumn: column,
    originalSource: path.join(REPO_ROOT, 'src', file),
    originalLine: declared,
    originalColumn: (source[declared] ?? '').indexOf(name),
    name,
  })
})
