// How each answer of the cache library becomes an outcome (src/cache.ts). The library tells a fault only by
// the `::warning::`/`::error::` lines it writes to stdout, and the archive's size only by its log lines, so
// the stand-in client below writes what the library writes, as the library does (process.stdout), and
// answers as the library would. The end-to-end tests (e2e/faults.test.ts) make the real library meet the
// real faults; these pin the classification of every answer, and the one line the action adds.
import { jest } from '@jest/globals'
import { restoreVenv, saveVenv, STALL_TIMEOUT_MS, type CacheClient, type VenvKeys } from '../../src/cache.js'

const PREFIX = 'setup-venv-v2-linux-ubuntu24-20241117.1.0-x64-cpython3.12.7-0123456789abcdef-'
const KEYS: VenvKeys = {
  venvDir: '/home/runner/work/app/app/.venv',
  key: `${PREFIX}00000000000000000000000000000001`,
  keyPrefix: PREFIX,
}
const KEY = KEYS.key
/** An older entry of the same venv: same prefix, other dependencies. */
const OLDER = `${PREFIX}00000000000000000000000000000000`
/** What the service's prefix match of the primary key may answer: a key that starts with it. */
const LONGER = `${KEY}-suffix`
/** An entry of another interpreter build: outside the prefix. */
const OTHER =
  'setup-venv-v2-linux-ubuntu24-20241117.1.0-x64-cpython3.12.7-fedcba9876543210-00000000000000000000000000000000'

/** Writes lines to stdout the way the library does (through @actions/core, one write per line). */
function say(...lines: string[]): void {
  for (const line of lines) process.stdout.write(`${line}\n`)
}

type Restore = (restoreKeys: string[] | undefined, lookupOnly: boolean) => Promise<string | undefined>

/** A CacheClient whose restoreCache and saveCache run the given scripts; every call is recorded. */
function client(restore: Restore, save: () => Promise<number> = () => Promise.resolve(1)) {
  const restoreCache = jest.fn<CacheClient['restoreCache']>((_paths, _key, restoreKeys, options) =>
    restore(restoreKeys, options?.lookupOnly === true),
  )
  const saveCache = jest.fn<CacheClient['saveCache']>(() => save())
  const stub: CacheClient = { isFeatureAvailable: () => true, restoreCache, saveCache }
  return { stub, restoreCache, saveCache }
}

/** Runs `fn` with stdout captured: its result, and every line written meanwhile (the library's and ours). */
async function captured<T>(fn: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const write = process.stdout.write.bind(process.stdout)
  let text = ''
  process.stdout.write = (chunk: string | Uint8Array) => {
    text += String(chunk)
    return true
  }
  try {
    const result = await fn()
    return { result, lines: text.split('\n').filter((line) => line !== '') }
  } finally {
    process.stdout.write = write
  }
}

describe('restoreVenv', () => {
  test('a hit: the exact key, with the archive size from the library line', async () => {
    const { stub, restoreCache } = client(() => {
      say('Cache Size: ~21 MB (22020096 B)', `Cache restored from key: ${KEY}`)
      return Promise.resolve(KEY)
    })
    const { result, lines } = await captured(() => restoreVenv(KEYS, false, stub))
    expect(result).toEqual({ kind: 'hit', archiveBytes: 22020096 })
    expect(lines).toEqual([
      'Cache Size: ~21 MB (22020096 B)',
      `Cache restored from key: ${KEY}`,
      `Cache restored from key: ${KEY}`,
    ])
    // Only the exact key is asked for, and a stalled download is bounded.
    expect(restoreCache.mock.calls).toEqual([
      [[KEYS.venvDir], KEY, [], { segmentTimeoutInMs: STALL_TIMEOUT_MS }],
    ])
  })

  test('a miss: nothing under the key, and no warning', async () => {
    const { stub } = client(() => Promise.resolve(undefined))
    const { result, lines } = await captured(() => restoreVenv(KEYS, false, stub))
    expect(result).toEqual({ kind: 'miss' })
    expect(lines).toEqual([`No cache found for key: ${KEY}`])
  })

  test('failed: the library warned and restored nothing', async () => {
    const { stub } = client(() => {
      say('::warning::Failed to restore: Cache service responded with 500')
      return Promise.resolve(undefined)
    })
    const { result, lines } = await captured(() => restoreVenv(KEYS, false, stub))
    expect(result).toEqual({ kind: 'failed' })
    expect(lines).toEqual([
      '::warning::Failed to restore: Cache service responded with 500',
      '::warning::Cache restore failed (see the warning above): the venv is built instead.',
    ])
  })

  test('failed: an error annotation counts as a warning does', async () => {
    const { stub } = client(() => {
      say('::error::Cache service responded with 503')
      return Promise.resolve(undefined)
    })
    const { result } = await captured(() => restoreVenv(KEYS, false, stub))
    expect(result).toEqual({ kind: 'failed' })
  })

  test('failed: the library threw', async () => {
    const { stub } = client(() => Promise.reject(new Error('socket hang up')))
    const { result, lines } = await captured(() => restoreVenv(KEYS, false, stub))
    expect(result).toEqual({ kind: 'failed' })
    expect(lines).toEqual(['::warning::Cache restore failed, the venv is built instead: socket hang up'])
  })

  test("the service's prefix match of the key (a longer key) is a miss", async () => {
    const { stub } = client(() => {
      say('Cache Size: ~21 MB (22020096 B)', `Cache restored from key: ${LONGER}`)
      return Promise.resolve(LONGER)
    })
    const { result, lines } = await captured(() => restoreVenv(KEYS, false, stub))
    expect(result).toEqual({ kind: 'miss' })
    expect(lines.slice(2)).toEqual([`No cache found for key: ${KEY}`])
  })

  test('nearest: an older entry under the prefix is restored to sync, never a hit', async () => {
    const { stub, restoreCache } = client(() => Promise.resolve(OLDER))
    const { result, lines } = await captured(() => restoreVenv(KEYS, true, stub))
    expect(result).toEqual({ kind: 'nearest', key: OLDER })
    expect(lines).toEqual([`No cache found for key: ${KEY}`, `Restored the nearest entry, to sync: ${OLDER}`])
    expect(restoreCache.mock.calls).toEqual([
      [[KEYS.venvDir], KEY, [PREFIX], { segmentTimeoutInMs: STALL_TIMEOUT_MS }],
    ])
  })

  test('nearest: the library saying it found an older entry starts the sync work before the download', async () => {
    const heard: string[] = []
    const { stub } = client(() => {
      say(`Cache hit for restore-key: ${OLDER}`)
      heard.push('download') // what the library does next
      say('Cache Size: ~21 MB (22020096 B)')
      return Promise.resolve(OLDER)
    })
    const { result } = await captured(() =>
      restoreVenv(KEYS, true, stub, (key) => heard.push(`nearest ${key}`)),
    )
    expect(result).toEqual({ kind: 'nearest', key: OLDER })
    expect(heard).toEqual([`nearest ${OLDER}`, 'download'])
  })

  test.each([
    ['the exact key', `Cache hit for: ${KEY}`],
    ['a key outside the prefix', `Cache hit for restore-key: ${OTHER}`],
  ])('nearest: %s starts nothing', async (_what, line) => {
    const heard: string[] = []
    const { stub } = client(() => {
      say(line)
      return Promise.resolve(undefined)
    })
    await captured(() => restoreVenv(KEYS, true, stub, (key) => heard.push(key)))
    expect(heard).toEqual([])
  })

  test('nearest: the exact key is still a hit', async () => {
    const { stub } = client(() => Promise.resolve(KEY))
    const { result } = await captured(() => restoreVenv(KEYS, true, stub))
    expect(result).toEqual({ kind: 'hit', archiveBytes: undefined })
  })

  test('nearest: a key outside the prefix is a miss', async () => {
    const { stub } = client(() => Promise.resolve(OTHER))
    const { result, lines } = await captured(() => restoreVenv(KEYS, true, stub))
    expect(result).toEqual({ kind: 'miss' })
    expect(lines).toEqual([`No cache found for key: ${KEY}`])
  })

  test('nearest: a warning with nothing restored is still a failure', async () => {
    const { stub } = client(() => {
      say('::warning::Failed to restore: aborted')
      return Promise.resolve(undefined)
    })
    const { result } = await captured(() => restoreVenv(KEYS, true, stub))
    expect(result).toEqual({ kind: 'failed' })
  })
})

describe('saveVenv', () => {
  const RAN = { mayRead: true, restoreFailed: false }

  test('saved: an id and no warning, with the archive size from the debug line', async () => {
    const { stub, saveCache, restoreCache } = client(
      () => Promise.resolve(undefined),
      () => {
        say('::debug::File Size: 12345678', 'Cache Size: ~12 MB (12345678 B)', `Cache saved with key: ${KEY}`)
        return Promise.resolve(42)
      },
    )
    const { result, lines } = await captured(() => saveVenv(KEYS, RAN, stub))
    expect(result).toEqual({ kind: 'saved', archiveBytes: 12345678 })
    expect(lines.at(-1)).toBe(`Cache saved with key: ${KEY}`)
    expect(saveCache.mock.calls).toEqual([[[KEYS.venvDir], KEY]])
    expect(restoreCache).not.toHaveBeenCalled()
  })

  test('-1 and a lookup that finds the key: it exists; the lookup says nothing of its own', async () => {
    const { stub, restoreCache } = client(
      (_keys, lookupOnly) => {
        // What the library prints for a lookup: left out, it would read as a restore.
        say(`Cache hit for: ${KEY}`, `Lookup only - skipping download`)
        return Promise.resolve(lookupOnly ? KEY : undefined)
      },
      () => Promise.resolve(-1),
    )
    const { result, lines } = await captured(() => saveVenv(KEYS, RAN, stub))
    expect(result).toEqual({ kind: 'exists', archiveBytes: undefined })
    expect(lines).toEqual([`Cache not saved: an entry with key ${KEY} already exists.`])
    expect(restoreCache.mock.calls).toEqual([[[KEYS.venvDir], KEY, [], { lookupOnly: true }]])
  })

  test('-1 and a lookup that finds nothing: another job is saving it', async () => {
    const { stub } = client(
      () => Promise.resolve(undefined),
      () => Promise.resolve(-1),
    )
    const { result, lines } = await captured(() => saveVenv(KEYS, RAN, stub))
    expect(result).toEqual({ kind: 'exists', archiveBytes: undefined })
    expect(lines).toEqual([`Cache not saved: another job is saving an entry with key ${KEY}.`])
  })

  test('-1 when this run may not read the cache: no lookup, either reason named', async () => {
    const { stub, restoreCache } = client(
      () => Promise.resolve(KEY),
      () => Promise.resolve(-1),
    )
    const { result, lines } = await captured(() =>
      saveVenv(KEYS, { mayRead: false, restoreFailed: false }, stub),
    )
    expect(result).toEqual({ kind: 'exists', archiveBytes: undefined })
    expect(lines).toEqual([
      `Cache not saved: an entry with key ${KEY} already exists or another job is saving it.`,
    ])
    expect(restoreCache).not.toHaveBeenCalled()
  })

  test('-1 after a failed restore: no lookup (it would only meet the fault again), a failure', async () => {
    const { stub, restoreCache } = client(
      () => Promise.resolve(KEY),
      () => Promise.resolve(-1),
    )
    const { result, lines } = await captured(() =>
      saveVenv(KEYS, { mayRead: true, restoreFailed: true }, stub),
    )
    expect(result).toEqual({ kind: 'failed', archiveBytes: undefined })
    expect(lines).toEqual([
      `::warning::Cache not saved for key: ${KEY}: the service refused the entry and, as it failed this run's ` +
        'restore too, it is not asked why. The venv itself is ready.',
    ])
    expect(restoreCache).not.toHaveBeenCalled()
  })

  test('-1 and a lookup that fails: the save failed', async () => {
    const { stub } = client(
      () => {
        say('::warning::Failed to restore: Cache service responded with 500')
        return Promise.resolve(undefined)
      },
      () => Promise.resolve(-1),
    )
    const { result, lines } = await captured(() => saveVenv(KEYS, RAN, stub))
    expect(result).toEqual({ kind: 'failed', archiveBytes: undefined })
    expect(lines).toEqual([
      '::warning::Failed to restore: Cache service responded with 500',
      `::warning::Cache not saved for key: ${KEY}. The venv itself is ready; the next run builds it again.`,
    ])
  })

  test('a warning: failed, whatever the library answered', async () => {
    const { stub, restoreCache } = client(
      () => Promise.resolve(KEY),
      () => {
        say('::debug::File Size: 999', '::warning::Failed to save: Cache service responded with 500')
        return Promise.resolve(7)
      },
    )
    const { result, lines } = await captured(() => saveVenv(KEYS, RAN, stub))
    expect(result).toEqual({ kind: 'failed', archiveBytes: 999 })
    expect(lines.slice(1)).toEqual([
      '::warning::Failed to save: Cache service responded with 500',
      `::warning::Cache not saved for key: ${KEY}. The venv itself is ready; the next run builds it again.`,
    ])
    expect(restoreCache).not.toHaveBeenCalled()
  })

  test('a thrown error: failed, its message in the warning', async () => {
    const { stub } = client(
      () => Promise.resolve(KEY),
      () => Promise.reject(new Error('tar failed')),
    )
    const { result, lines } = await captured(() => saveVenv(KEYS, RAN, stub))
    expect(result).toEqual({ kind: 'failed', archiveBytes: undefined })
    expect(lines).toEqual([
      `::warning::Cache not saved for key: ${KEY} (tar failed). The venv itself is ready; the next run builds it again.`,
    ])
  })
})
