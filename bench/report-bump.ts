// The report's one-bump section (bump.ts): the four kinds of run per set, issue 12's targets against the
// paired figures, and what a sync spends its time on.
import { millis, ratio, seconds } from './format.js'
import { cell, pairedRatios, ratioCell, table } from './md-cells.js'
import { phaseNames } from './phases.js'
import type { ActionSample, BumpResult } from './results.js'
import { median, sum } from './stats.js'

const wholes = (runs: readonly ActionSample[]) => runs.map((r) => r.ms)

/** The sync's two checks: of the restored venv (as on a hit), then of the synced one (as after a build). */
const PHASE_LABELS: Readonly<Record<string, string>> = {
  Check: 'Check (restored)',
  'Check 2': 'Check (synced)',
}

function signed(ms: number): string {
  return Number.isFinite(ms) ? `${ms < 0 ? '−' : '+'}${seconds(Math.abs(ms))}` : 'n/a'
}

/** Per-round differences a − b (each round's runs ran back to back). */
function pairedDifferences(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x - (b[i] ?? Number.NaN))
}

/** Difference of the medians, with the median of the per-round differences under it. */
function differenceCell(a: readonly number[], b: readonly number[]): string {
  return `**${signed(median(a) - median(b))}** <sub>paired ${signed(median(pairedDifferences(a, b)))}</sub>`
}

/** What the targets are judged on: the paired figures, which cancel load drifting between rounds. */
export function bumpFigures(b: BumpResult): { speedup: number; noopOverHit: number } {
  return {
    speedup: median(pairedRatios(wholes(b.full), wholes(b.synced))),
    noopOverHit: median(pairedDifferences(wholes(b.noop), wholes(b.hit))),
  }
}

function bumpTable(bumps: readonly BumpResult[]): string[] {
  return table(
    [
      'set',
      'bump',
      'hit (original set)',
      'synced miss',
      'full miss (`incremental: false`)',
      'full ÷ synced',
      'no-op sync',
      'no-op − hit',
    ],
    bumps.map((b) => [
      `**${b.name}** (${String(b.packages)} packages)`,
      `${b.from} → ${b.to}`,
      cell(wholes(b.hit)),
      cell(wholes(b.synced)),
      cell(wholes(b.full)),
      ratioCell(wholes(b.full), wholes(b.synced)),
      cell(wholes(b.noop)),
      differenceCell(wholes(b.noop), wholes(b.hit)),
    ]),
    '--- | --- | ---: | ---: | ---: | ---: | ---: | ---:',
  )
}

function targetTable(bumps: readonly BumpResult[]): string[] {
  const met = (ok: boolean) => (ok ? 'met' : '**not met**')
  return table(
    ['set', 'target', 'measured (paired)', 'result'],
    bumps.flatMap((b) => {
      const f = bumpFigures(b)
      return [
        [
          b.name,
          `synced ≥ ${String(b.target)}× faster than the full miss`,
          ratio(f.speedup, 1),
          met(f.speedup >= b.target),
        ],
        [
          b.name,
          `no-op sync ≤ hit + ${seconds(b.noopBudgetMs)}`,
          signed(f.noopOverHit),
          met(f.noopOverHit <= b.noopBudgetMs),
        ],
      ]
    }),
    '--- | --- | ---: | ---',
  )
}

/** Median milliseconds per phase of the syncs, the two checks apart. */
function syncPhaseTable(bumps: readonly BumpResult[]): string[] {
  const runs = bumps.flatMap((b) => [
    { label: `synced miss, ${b.name}`, samples: b.synced },
    { label: `no-op sync, ${b.name}`, samples: b.noop },
  ])
  const names = phaseNames(runs.flatMap((r) => r.samples.map((s) => s.phases)))
  return table(
    ['run', ...names.map((n) => PHASE_LABELS[n] ?? n), 'outside phases', 'whole'],
    runs.map((r) => [
      r.label,
      ...names.map((n) => millis(median(r.samples.map((s) => s.phases[n] ?? 0)))),
      millis(median(r.samples.map((s) => s.ms - sum(Object.values(s.phases))))),
      millis(median(wholes(r.samples))),
    ]),
  )
}

export function bumpSection(bumps: readonly BumpResult[]): string[] {
  if (bumps.length === 0) return []
  return [
    '## One bump: an incremental miss vs a full build',
    '',
    "One pin of the set moved to another version in the local index. One runner, whose cache holds only the original set's " +
      'entry (from an untimed miss); each round, in rotating order: the **hit** of the original set; the **synced miss** of ' +
      'the bumped set (that entry restored and synced, `save-cache: false`, so every round syncs from the same entry); its ' +
      '**full miss** (`incremental: false`, `save-cache: false`); a **no-op sync** (the original set plus a comment line: ' +
      "another key, nothing to change). Before timing, the synced venv's `pip freeze --all` was checked to equal the full " +
      "miss's, and the no-op sync's the original set's; every synced run's `cache-status` was `synced`, from the original " +
      'entry, and the cache held that entry alone after every round.',
    '',
    ...bumpTable(bumps),
    '',
    ...bumps.map((b) => `- ${b.name}: the sync reported "${b.changes}", the no-op sync "${b.noopChanges}".`),
    '',
    ...targetTable(bumps),
    '',
    'What a sync spends its time on (median ms per phase; the action checks the restored venv before it syncs, and the synced one after):',
    '',
    ...syncPhaseTable(bumps),
    '',
  ]
}

/** The samples list's lines, seconds in run order. */
export function bumpSamples(bumps: readonly BumpResult[]): string[] {
  const list = (runs: readonly ActionSample[]) => runs.map((r) => (r.ms / 1000).toFixed(2)).join(', ')
  return bumps.map(
    (b) =>
      `- one bump in ${b.name}: hit ${list(b.hit)}; synced ${list(b.synced)}; full miss ${list(b.full)}; ` +
      `no-op sync ${list(b.noop)}`,
  )
}
