// The one-bump comparison (issue 12): what an incremental miss saves when a PR moves one pin. One runner
// (one venv path, so one key prefix) and a cache holding only the original set's entry, filled by an
// untimed miss. Each round, in rotating order:
//   hit     the original set, exact key;
//   synced  the bumped set: that entry restored and synced, `save-cache: false`, so no entry is added and
//           every round syncs from the same one;
//   full    the bumped set with `incremental: false`, `save-cache: false`: the build a sync replaces;
//   no-op   the original set plus a comment line: another key, the same resolution, so a sync that
//           changes nothing (what a sync costs beyond a hit).
// The requirement file is rewritten before each run, as a PR changes it in the same workspace.
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { CacheServer } from '../test-support/cache-server/server.js'
import type { BenchEnv } from './env.js'
import { seconds } from './format.js'
import { newJob, removeJob } from './job.js'
import { runAction, type ActionRun, type Expected } from './measure.js'
import { parsePhasesApart } from './phases.js'
import type { ActionSample, BumpResult } from './results.js'
import { bumpedRequirements, NOOP_BUDGET_MS, type BenchSet, type Bump } from './sets.js'
import { rotate, withCache, type Log } from './suite.js'
import { freeze, freezeDifferences } from './verify.js'

const NO_SAVE = { 'save-cache': 'false' }
const FULL = { incremental: 'false', 'save-cache': 'false' }
const NOOP_COMMENT = '# the same pins under another key: a sync with nothing to change\n'

/** Phases kept apart: a sync's "Check" is the restored venv's, its "Check 2" the synced venv's. */
function timed(run: ActionRun): ActionSample {
  return { ms: run.ms, phases: parsePhasesApart(run.log) }
}

/** The entry a sync started from, by its log line (src/cache.ts). */
function syncedFrom(run: ActionRun): string | undefined {
  return /^Restored the nearest entry, to sync: (\S+)$/m.exec(run.log)?.[1]
}

/** What the action said the sync changed ("1 downgraded (rich)", "nothing changed"). */
function syncChanges(run: ActionRun): string {
  const changes = /^Venv ready: synced from \S+ in \S+ \S+ \((.*)\) - /m.exec(run.log)?.[1]
  if (changes === undefined)
    throw new Error(`no 'Venv ready: synced from ...' line:\n${run.log.slice(-3000)}`)
  return changes
}

/** Every round must find the cache as the untimed miss left it: the original entry alone. */
function checkOnlyEntry(cache: CacheServer, key: string): void {
  const keys = cache.entries().map((e) => `${e.key}${e.finalized ? '' : ' (not finalized)'}`)
  if (keys.length !== 1 || keys[0] !== key) {
    throw new Error(`the cache should hold only ${key}, it holds: ${keys.join(', ') || 'nothing'}`)
  }
}

export async function benchBump(
  set: BenchSet,
  bump: Bump,
  env: BenchEnv,
  rounds: number,
  log: Log,
): Promise<BumpResult> {
  const original = fs.readFileSync(set.file, 'utf8')
  const bumped = bumpedRequirements(set, bump)
  const noop = `${original}${original.endsWith('\n') ? '' : '\n'}${NOOP_COMMENT}`
  const bumpedPins = {
    file: `${set.file} with ${bump.to}`,
    pins: set.pins.map((p) => (p === bump.from ? bump.to : p)),
  }
  const job = newJob(`bump-${set.name}`, {})
  try {
    return await withCache(`bump-${set.name}`, async (cache) => {
      let originalKey = ''
      const run = async (text: string, expect: Expected, inputs: Record<string, string> = {}) => {
        fs.writeFileSync(path.join(job.workspace, 'requirements.txt'), text)
        const result = await runAction(job, env, cache.envV2(), expect, inputs)
        const from = syncedFrom(result)
        if (expect === 'synced' && from !== originalKey)
          throw new Error(
            `the sync started from ${String(from)}, not the original set's entry ${originalKey}`,
          )
        return result
      }

      log(
        `one bump in ${set.name} (${bump.from} -> ${bump.to}): a miss of the set to fill the cache, then untimed ` +
          'the synced miss, the full miss and a no-op sync, pip freeze of each',
      )
      originalKey = (await run(original, 'miss')).key
      const originalFreeze = await freeze(job.venv, env)
      const synced = await run(bumped, 'synced', NO_SAVE)
      const syncedFreeze = await freeze(job.venv, env)
      await run(bumped, 'miss', FULL)
      const fullFreeze = await freeze(job.venv, env)
      const noopRun = await run(noop, 'synced', NO_SAVE)
      const noopFreeze = await freeze(job.venv, env)
      const problems = [
        ...freezeDifferences(syncedFreeze, fullFreeze, bumpedPins, ['the synced venv', "the full miss's"]),
        ...freezeDifferences(noopFreeze, originalFreeze, set, [
          "the no-op sync's venv",
          "the original miss's",
        ]),
      ]
      if (problems.length > 0) throw new Error(`bump ${set.name}: the venvs differ:\n${problems.join('\n')}`)
      checkOnlyEntry(cache, originalKey)
      const changes = syncChanges(synced)
      const noopChanges = syncChanges(noopRun)
      log(
        `  checked: pip freeze --all of the synced venv equals the full miss's, ${String(syncedFreeze.length)} lines ` +
          `(the sync: ${changes}); the no-op sync's equals the original set's (${noopChanges}); the cache holds only ` +
          'the original entry',
      )

      const hit: ActionSample[] = []
      const syncedRuns: ActionSample[] = []
      const full: ActionSample[] = []
      const noopRuns: ActionSample[] = []
      for (let round = 0; round < rounds; round++) {
        await rotate(round, [
          async () => void hit.push(timed(await run(original, 'hit'))),
          async () => void syncedRuns.push(timed(await run(bumped, 'synced', NO_SAVE))),
          async () => void full.push(timed(await run(bumped, 'miss', FULL))),
          async () => void noopRuns.push(timed(await run(noop, 'synced', NO_SAVE))),
        ])
        checkOnlyEntry(cache, originalKey)
        const at = (runs: readonly ActionSample[]) => seconds(runs[round]?.ms ?? NaN)
        log(
          `  round ${String(round + 1)}/${String(rounds)}: hit ${at(hit)}; synced ${at(syncedRuns)} ` +
            `(Sync ${seconds(syncedRuns[round]?.phases['Sync'] ?? NaN)}) vs full ${at(full)}; no-op sync ${at(noopRuns)}`,
        )
      }
      return {
        name: set.name,
        description: set.description,
        packages: set.pins.length,
        from: bump.from,
        to: bump.to,
        target: bump.target,
        noopBudgetMs: NOOP_BUDGET_MS,
        freezeLines: syncedFreeze.length,
        changes,
        noopChanges,
        hit,
        synced: syncedRuns,
        full,
        noop: noopRuns,
      }
    })
  } finally {
    removeJob(job)
  }
}
