// Typed fixtures for unit tests: the action's defaults, with overrides; files written where a test wants them.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { Inputs } from '../src/inputs.js'
import { expandPatterns, readRequirementFiles, type RequirementFiles } from '../src/requirements.js'
import type { Dependencies } from '../src/sources.js'

/** What readInputs() returns when no input is set (pinned by __tests__/unit/inputs.test.ts). */
export function testInputs(overrides: Partial<Inputs> = {}): Inputs {
  return {
    python: undefined,
    path: '.venv',
    requirements: undefined,
    packages: [],
    pipArgs: [],
    workingDirectory: undefined,
    cache: true,
    cachePrivilegedEvents: false,
    cacheSuffix: '',
    extras: [],
    groups: [],
    installProject: 'auto',
    pipVersion: 'bundled',
    incremental: true,
    restoreCache: true,
    saveCache: true,
    failOnCacheMiss: false,
    ...overrides,
  }
}

/** sha256 of no requirement files, as readRequirementFiles hashes an empty set. */
export const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** Dependencies from `packages` alone (no file), with the key text sources.ts gives them. */
export function testDependencies(packages: readonly string[] = []): Dependencies {
  return {
    files: { roots: [], files: [], hash: EMPTY_HASH, local: [], findLinks: [] },
    pipFiles: [],
    copies: [],
    specs: packages.map((text) => ({ text, origin: "the 'packages' input" })),
    projects: [],
    lock: undefined,
    described: { sources: packages.length > 0 ? ["the 'packages' input"] : [], extras: [], groups: [] },
    keyText: JSON.stringify({ requirements: EMPTY_HASH, packages: [...packages].sort() }),
  }
}

/** Writes `text` to `rel` under `dir`, making the directories it needs; returns the file's path. */
export function writeFile(dir: string, rel: string, text: string): string {
  const file = path.join(dir, rel)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
  return file
}

/** The requirement files `patterns` name under `ws` (the workspace too), read as sources.ts reads them. */
export async function requirementFiles(patterns: readonly string[], ws: string): Promise<RequirementFiles> {
  return readRequirementFiles(await expandPatterns(patterns, ws), ws, ws)
}
