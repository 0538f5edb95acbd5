// The procedure for one requirement set, for the hosted-runner Python, and for the fixed cost: an untimed
// miss that fills the cache (and, for a set, the check that the action's venv and a plain build hold the
// same packages), then rounds of interleaved runs, hit vs tar -x and miss vs plain build, each round
// starting with another of them.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { startCacheServer, type CacheServer } from '../test-support/cache-server/server.js'
import { REPO_ROOT } from '../test-support/runner.js'
import type { BenchEnv } from './env.js'
import { extractCommand, storedArchive } from './extract.js'
import { seconds } from './format.js'
import { newJob, removeJob, removeVenv, tempDir, type Job } from './job.js'
import { ACTION_NODE, runAction, runPlain, timeCommand, type ActionRun } from './measure.js'
import type { ActionSample, FixedCostResult, HostedResult, SetResult } from './results.js'
import type { BenchSet } from './sets.js'
import { treeSize, type TreeSize } from './sizes.js'
import { freeze, freezeDifferences } from './verify.js'

export type Log = (line: string) => void

/** Runs the thunks one after another, starting at a different one each round (A B, then B A, ...). */
export async function rotate(round: number, thunks: readonly (() => Promise<void>)[]): Promise<void> {
  for (let k = 0; k < thunks.length; k++) await thunks[(round + k) % thunks.length]?.()
}

function sample(run: ActionRun): ActionSample {
  return { ms: run.ms, phases: run.phases }
}

export async function withCache<T>(name: string, fn: (cache: CacheServer) => Promise<T>): Promise<T> {
  const cache = await startCacheServer({ dir: tempDir(`bench-${name}-cache`) })
  try {
    return await fn(cache)
  } finally {
    await cache.close()
    fs.rmSync(cache.dir, { recursive: true, force: true })
  }
}

/** A miss as on a first run: a new, empty cache service each time. */
function timedMiss(name: string, job: Job, env: BenchEnv): Promise<ActionSample> {
  return withCache(`${name}-empty`, async (empty) => sample(await runAction(job, env, empty.envV2(), 'miss')))
}

/**
 * Hits and their baseline. The extract command is learnt from the first hit's log (round 0 starts with the
 * hit), and the first extraction is checked to give the same files as that hit's restore.
 */
class HitPair {
  readonly hit: ActionSample[] = []
  readonly tar: number[] = []
  private argv: readonly string[] = []
  private archive = ''
  private restored: TreeSize = { bytes: 0, files: 0 }

  constructor(
    private readonly job: Job,
    private readonly env: BenchEnv,
    private readonly cache: CacheServer,
    private readonly log: Log,
  ) {}

  readonly runHit = async (): Promise<void> => {
    const run = await runAction(this.job, this.env, this.cache.envV2(), 'hit')
    this.hit.push(sample(run))
    if (this.argv.length > 0) return
    this.archive = storedArchive(this.cache, run.key)
    this.argv = extractCommand(run.log, this.archive, this.job.workspace)
    this.restored = treeSize(this.job.venv)
  }

  readonly runTar = async (): Promise<void> => {
    if (this.argv.length === 0) throw new Error('tar -x timed before a hit showed its command')
    removeVenv(this.job)
    this.tar.push(await timeCommand(this.argv, this.env.plain, this.job.workspace))
    if (this.tar.length > 1) return
    const extracted = treeSize(this.job.venv)
    if (extracted.bytes !== this.restored.bytes || extracted.files !== this.restored.files) {
      throw new Error(
        `tar -x gave ${String(extracted.files)} files (${String(extracted.bytes)} B), ` +
          `the action's restore ${String(this.restored.files)} (${String(this.restored.bytes)} B)`,
      )
    }
    this.log(`  checked: tar -x gives the same ${String(extracted.files)} files as the action's restore`)
  }

  get venv(): TreeSize {
    return this.restored
  }

  get archiveBytes(): number {
    return fs.statSync(this.archive).size
  }

  /** The command as run, with placeholders for the paths. */
  get command(): string {
    return this.argv.join(' ').replace(this.archive, '<archive>').replace(this.job.workspace, '<workspace>')
  }
}

/** Untimed: a miss fills `cache`; the action's venv and a plain build's must hold the same packages. */
async function fillAndCompare(
  set: BenchSet,
  job: Job,
  env: BenchEnv,
  cache: CacheServer,
  log: Log,
): Promise<number> {
  await runAction(job, env, cache.envV2(), 'miss')
  const actionFreeze = await freeze(job.venv, env)
  await runPlain(job, env)
  const plainFreeze = await freeze(job.venv, env)
  const problems = freezeDifferences(actionFreeze, plainFreeze, set)
  if (problems.length > 0) throw new Error(`${set.name}: the venvs differ:\n${problems.join('\n')}`)
  log(
    `  checked: pip freeze --all of the action's venv equals the plain build's, ${String(actionFreeze.length)} lines ` +
      `(pip and setuptools included): exactly the ${String(set.pins.length)} pins of ${path.relative(REPO_ROOT, set.file)}`,
  )
  return actionFreeze.length
}

export async function benchSet(set: BenchSet, env: BenchEnv, rounds: number, log: Log): Promise<SetResult> {
  const job = newJob(set.name, { 'requirements.txt': fs.readFileSync(set.file, 'utf8') })
  try {
    return await withCache(set.name, async (cache) => {
      log(
        `${set.name} (${String(set.pins.length)} packages): a miss to fill the cache, a plain build, pip freeze of both`,
      )
      const freezeLines = await fillAndCompare(set, job, env, cache, log)
      const hits = new HitPair(job, env, cache, log)
      const miss: ActionSample[] = []
      const plain: number[] = []
      for (let round = 0; round < rounds; round++) {
        await rotate(round, [hits.runHit, hits.runTar])
        await rotate(round, [
          async () => void miss.push(await timedMiss(set.name, job, env)),
          async () => void plain.push(await runPlain(job, env)),
        ])
        log(
          `  round ${String(round + 1)}/${String(rounds)}: hit ${seconds(hits.hit[round]?.ms ?? NaN)} vs tar -x ` +
            `${seconds(hits.tar[round] ?? NaN)}; miss ${seconds(miss[round]?.ms ?? NaN)} ` +
            `(Save ${seconds(miss[round]?.phases['Save'] ?? NaN)}) vs plain ${seconds(plain[round] ?? NaN)}`,
        )
      }
      return {
        name: set.name,
        description: set.description,
        packages: set.pins.length,
        venv: hits.venv,
        archiveBytes: hits.archiveBytes,
        tarCommand: hits.command,
        freezeLines,
        hit: hits.hit,
        tar: hits.tar,
        miss,
        plain,
      }
    })
  } finally {
    removeJob(job)
  }
}

/** The hosted-runner Python, as test-support/hosted-python.ts makes it, and the bench's env for it. */
export interface HostedBase {
  readonly env: BenchEnv
  readonly version: string
  readonly pip: string
  readonly bundledPip: string
}

/**
 * The fourth comparison: misses of `set` on a hosted runner's Python (hosted.env) against plain builds
 * there, and the same set's miss on the interpreter it was copied from (env), whose pip is the bundled
 * one, in each round: three runs in rotating order. Untimed first: a miss and a plain build there hold the
 * same packages, and the miss took the path for a base pip of another version.
 */
export async function benchHosted(
  set: BenchSet,
  env: BenchEnv,
  hosted: HostedBase,
  rounds: number,
  log: Log,
): Promise<HostedResult> {
  const job = newJob(`${set.name}-hosted`, { 'requirements.txt': fs.readFileSync(set.file, 'utf8') })
  const bundledJob = newJob(`${set.name}-bundled`, { 'requirements.txt': fs.readFileSync(set.file, 'utf8') })
  try {
    log(
      `${set.name} on a hosted runner's Python ${hosted.version} (pip ${hosted.pip}; venvs get ${hosted.bundledPip}): ` +
        'a miss, a plain build, pip freeze of both',
    )
    const freezeLines = await withCache(`${set.name}-hosted-check`, async (cache) => {
      const run = await runAction(job, hosted.env, cache.envV2(), 'miss')
      if (!run.log.includes('by the bundled pip unpacked into the venv')) {
        throw new Error(
          `The miss on the hosted runner's Python did not seed with the unpacked bundled pip:\n${run.log.slice(-3000)}`,
        )
      }
      const actionFreeze = await freeze(job.venv, hosted.env)
      await runPlain(job, hosted.env)
      const problems = freezeDifferences(actionFreeze, await freeze(job.venv, hosted.env), set)
      if (problems.length > 0)
        throw new Error(`${set.name}, hosted: the venvs differ:\n${problems.join('\n')}`)
      log(
        `  checked: pip freeze --all of the action's venv equals the plain build's, ${String(actionFreeze.length)} lines`,
      )
      return actionFreeze.length
    })
    const miss: ActionSample[] = []
    const plain: number[] = []
    const bundledMiss: ActionSample[] = []
    for (let round = 0; round < rounds; round++) {
      await rotate(round, [
        async () => void miss.push(await timedMiss(`${set.name}-hosted`, job, hosted.env)),
        async () => void plain.push(await runPlain(job, hosted.env)),
        async () => void bundledMiss.push(await timedMiss(`${set.name}-bundled`, bundledJob, env)),
      ])
      log(
        `  round ${String(round + 1)}/${String(rounds)}: hosted miss ${seconds(miss[round]?.ms ?? NaN)} ` +
          `(Save ${seconds(miss[round]?.phases['Save'] ?? NaN)}) vs plain ${seconds(plain[round] ?? NaN)}; ` +
          `bundled-pip miss ${seconds(bundledMiss[round]?.ms ?? NaN)}`,
      )
    }
    return {
      name: set.name,
      description: set.description,
      packages: set.pins.length,
      version: hosted.version,
      basePip: hosted.pip,
      bundledPip: hosted.bundledPip,
      freezeLines,
      miss,
      plain,
      bundledMiss,
    }
  } finally {
    removeJob(job)
    removeJob(bundledJob)
  }
}

/** Hits with no requirements at all (a bare venv): what every hit pays whatever the venv holds. */
export async function benchFixedCost(env: BenchEnv, rounds: number, log: Log): Promise<FixedCostResult> {
  const job = newJob('none', {})
  try {
    return await withCache('none', async (cache) => {
      log('fixed cost: no requirements (a bare venv); a miss to fill the cache')
      await runAction(job, env, cache.envV2(), 'miss')
      const hits = new HitPair(job, env, cache, log)
      const nodeStart: number[] = []
      const startNode = async () =>
        void nodeStart.push(await timeCommand([ACTION_NODE, '-e', '0'], env.plain, job.workspace))
      for (let round = 0; round < rounds; round++) {
        await rotate(round, [hits.runHit, hits.runTar, startNode])
        log(
          `  round ${String(round + 1)}/${String(rounds)}: hit ${seconds(hits.hit[round]?.ms ?? NaN)}, ` +
            `tar -x ${seconds(hits.tar[round] ?? NaN)}, node -e 0 ${seconds(nodeStart[round] ?? NaN)}`,
        )
      }
      return {
        venv: hits.venv,
        archiveBytes: hits.archiveBytes,
        tarCommand: hits.command,
        hit: hits.hit,
        tar: hits.tar,
        nodeStart,
      }
    })
  } finally {
    removeJob(job)
  }
}
