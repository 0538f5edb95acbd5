// The jest half of the end-to-end set-up: hooks that give a test file (or a describe block) the wheel index
// and a cache server for all its tests, and the seed run that fills the cache. It is apart from e2e.ts because scripts/demo.ts and bench/ import
// that outside jest. The hooks are imported from @jest/globals, not taken as globals, so this file also
// compiles under tsconfig.build.json, which has no jest types.
import * as path from 'node:path'
import { afterAll, beforeAll, expect } from '@jest/globals'
import type { CacheServer } from './cache-server/server.js'
import {
  buildTestIndex,
  LOG,
  newRunner,
  runAction,
  SMALL_REQUIREMENTS,
  startServer,
  stepEnv,
  type Job,
} from './e2e.js'

export type TestIndex = ReturnType<typeof buildTestIndex>

/** A value a hook sets; read before the hook ran, it says so instead of failing later on `undefined`. */
function ready<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the ${what} is not set up yet: use it in a test or a later hook`)
  return value
}

/** The index of buildTestIndex(), built once in the enclosing block's beforeAll. */
export function useIndex(): { readonly index: TestIndex } {
  let index: TestIndex | undefined
  beforeAll(() => {
    index = buildTestIndex()
  })
  return {
    get index() {
      return ready(index, 'test index')
    },
  }
}

/** A cache server for the enclosing block: started in its beforeAll, closed in its afterAll. */
export function useServer(): { readonly server: CacheServer } {
  let server: CacheServer | undefined
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(async () => {
    await server?.close()
  })
  return {
    get server() {
      return ready(server, 'cache server')
    },
  }
}

export interface IndexAndServer {
  readonly index: TestIndex
  readonly server: CacheServer
  /** The env a step gets: this server over the v2 protocol, and this index. */
  readonly env: () => ReturnType<typeof stepEnv>
}

/**
 * Both, for the enclosing block. Call it before the block's own hooks: jest runs beforeAll hooks in the
 * order they are registered, so a later hook (a seed run, say) can already use the index and the server.
 */
export function useIndexAndServer(): IndexAndServer {
  const built = useIndex()
  const cache = useServer()
  return {
    get index() {
      return built.index
    },
    get server() {
      return cache.server
    },
    env: () => stepEnv(cache.server, 'v2', built.index.url),
  }
}

/**
 * A new runner with SMALL_REQUIREMENTS whose first run built its venv and saved it to the cache: for tests
 * that all start from that entry. Call it in a beforeAll; it asserts the seed run worked, so a broken seed
 * fails there and not later in some test.
 */
export async function seededRunner(
  env: Record<string, string>,
): Promise<{ job: Job; venv: string; key: string }> {
  const job = newRunner(SMALL_REQUIREMENTS)
  const venv = path.join(job.workspace, '.venv')
  const seed = await runAction(job, { env })
  expect(seed.code).toBe(0)
  const key = seed.outputs['cache-key'] ?? ''
  expect(seed.stdout).toContain(LOG.saved(key))
  return { job, venv, key }
}
