// Typed fixtures for unit tests: the action's defaults, with overrides.
import type { Inputs } from '../src/inputs.js'

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
    ...overrides,
  }
}
