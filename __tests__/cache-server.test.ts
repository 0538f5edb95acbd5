// Drives the real @actions/cache 6 against the local cache service, over both protocols.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createHash, randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import * as cache from '@actions/cache'
import { startCacheServer, UNSET_FOR_V1, type CacheServer } from '../test-support/cache-server/server.js'
import { FAULTS_ENV, parseFaults } from '../test-support/cache-server/faults.js'
import { parseCliArgs, runCli } from '../test-support/cache-server/cli.js'

type Proto = 'v1' | 'v2'

const MANAGED_ENV = [
  'ACTIONS_CACHE_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_MODE',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE',
  'RUNNER_TEMP',
  'CACHE_UPLOAD_CHUNK_SIZE',
  'SEGMENT_DOWNLOAD_TIMEOUT_MINS',
]
const savedEnv = Object.fromEntries(MANAGED_ENV.map((name) => [name, process.env[name]]))

function restoreEnv(): void {
  for (const [name, value] of Object.entries(savedEnv)) {
    if (value === undefined) Reflect.deleteProperty(process.env, name)
    else process.env[name] = value
  }
}

/** Per-test world: a store dir, a workspace holding `data/`, a runner temp dir and a server. */
class World {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-server-test-'))
  readonly store = path.join(this.root, 'store')
  readonly workspace = path.join(this.root, 'ws')
  readonly temp = path.join(this.root, 'runner-temp')
  readonly data = path.join(this.workspace, 'data')
  server!: CacheServer

  constructor(readonly proto: Proto) {
    fs.mkdirSync(this.workspace)
    fs.mkdirSync(this.temp)
  }

  async start(): Promise<CacheServer> {
    this.server = await startCacheServer({ dir: this.store })
    for (const name of MANAGED_ENV) Reflect.deleteProperty(process.env, name)
    if (this.proto === 'v1') for (const name of UNSET_FOR_V1) Reflect.deleteProperty(process.env, name)
    Object.assign(process.env, this.proto === 'v1' ? this.server.envV1() : this.server.envV2(), {
      RUNNER_TEMP: this.temp,
      GITHUB_WORKSPACE: this.workspace,
    })
    return this.server
  }

  async restart(): Promise<CacheServer> {
    await this.server.close()
    return this.start()
  }

  async dispose(): Promise<void> {
    await this.server.close()
    fs.rmSync(this.root, { recursive: true, force: true })
  }

  writeData(files: Record<string, string | Buffer>): void {
    fs.rmSync(this.data, { recursive: true, force: true })
    for (const [name, content] of Object.entries(files)) {
      const file = path.join(this.data, name)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, content)
    }
  }

  readData(): Record<string, string> {
    if (!fs.existsSync(this.data)) return {}
    const names = fs.readdirSync(this.data, { recursive: true, encoding: 'utf8' })
    return Object.fromEntries(
      names
        .filter((name) => fs.statSync(path.join(this.data, name)).isFile())
        .sort()
        .map((name) => [name, fs.readFileSync(path.join(this.data, name), 'utf8')]),
    )
  }

  /** Archives left under RUNNER_TEMP (save leaves its manifest.txt there; that is not counted). */
  tempArchives(): string[] {
    return fs
      .readdirSync(this.temp, { recursive: true, encoding: 'utf8' })
      .filter((name) => /^cache\.t/.test(path.basename(name)))
  }

  save(key: string, paths = [this.data]): Promise<number> {
    return cache.saveCache(paths, key)
  }

  /** Restores after deleting `data/`, so whatever is there afterwards came from the cache. */
  restore(
    key: string,
    restoreKeys: string[] = [],
    paths = [this.data],
    options?: cache.DownloadOptions,
  ): Promise<string | undefined> {
    fs.rmSync(this.data, { recursive: true, force: true })
    return cache.restoreCache(paths, key, restoreKeys, options)
  }

  /** `protocol op status` per request, a compact view of what the library did on the wire. */
  wire(): string[] {
    return this.server.requests.map((r) => `${r.protocol} ${r.op} ${r.status}`)
  }

  count(op: string): number {
    return this.server.requests.filter((r) => r.op === op).length
  }
}

/**
 * The libraries sleep for seconds between retries (twirp client 3 s growing by 1.5x, Azure SDK
 * 4 s then 12 s, v1 5 s). Shrinking those sleeps lets the fault tests watch every retry quickly.
 * Socket idle timeouts and the server's own delays do not go through the global setTimeout.
 */
async function withFastRetries<T>(run: () => Promise<T>): Promise<T> {
  const original = globalThis.setTimeout
  const fast = (handler: () => void, ms?: number) =>
    original(handler, ms !== undefined && ms >= 2000 ? 5 : ms)
  globalThis.setTimeout = fast as unknown as typeof setTimeout
  try {
    return await run()
  } finally {
    globalThis.setTimeout = original
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(20)
  }
}

const OPS = {
  v1: { lookup: 'lookup', reserve: 'reserve', upload: 'upload', commit: 'commit' },
  v2: {
    lookup: 'GetCacheEntryDownloadURL',
    reserve: 'CreateCacheEntry',
    upload: 'putBlob',
    commit: 'FinalizeCacheEntryUpload',
  },
} as const

afterEach(restoreEnv)

describe.each(['v1', 'v2'] as const)('cache protocol %s with the real @actions/cache', (proto) => {
  let w: World
  const ops = OPS[proto]

  beforeEach(async () => {
    w = new World(proto)
    await w.start()
  })
  afterEach(async () => {
    await w.dispose()
  })

  test('the library sees the service as available and picks this protocol', async () => {
    expect(cache.isFeatureAvailable()).toBe(true)
    w.writeData({ 'a.txt': 'a' })
    await w.save('which-protocol')
    await w.restore('which-protocol')
    expect(new Set(w.server.requests.map((r) => r.protocol))).toEqual(new Set([proto, 'blob']))
  })

  test('save then restore round-trips file content', async () => {
    const files = {
      'a.txt': 'alpha\n',
      'sub/b.bin': randomBytes(4096).toString('latin1'),
      'sub/deep/c.txt': 'gamma',
    }
    w.writeData(files)
    const id = await w.save('round-trip')
    expect(id).toBeGreaterThan(0)
    expect(w.server.entries()).toEqual([
      expect.objectContaining({ id, key: 'round-trip', finalized: true, size: expect.any(Number) }),
    ])
    expect(w.server.entries()[0]?.size).toBeGreaterThan(0)

    await expect(w.restore('round-trip')).resolves.toBe('round-trip')
    expect(w.readData()).toEqual(files)
    expect(w.wire()).toEqual(
      proto === 'v1'
        ? ['v1 reserve 201', 'v1 upload 204', 'v1 commit 204', 'v1 lookup 200', 'blob download 200']
        : [
            'v2 CreateCacheEntry 200',
            'blob putBlob 201',
            'v2 FinalizeCacheEntryUpload 200',
            'v2 GetCacheEntryDownloadURL 200',
            'blob download 200',
          ],
    )
  })

  test('an exact key match beats a newer prefix match', async () => {
    w.writeData({ 'f.txt': 'exact' })
    await w.save('deps-a')
    w.writeData({ 'f.txt': 'newer-prefix' })
    await w.save('deps-ab')

    await expect(w.restore('deps-a')).resolves.toBe('deps-a')
    expect(w.readData()).toEqual({ 'f.txt': 'exact' })
  })

  test('restore keys are tried in order as prefixes, newest entry first', async () => {
    for (const [key, content] of [
      ['os-dep-1', 'one'],
      ['os-dep-2', 'two'],
      ['os-zzz', 'zzz'],
    ] as const) {
      w.writeData({ 'f.txt': content })
      await w.save(key)
    }
    await expect(w.restore('os-dep-9', ['os-dep-', 'os-'])).resolves.toBe('os-dep-2')
    expect(w.readData()).toEqual({ 'f.txt': 'two' })
    // The first restore key that matches anything wins, even if a later one has a newer entry.
    await expect(w.restore('none', ['os-z', 'os-'])).resolves.toBe('os-zzz')
    await expect(w.restore('none', ['os-dep-1', 'os-'])).resolves.toBe('os-dep-1')
    // The primary key is itself tried as a prefix.
    await expect(w.restore('os-dep')).resolves.toBe('os-dep-2')
    await expect(w.restore('none', ['other-'])).resolves.toBeUndefined()
  })

  test('a different version (other paths) is a miss', async () => {
    w.writeData({ 'f.txt': 'x' })
    await w.save('versioned')
    w.server.clearRequests()

    const other = path.join(w.workspace, 'other')
    await expect(w.restore('versioned', [], [w.data, other])).resolves.toBeUndefined()
    expect(w.wire()).toEqual([proto === 'v1' ? 'v1 lookup 204' : 'v2 GetCacheEntryDownloadURL 200'])
    expect(w.readData()).toEqual({})
  })

  test('a second save of the same key is refused (-1, no throw) and the first entry stays intact', async () => {
    w.writeData({ 'f.txt': 'first' })
    const first = await w.save('immutable')
    expect(first).toBeGreaterThan(0)

    w.writeData({ 'f.txt': 'second' })
    await expect(w.save('immutable')).resolves.toBe(-1)
    expect(w.server.requests.filter((r) => r.op === ops.reserve).map((r) => r.status)).toEqual(
      proto === 'v1' ? [201, 409] : [200, 409],
    )
    expect(w.count(ops.upload)).toBe(1)
    expect(w.server.entries()).toEqual([
      expect.objectContaining({ id: first, key: 'immutable', finalized: true }),
    ])

    await expect(w.restore('immutable')).resolves.toBe('immutable')
    expect(w.readData()).toEqual({ 'f.txt': 'first' })
  })

  test('deleteKey removes the entry (as gh cache delete does): a miss, then the key can be saved again', async () => {
    w.writeData({ 'f.txt': 'first' })
    expect(await w.save('deleted')).toBeGreaterThan(0)
    expect(w.server.deleteKey('deleted')).toBe(1)
    expect(w.server.entries()).toEqual([])
    await expect(w.restore('deleted')).resolves.toBeUndefined()
    w.writeData({ 'f.txt': 'second' })
    expect(await w.save('deleted')).toBeGreaterThan(0)
    await expect(w.restore('deleted')).resolves.toBe('deleted')
    expect(w.readData()).toEqual({ 'f.txt': 'second' })
  })

  test('an entry whose upload is not finalized cannot be restored, and a racing save is refused', async () => {
    w.server.setFaults({ commitDelayMs: 2500 })
    w.writeData({ 'f.txt': 'winner' })
    const firstSave = w.save('race')
    await waitFor(() => w.count(ops.commit) === 1, 'the first job to reach commit')
    expect(w.server.entries()).toEqual([expect.objectContaining({ key: 'race', finalized: false })])

    await expect(w.restore('race')).resolves.toBeUndefined()
    w.writeData({ 'f.txt': 'loser' })
    await expect(w.save('race')).resolves.toBe(-1)

    const id = await firstSave
    expect(id).toBeGreaterThan(0)
    expect(w.server.entries()).toEqual([expect.objectContaining({ id, key: 'race', finalized: true })])
    await expect(w.restore('race')).resolves.toBe('race')
    expect(w.readData()).toEqual({ 'f.txt': 'winner' })
  })

  test('entries persist across a server restart on the same directory', async () => {
    w.writeData({ 'f.txt': 'kept' })
    const id = await w.save('persisted')
    const before = w.server.entries()
    const oldUrl = w.server.url

    await w.restart()
    expect(w.server.url).not.toBe(oldUrl)
    expect(w.server.entries()).toEqual(before)
    await expect(w.restore('persisted')).resolves.toBe('persisted')
    expect(w.readData()).toEqual({ 'f.txt': 'kept' })

    w.writeData({ 'f.txt': 'more' })
    await expect(w.save('after-restart')).resolves.toBeGreaterThan(id)
  })

  test('the library refuses bad keys itself, and the server refuses them too', async () => {
    w.writeData({ 'f.txt': 'x' })
    await expect(w.save('a,b')).rejects.toThrow(cache.ValidationError)
    await expect(w.save('k'.repeat(513))).rejects.toThrow(cache.ValidationError)
    expect(w.server.requests).toEqual([])

    const token = process.env.ACTIONS_RUNTIME_TOKEN ?? ''
    const create = async (key: string, auth = `Bearer ${token}`) => {
      const res =
        proto === 'v1'
          ? await fetch(`${w.server.url}_apis/artifactcache/caches`, {
              method: 'POST',
              headers: { authorization: auth, 'content-type': 'application/json' },
              body: JSON.stringify({ key, version: 'v', cacheSize: 1 }),
            })
          : await fetch(`${w.server.url}twirp/github.actions.results.api.v1.CacheService/CreateCacheEntry`, {
              method: 'POST',
              headers: { authorization: auth, 'content-type': 'application/json' },
              body: JSON.stringify({ key, version: 'v' }),
            })
      return { status: res.status, body: (await res.json()) as Record<string, unknown> }
    }
    if (proto === 'v1') {
      expect(await create('a,b')).toEqual({
        status: 400,
        body: expect.objectContaining({ message: expect.stringContaining('commas') }),
      })
      expect((await create('k'.repeat(513))).status).toBe(400)
      expect((await create('k'.repeat(512))).status).toBe(201)
      expect((await create('k'.repeat(512), 'Bearer wrong')).status).toBe(401)
    } else {
      expect(await create('a,b')).toEqual({
        status: 200,
        body: expect.objectContaining({ ok: false, message: expect.stringContaining('commas') }),
      })
      expect((await create('k'.repeat(513))).body.ok).toBe(false)
      expect((await create('k'.repeat(512))).body.ok).toBe(true)
      expect((await create('k'.repeat(512), 'Bearer wrong')).status).toBe(401)
    }
    expect(w.server.entries().map((e) => e.key)).toEqual(['k'.repeat(512)])
  })

  describe('fault switches', () => {
    beforeEach(async () => {
      w.writeData({ 'f.txt': 'cached', 'big.bin': randomBytes(1024 * 1024).toString('latin1') })
      await w.save('faulty')
      w.server.clearRequests()
    })

    test('lookup=status500: restore is a miss; v1 asks once, v2 retries 5 times', async () => {
      w.server.setFaults({ lookup: 'status500' })
      await expect(withFastRetries(() => w.restore('faulty'))).resolves.toBeUndefined()
      expect(w.wire()).toEqual(Array<string>(proto === 'v1' ? 1 : 5).fill(`${proto} ${ops.lookup} 500`))
      expect(w.readData()).toEqual({})

      w.server.clearFaults()
      await expect(w.restore('faulty')).resolves.toBe('faulty')
    })

    test('lookup=status429: restore is a miss after one request that carries Retry-After', async () => {
      w.server.setFaults({ lookup: 'status429' })
      await expect(withFastRetries(() => w.restore('faulty'))).resolves.toBeUndefined()
      expect(w.wire()).toEqual([`${proto} ${ops.lookup} 429`])
      const res =
        proto === 'v1'
          ? await fetch(`${w.server.url}_apis/artifactcache/cache?keys=faulty&version=x`, {
              headers: { authorization: `Bearer ${process.env.ACTIONS_RUNTIME_TOKEN ?? ''}` },
            })
          : await fetch(
              `${w.server.url}twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL`,
              {
                method: 'POST',
                headers: {
                  authorization: `Bearer ${process.env.ACTIONS_RUNTIME_TOKEN ?? ''}`,
                  'content-type': 'application/json',
                },
                body: '{"key":"faulty","version":"x"}',
              },
            )
      expect(res.status).toBe(429)
      expect(res.headers.get('retry-after')).toBe('1')
    })

    test.each(['status500', 'truncate', 'garbage'] as const)(
      'download=%s: restore is a miss, nothing extracted, no archive left behind',
      async (fault) => {
        w.server.setFaults({ download: fault })
        await expect(withFastRetries(() => w.restore('faulty'))).resolves.toBeUndefined()
        expect(w.readData()).toEqual({})
        expect(w.tempArchives()).toEqual([])
        expect(w.server.requests.filter((r) => r.protocol === 'blob')).toEqual([
          expect.objectContaining({
            op: 'download',
            status: fault === 'status500' ? 500 : 200,
            fault: `download=${fault}`,
          }),
        ])
      },
    )

    test('download=corrupt: the download passes, extraction fails partway and leaves part of the data', async () => {
      w.server.setFaults({ download: 'corrupt' })
      await expect(w.restore('faulty')).resolves.toBeUndefined()
      // A real partial restore: something was extracted, but not the data that was saved.
      const left = w.readData()
      expect(Object.keys(left).length).toBeGreaterThan(0)
      expect(left['big.bin']?.length ?? 0).toBeLessThan(1024 * 1024)
      expect(w.tempArchives()).toEqual([])
    })

    test('download=stall: the plain-HTTP download gives up after the fixed 5 s socket idle timeout', async () => {
      w.server.setFaults({ download: 'stall' })
      const started = Date.now()
      // Neither option reaches the plain-HTTP path; passing tiny values shows they do not bound it.
      const hit = await w.restore('faulty', [], [w.data], { timeoutInMs: 200, segmentTimeoutInMs: 200 })
      const elapsed = Date.now() - started
      expect(hit).toBeUndefined()
      expect(elapsed).toBeGreaterThanOrEqual(4500)
      expect(elapsed).toBeLessThan(15_000)
      expect(w.readData()).toEqual({})
      expect(w.tempArchives()).toEqual([])
    })

    test('reserve=status500: save returns -1; v1 asks once, v2 retries 5 times', async () => {
      w.server.setFaults({ reserve: 'status500' })
      w.writeData({ 'f.txt': 'new' })
      await expect(withFastRetries(() => w.save('never'))).resolves.toBe(-1)
      expect(w.wire()).toEqual(Array<string>(proto === 'v1' ? 1 : 5).fill(`${proto} ${ops.reserve} 500`))
      expect(w.server.entries().map((e) => e.key)).toEqual(['faulty'])
    })

    test('upload=status500: the entry stays unfinalized and unrestorable (v1 save still returns its id)', async () => {
      w.server.setFaults({ upload: 'status500' })
      w.writeData({ 'f.txt': 'new' })
      const id = await withFastRetries(() => w.save('half-uploaded'))
      const reserved = w.server.entries().find((e) => e.key === 'half-uploaded')
      expect(reserved).toEqual(expect.objectContaining({ finalized: false, size: 0 }))
      if (proto === 'v1') {
        // saveCacheV1 assigns the id at reservation and returns it even though the upload failed.
        expect(id).toBe(reserved?.id)
        expect(w.wire()).toEqual(['v1 reserve 201', 'v1 upload 500'])
      } else {
        expect(id).toBe(-1)
        // The Azure SDK retries a 500 itself (4 tries); finalize is never called.
        expect(w.wire()).toEqual(['v2 CreateCacheEntry 200', ...Array<string>(4).fill('blob putBlob 500')])
      }
      w.server.clearFaults()
      await expect(w.restore('half-uploaded')).resolves.toBeUndefined()
    })

    test('commit=status500: the entry stays unfinalized and unrestorable (v1 save still returns its id)', async () => {
      w.server.setFaults({ commit: 'status500' })
      w.writeData({ 'f.txt': 'new' })
      const id = await withFastRetries(() => w.save('uncommitted'))
      const reserved = w.server.entries().find((e) => e.key === 'uncommitted')
      expect(reserved).toEqual(expect.objectContaining({ finalized: false }))
      expect(w.count(ops.commit)).toBe(proto === 'v1' ? 1 : 5)
      expect(id).toBe(proto === 'v1' ? reserved?.id : -1)
      w.server.clearFaults()
      await expect(w.restore('uncommitted')).resolves.toBeUndefined()
      // The stale reservation also blocks a later save of the same key.
      w.writeData({ 'f.txt': 'retry' })
      await expect(w.save('uncommitted')).resolves.toBe(-1)
    })
  })
})

describe('protocol-specific upload shapes', () => {
  let w: World | undefined
  afterEach(async () => {
    await w?.dispose()
    w = undefined
  })

  test('v1: chunks uploaded concurrently and out of order are assembled by offset', async () => {
    w = new World('v1')
    await w.start()
    process.env.CACHE_UPLOAD_CHUNK_SIZE = '1' // MiB; the library reads it on every save
    w.writeData({ 'r.bin': randomBytes(3 * 1024 * 1024 + 123).toString('latin1') })
    const original = w.readData()
    await expect(w.save('chunked')).resolves.toBeGreaterThan(0)
    expect(w.count('upload')).toBeGreaterThanOrEqual(3)
    await expect(w.restore('chunked')).resolves.toBe('chunked')
    expect(w.readData()).toEqual(original)
  })

  test('v2: an archive over 128 MiB goes up as staged blocks plus a block list, and round-trips', async () => {
    w = new World('v2')
    await w.start()
    const big = path.join(w.data, 'big.bin')
    fs.mkdirSync(w.data, { recursive: true })
    const hash = createHash('sha256')
    const fd = fs.openSync(big, 'w')
    for (let i = 0; i < 140; i++) {
      const chunk = randomBytes(1024 * 1024)
      hash.update(chunk)
      fs.writeSync(fd, chunk)
    }
    fs.closeSync(fd)
    const digest = hash.digest('hex')

    await expect(w.save('big')).resolves.toBeGreaterThan(0)
    const blobOps = w.server.requests.filter((r) => r.protocol === 'blob').map((r) => `${r.op} ${r.status}`)
    expect(blobOps).toEqual(['putBlock 201', 'putBlock 201', 'putBlock 201', 'putBlockList 201'])
    expect(w.server.entries()[0]?.size).toBeGreaterThan(128 * 1024 * 1024)

    await expect(w.restore('big')).resolves.toBe('big')
    expect(createHash('sha256').update(fs.readFileSync(big)).digest('hex')).toBe(digest)
  }, 60_000)
})

describe('configuration', () => {
  test('envV1 / envV2 carry what each protocol needs', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-server-env-'))
    const server = await startCacheServer({ dir: root })
    try {
      expect(server.url).toBe(`http://127.0.0.1:${server.port}/`)
      expect(server.envV1()).toEqual({
        ACTIONS_CACHE_URL: server.url,
        ACTIONS_RUNTIME_TOKEN: expect.any(String),
        GITHUB_SERVER_URL: 'https://ghes.invalid',
      })
      expect(server.envV2()).toEqual({
        ACTIONS_RESULTS_URL: server.url,
        ACTIONS_CACHE_SERVICE_V2: 'true',
        ACTIONS_RUNTIME_TOKEN: server.envV1().ACTIONS_RUNTIME_TOKEN,
        GITHUB_SERVER_URL: 'https://github.com',
      })
      expect(UNSET_FOR_V1).toContain('ACTIONS_CACHE_SERVICE_V2')
      const [, payload] = (server.envV2().ACTIONS_RUNTIME_TOKEN ?? '').split('.')
      expect(JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())).toEqual(
        expect.objectContaining({ scp: expect.stringContaining('Actions.Results') }),
      )
    } finally {
      await server.close()
      fs.rmSync(root, { recursive: true, force: true })
    }
  })

  test('fault specs parse from flags and env, and typos are rejected', () => {
    expect(parseFaults(['lookup=status429,download=stall', 'commitDelayMs=250'])).toEqual({
      lookup: 'status429',
      download: 'stall',
      commitDelayMs: 250,
    })
    expect(() => parseFaults(['lookup=status503'])).toThrow(/unknown fault 'lookup=status503'/)
    expect(() => parseFaults(['commitDelayMs=soon'])).toThrow(/whole number/)
    expect(
      parseCliArgs(['--dir', 'd', '--port', '0', '--fault', 'upload=status500'], {
        [FAULTS_ENV]: 'commit=status500',
      }),
    ).toEqual({
      dir: path.resolve('d'),
      port: 0,
      faults: { commit: 'status500', upload: 'status500' },
      verbose: false,
    })
    expect(() => parseCliArgs([], {})).toThrow(/--dir/)
    expect(() => parseCliArgs(['--dir', 'd', '--bogus'], {})).toThrow()
  })

  test('the CLI prints one JSON line whose env reaches a working, fault-configured server', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-server-cli-'))
    const lines: string[] = []
    const logs: string[] = []
    const server = await runCli(
      ['--dir', root, '--fault', 'lookup=status429', '--verbose'],
      {},
      (line) => lines.push(line),
      (line) => logs.push(line),
    )
    try {
      expect(lines).toHaveLength(1)
      const printed = JSON.parse(lines[0] ?? '') as { url: string; envV2: Record<string, string> }
      expect(printed.url).toBe(server.url)
      const res = await fetch(
        new URL(
          'twirp/github.actions.results.api.v1.CacheService/GetCacheEntryDownloadURL',
          printed.envV2.ACTIONS_RESULTS_URL,
        ),
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${printed.envV2.ACTIONS_RUNTIME_TOKEN ?? ''}`,
            'content-type': 'application/json',
          },
          body: '{"key":"k","version":"v"}',
        },
      )
      expect(res.status).toBe(429)
      await waitFor(() => logs.length === 1, 'the request log line')
      expect(logs[0]).toMatch(/GetCacheEntryDownloadURL -> 429 \[lookup=status429\]/)
    } finally {
      await server.close()
      fs.rmSync(root, { recursive: true, force: true })
    }
  })
})
