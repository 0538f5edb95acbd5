// Cache service trouble, end to end: the bundled action runs as a runner step with the real @actions/cache
// against the project's cache service with a fault switched on (or no service at all), and must still exit
// 0 with a working venv, a warning that says what happened, the right `cache-status`, a venv built from
// scratch after any failed restore, and a bounded run time. Also: ACTIONS_CACHE_MODE, and two jobs saving
// one key at once.
//
// Each fault runs over both protocols where the protocol changes what the library does, and over one where
// it does not (each row names its protocols):
// - lookup answers 500: both (v1's REST client gives up at once; v2's twirp client retries, with backoff);
// - lookup answers 429 with Retry-After: v2, whose twirp client stops at once with a rate-limit warning of
//   its own (v1's REST client treats a 429 as it treats a 500);
// - download answers 500, is cut off or stalls, archive corrupt or not a tar: one protocol each, v1 and v2
//   in turn: both download the URL they are given with the same plain HTTP client, and extract with tar;
// - upload and commit answer 500: both (v1 uploads chunks to the service and commits there; v2 uploads to
//   blob storage with the Azure SDK and finalizes over twirp);
// - connection refused: both (two clients meet it);
// - no cache service configured: v2 (the library reads one variable per protocol, the action the answer);
// - ACTIONS_CACHE_MODE: v2 (the action's policy, and the library's own check, come before any request);
// - two jobs saving one key at once: both (v1 reserves with a REST call, v2 with CreateCacheEntry).
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { envV1, envV2 } from '../../test-support/cache-server/env.js'
import type { Faults } from '../../test-support/cache-server/server.js'
import {
  annotationsOf,
  cacheOps,
  entriesOlderThan,
  LOG,
  newRunner,
  NO_CACHE_SERVICE_WARNING,
  runAction,
  SMALL_REQUIREMENTS,
  stepEnv,
  tempDir,
  venvInUse,
  workingVenv,
  type Job,
  type Protocol,
} from '../../test-support/e2e.js'
import { seededRunner, useIndex, useServer } from '../../test-support/e2e-jest.js'
import { describeIf, lacksMountNamespace, lacksPython, testIf } from '../../test-support/needs.js'
import type { StepResult } from '../../test-support/runner.js'

// One index for the file; each protocol gets its own cache server.
const local = useIndex()

const BOTH: readonly Protocol[] = ['v1', 'v2']

const RESTORE_FAILED = /^Cache restore failed/
const NOT_SAVED = (key: string) => `Cache not saved for key: ${key}`
const BEING_SAVED = (key: string) => `Cache not saved: another job is saving an entry with key ${key}.`

/** A port on 127.0.0.1 that nothing listens on (connection refused). */
async function deadPort(): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as net.AddressInfo
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve()
    })
  })
  return port
}

/** Lines of the step's log equal to `line`. */
function count(step: StepResult, line: string): number {
  return step.stdout.split('\n').filter((l) => l === line).length
}

// Every step runs on CPython 3.11 (stepEnv puts it first on PATH).
describeIf(lacksPython('3.11')).each<Protocol>(['v1', 'v2'])('cache service faults over %s', (protocol) => {
  const cache = useServer()
  /** One runner whose workspace path, and so whose key, every test shares; its venv is removed before each. */
  let job: Job
  let venv: string
  let key: string
  const env = () => stepEnv(cache.server, protocol, local.index.url)

  beforeAll(async () => {
    ;({ job, venv, key } = await seededRunner(env()))
  })
  beforeEach(() => {
    cache.server.clearFaults()
    cache.server.clearRequests()
    fs.rmSync(venv, { recursive: true, force: true }) // a fresh runner
  })

  // Each breaks the restore of the entry the seed run saved under this very key. The bound is for the
  // whole step, a build included: the library gives up on a stalled plain-HTTP download after 5 s without
  // data, and its twirp client (v2) tries a 500 five times with backoff (25 to 35 s) before it gives up.
  interface RestoreFault {
    readonly name: string
    readonly faults: Faults
    /** The library's warning. */
    readonly cause: RegExp
    readonly boundMs: number
    readonly over: readonly Protocol[]
  }
  const restoreFaults: RestoreFault[] = [
    {
      name: 'the lookup answers 500 every time',
      faults: { lookup: 'status500' },
      cause: /^Failed to restore: .*(Cache service responded with 500|\(500\) Internal Server Error)/,
      boundMs: protocol === 'v2' ? 90_000 : 60_000,
      over: BOTH,
    },
    {
      name: 'the lookup answers 429 with Retry-After',
      faults: { lookup: 'status429' },
      cause: /^Failed to restore: .*(Cache service responded with 429|\(429\) Too Many Requests)/,
      boundMs: 60_000,
      over: ['v2'],
    },
    {
      name: 'the download answers 500',
      faults: { download: 'status500' },
      cause: /^Failed to restore: downloadCache failed: Cache service responded with 500$/,
      boundMs: 60_000,
      over: ['v1'],
    },
    {
      name: 'the download is cut off mid-archive',
      faults: { download: 'truncate' },
      cause: /^Failed to restore: aborted$/,
      boundMs: 60_000,
      over: ['v2'],
    },
    {
      name: 'the download stalls after a few bytes',
      faults: { download: 'stall' },
      cause: /^Failed to restore: Premature close$/,
      boundMs: 60_000,
      over: ['v1'],
    },
    {
      name: 'the archive is corrupt halfway, after part of the venv is extracted',
      faults: { download: 'corrupt' },
      cause: /^Failed to restore: ".*tar" failed with error: The process '.*tar' failed with exit code/,
      boundMs: 60_000,
      over: ['v2'],
    },
    {
      name: 'the archive is not a valid tar',
      faults: { download: 'garbage' },
      cause: /^Failed to restore: ".*tar" failed with error: The process '.*tar' failed with exit code/,
      boundMs: 60_000,
      over: ['v1'],
    },
  ]
  test.each(restoreFaults.filter((fault) => fault.over.includes(protocol)))(
    '$name: exit 0, a warning, cache-status error, a venv built from scratch',
    async ({ faults, cause, boundMs }) => {
      cache.server.setFaults(faults)
      // Whatever the seed run wrote is then at least a second older than anything this step writes.
      await sleep(1100)
      const started = Date.now()
      const step = await runAction(job, { env: env() })
      expect(step.code).toBe(0)
      expect(cache.server.requests.filter((r) => r.fault !== undefined).length).toBeGreaterThan(0)
      expect(step.outputs['cache-hit']).toBe('false')
      expect(step.outputs['cache-status']).toBe('error')
      expect(annotationsOf(step, 'error')).toEqual([])
      const warnings = annotationsOf(step, 'warning')
      // The library's warning says what happened; the action's says what it did about it.
      expect(warnings).toContainEqual(expect.stringMatching(cause))
      expect(warnings).toContain('Cache restore failed (see the warning above): the venv is built instead.')
      expect(step.stdout).not.toContain(LOG.restored(key))
      // Nothing extracted by the failed restore survived: every file is younger than the step.
      expect(entriesOlderThan(venv, started)).toEqual([])
      expect(step.durationMs).toBeLessThan(boundMs)
      // A stall costs the library's 5 s idle limit, not its 10-minute segment timeout.
      const restore = /^Restore took ([\d.]+) (s|ms)$/m.exec(step.stdout)
      expect(restore).not.toBeNull()
      if (faults.download === 'stall')
        expect(Number(restore?.[1]) * (restore?.[2] === 's' ? 1000 : 1)).toBeLessThan(15_000)
      expect(await venvInUse(step)).toEqual(workingVenv(venv))
    },
  )

  const saveFaults: [string, Faults][] = [
    ['the upload answers 500', { upload: 'status500' }],
    ['the commit (finalize) answers 500', { commit: 'status500' }],
  ]
  test.each(saveFaults)(
    '%s: exit 0, a warning that nothing was saved, a working venv',
    async (name, faults) => {
      cache.server.setFaults(faults)
      // A key of its own, so that the save really uploads.
      const suffix = name.replace(/\W+/g, '-')
      const step = await runAction(job, { env: env(), inputs: { 'cache-suffix': suffix } })
      expect(step.code).toBe(0)
      const own = step.outputs['cache-key'] ?? ''
      expect(own).toContain(`-${suffix}-`)
      expect(step.outputs['cache-status']).toBe('miss')
      expect(annotationsOf(step, 'error')).toEqual([])
      const warnings = annotationsOf(step, 'warning')
      expect(warnings).toContainEqual(expect.stringMatching(/Failed to save: .*500/))
      expect(warnings).toContain(`${NOT_SAVED(own)}. The venv itself is ready; the next run builds it again.`)
      expect(step.stdout).not.toContain(LOG.saved(own))
      expect(cache.server.entries().filter((e) => e.key === own && e.finalized)).toEqual([])
      expect(await venvInUse(step)).toEqual(workingVenv(venv))
    },
  )

  test('connection refused: exit 0, warnings, cache-status error, a working venv', async () => {
    const url = `http://127.0.0.1:${await deadPort()}/`
    const refused = { ...env(), ...(protocol === 'v1' ? envV1(url) : envV2(url)) }
    const step = await runAction(job, { env: refused })
    expect(step.code).toBe(0)
    expect(step.outputs['cache-status']).toBe('error')
    expect(annotationsOf(step, 'error')).toEqual([])
    const warnings = annotationsOf(step, 'warning')
    expect(warnings).toContainEqual(expect.stringMatching(RESTORE_FAILED))
    expect(warnings.join('\n')).toContain('ECONNREFUSED')
    expect(warnings).toContainEqual(expect.stringContaining(NOT_SAVED(key)))
    expect(step.durationMs).toBeLessThan(60_000)
    expect(await venvInUse(step)).toEqual(workingVenv(venv))
  })

  // Over v2 only: nothing here depends on the protocol (see the top of the file).
  if (protocol === 'v2') {
    test('no cache service configured: exit 0, one warning, cache-status error, no request', async () => {
      // The runner's token and protocol switch are there, the service URL is not.
      const unconfigured: Record<string, string> = { ...env() }
      delete unconfigured['ACTIONS_CACHE_URL']
      delete unconfigured['ACTIONS_RESULTS_URL']
      const step = await runAction(job, { env: unconfigured })
      expect(step.code).toBe(0)
      expect(step.outputs['cache-status']).toBe('error')
      expect(step.annotations).toEqual([NO_CACHE_SERVICE_WARNING])
      expect(cache.server.requests).toEqual([])
      expect(await venvInUse(step)).toEqual(workingVenv(venv))
    })

    describe('ACTIONS_CACHE_MODE', () => {
      const LINES = {
        read: "Cache mode 'read' (ACTIONS_CACHE_MODE): restore only, nothing is saved.",
        'write-only':
          "Cache mode 'write-only' (ACTIONS_CACHE_MODE): nothing is restored, the venv is built and saved.",
        none: "Cache mode 'none' (ACTIONS_CACHE_MODE): the cache is not used.",
      }

      test('read, on a hit: lookup and download only, the one log line', async () => {
        const step = await runAction(job, { env: { ...env(), ACTIONS_CACHE_MODE: 'read' } })
        expect(step.code).toBe(0)
        expect(step.outputs['cache-status']).toBe('hit')
        expect(cacheOps(cache.server)).toEqual(['lookup', 'download'])
        expect(count(step, LINES.read)).toBe(1)
        expect(step.annotations).toEqual([])
        expect(await venvInUse(step)).toEqual(workingVenv(venv))
      })

      test('read, on a miss: a lookup, nothing saved, the one log line', async () => {
        const step = await runAction(job, {
          env: { ...env(), ACTIONS_CACHE_MODE: 'read' },
          inputs: { 'cache-suffix': 'mode-read' },
        })
        expect(step.code).toBe(0)
        expect(step.outputs['cache-status']).toBe('miss')
        expect(cacheOps(cache.server)).toEqual(['lookup'])
        expect(cache.server.entries().filter((e) => e.key === step.outputs['cache-key'])).toEqual([])
        expect(count(step, LINES.read)).toBe(1)
        expect(step.annotations).toEqual([])
        expect(await venvInUse(step)).toEqual(workingVenv(venv))
      })

      test('write-only: no lookup, the venv is built and saved, the one log line', async () => {
        const step = await runAction(job, {
          env: { ...env(), ACTIONS_CACHE_MODE: 'write-only' },
          inputs: { 'cache-suffix': 'mode-write-only' },
        })
        expect(step.code).toBe(0)
        const own = step.outputs['cache-key'] ?? ''
        expect(step.outputs['cache-status']).toBe('miss')
        expect(cacheOps(cache.server)).toEqual(['reserve', 'upload', 'commit'])
        expect(step.stdout).toContain(LOG.saved(own))
        expect(cache.server.entries().filter((e) => e.key === own && e.finalized)).toHaveLength(1)
        expect(count(step, LINES['write-only'])).toBe(1)
        expect(step.annotations).toEqual([])
        expect(await venvInUse(step)).toEqual(workingVenv(venv))
      })

      test('none: no request at all, cache-status disabled, the one log line', async () => {
        const step = await runAction(job, { env: { ...env(), ACTIONS_CACHE_MODE: 'none' } })
        expect(step.code).toBe(0)
        expect(step.outputs['cache-status']).toBe('disabled')
        expect(cache.server.requests).toEqual([])
        expect(count(step, LINES.none)).toBe(1)
        expect(step.annotations).toEqual([])
        expect(await venvInUse(step)).toEqual(workingVenv(venv))
      })
    })
  }

  // Two runners build the same venv at the same absolute path (so with the same key) at the same time. Each
  // runs in its own mount namespace, where its own directory is bound over the shared workspace path; the
  // service holds every commit so that the two saves overlap.
  testIf(lacksMountNamespace())(
    'two jobs with one key at once: both green with working venvs, one saves, the other says why not',
    async () => {
      const shared = newRunner({}) // its workspace is the path both jobs see
      const jobs = ['a', 'b'].map((name) => {
        const own = tempDir(`race-${name}`)
        for (const [file, text] of Object.entries(SMALL_REQUIREMENTS))
          fs.writeFileSync(path.join(own, file), text)
        // Runs a command with `own` bound over the shared workspace, in the command's working directory.
        const wrap = [
          'unshare',
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          'mount --bind "$0" "$1" && cd "$(pwd -P)" && shift && exec "$@"',
          own,
          shared.workspace,
        ]
        const node = path.join(own, '..', `${path.basename(own)}-node.sh`)
        fs.writeFileSync(
          node,
          `#!/bin/sh\nexec ${wrap.map((w) => `'${w}'`).join(' ')} '${process.execPath}' "$@"\n`,
        )
        fs.chmodSync(node, 0o755)
        return { own, wrap, node }
      })
      cache.server.setFaults({ commitDelayMs: 15_000 })
      const finished: string[] = []
      const steps = await Promise.all(
        jobs.map(async ({ node }, i) => {
          const step = await runAction(shared, {
            env: { ...env() },
            node,
            inputs: { 'cache-suffix': 'race' },
          })
          finished.push(String(i))
          return step
        }),
      )
      const [a, b] = steps as [StepResult, StepResult]
      expect([a.code, b.code]).toEqual([0, 0])
      const raceKey = a.outputs['cache-key'] ?? ''
      expect(b.outputs['cache-key']).toBe(raceKey)
      const saver = steps.findIndex((s) => s.stdout.includes(LOG.saved(raceKey)))
      expect(saver).toBeGreaterThanOrEqual(0)
      const other = steps[1 - saver] as StepResult
      expect(other.stdout).not.toContain(LOG.saved(raceKey))
      expect(count(other, BEING_SAVED(raceKey))).toBe(1)
      for (const step of steps) {
        expect(step.outputs['cache-status']).toBe('miss')
        expect(annotationsOf(step, 'error')).toEqual([])
        expect(annotationsOf(step, 'warning')).toEqual([])
      }
      // They overlapped: the job that did not save was done while the other's commit was still held.
      expect(finished[0]).toBe(String(1 - saver))
      expect(cache.server.entries().filter((e) => e.key === raceKey && e.finalized)).toHaveLength(1)
      for (const [i, step] of steps.entries()) {
        expect(await venvInUse(step, jobs[i]?.wrap)).toEqual(
          workingVenv(path.join(shared.workspace, '.venv')),
        )
      }
    },
  )
})
