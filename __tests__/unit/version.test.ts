import {
  compareVersions,
  parseFinalVersion,
  parseVersionRequest,
  versionMatches,
  yamlFloatHint,
  type Version,
} from '../../src/version.js'

test.each<[string, number[] | undefined]>([
  ['3', [3]],
  ['3.12', [3, 12]],
  ['3.12.7', [3, 12, 7]],
  ['python3.12', undefined],
  ['3.x', undefined],
  ['3.12.7.1', undefined],
  ['./3.12', undefined],
  ['3.12 ', undefined],
  ['C:\\Python312\\python.exe', undefined],
  ['>=3.12', undefined],
  ['', undefined],
])('the python input %j is the version %j', (input, version) => {
  expect(parseVersionRequest(input)).toEqual(version)
})

test.each<[string, Version | undefined]>([
  ['3.12.7', [3, 12, 7]],
  ['3.10.13\n', [3, 10, 13]],
  ['3.14.0-rc.1', undefined], // a tool cache pre-release directory
  ['3.13.0rc1', undefined], // platform.python_version() of a pre-release
  ['3.12', undefined],
  ['', undefined],
])('%j is the final release %j', (text, version) => {
  expect(parseFinalVersion(text)).toEqual(version)
})

test('a request matches the versions it names', () => {
  expect(versionMatches([3, 12], [3, 12, 7])).toBe(true)
  expect(versionMatches([3, 12, 7], [3, 12, 7])).toBe(true)
  expect(versionMatches([3], [3, 8, 18])).toBe(true)
  expect(versionMatches([3, 1], [3, 10, 13])).toBe(false)
  expect(versionMatches([3, 12, 7], [3, 12, 8])).toBe(false)
})

test('versions compare numerically, not as text', () => {
  const sorted: Version[] = [
    [3, 10, 0],
    [3, 9, 18],
    [3, 12, 10],
    [3, 12, 9],
  ]
  sorted.sort(compareVersions)
  expect(sorted).toEqual([
    [3, 9, 18],
    [3, 10, 0],
    [3, 12, 9],
    [3, 12, 10],
  ])
})

test('an unquoted 3.10 that YAML read as 3.1 gets a hint, only when a 3.1x exists', () => {
  expect(yamlFloatHint([3, 1], [[3, 10, 13]])).toBe(
    "YAML reads an unquoted 3.10 as the number 3.1: write the version in quotes, e.g. python: '3.10'.",
  )
  expect(yamlFloatHint([3, 1], [[3, 9, 18]])).toBeUndefined()
  expect(yamlFloatHint([3, 8], [[3, 10, 13]])).toBeUndefined()
  expect(yamlFloatHint([3, 1, 0], [[3, 10, 0]])).toBeUndefined()
})
