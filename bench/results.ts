// What one benchmark run measured: raw samples in milliseconds, sizes in bytes. The reports derive
// medians and ratios from these.
import type { Phases } from './phases.js'
import type { TreeSize } from './sizes.js'

export interface ActionSample {
  /** The whole step process, spawn to exit. */
  readonly ms: number
  /** The action's own timings, per phase. */
  readonly phases: Phases
}

export interface SetResult {
  readonly name: string
  readonly description: string
  /** Pinned packages in the set (dependencies included). */
  readonly packages: number
  readonly venv: TreeSize
  readonly archiveBytes: number
  /** The extract command timed, with <archive> and <workspace> for the paths. */
  readonly tarCommand: string
  /** Lines of `pip freeze --all`, equal for both venvs. */
  readonly freezeLines: number
  readonly hit: readonly ActionSample[]
  readonly tar: readonly number[]
  readonly miss: readonly ActionSample[]
  readonly plain: readonly number[]
}

/**
 * The fourth comparison: a set's miss on a hosted runner's Python (its pip upgraded past the bundled one)
 * against a plain build there, with the same set's miss on the interpreter it was copied from (whose pip
 * is the bundled one) in the same rounds, for the cost of the base pip being another version.
 */
export interface HostedResult {
  readonly name: string
  readonly description: string
  readonly packages: number
  /** Full version of both interpreters. */
  readonly version: string
  /** The hosted-runner Python's own pip, and the one ensurepip bundles (which every venv gets). */
  readonly basePip: string
  readonly bundledPip: string
  /** Lines of `pip freeze --all`, equal for the action's venv and the plain build's. */
  readonly freezeLines: number
  readonly miss: readonly ActionSample[]
  readonly plain: readonly number[]
  /** The same set's miss on the interpreter whose pip is the bundled one. */
  readonly bundledMiss: readonly ActionSample[]
}

/**
 * The one-bump comparison (issue 12): one pin of a set moved (sets.ts, BUMPS). On one runner whose cache
 * holds only the original set's entry: the hit of the original set, the synced miss of the bumped one
 * (restored from that entry, not saved), its full miss (`incremental: false`, not saved) and a no-op sync
 * (the original set under another key). Phases kept apart: the sync's two checks are "Check" and "Check 2".
 */
export interface BumpResult {
  readonly name: string
  readonly description: string
  readonly packages: number
  readonly from: string
  readonly to: string
  /** The synced miss must be at least this many times faster than the full miss (paired). */
  readonly target: number
  /** A no-op sync may cost at most this much more than a hit (paired). */
  readonly noopBudgetMs: number
  /** Lines of `pip freeze --all`, equal for the synced venv and the full miss's. */
  readonly freezeLines: number
  /** What the action said the sync changed, and the no-op sync. */
  readonly changes: string
  readonly noopChanges: string
  readonly hit: readonly ActionSample[]
  readonly synced: readonly ActionSample[]
  readonly full: readonly ActionSample[]
  readonly noop: readonly ActionSample[]
}

export interface FixedCostResult {
  readonly venv: TreeSize
  readonly archiveBytes: number
  readonly tarCommand: string
  readonly hit: readonly ActionSample[]
  readonly tar: readonly number[]
  /** `node -e 0` with the action's Node: process start and exit alone. */
  readonly nodeStart: readonly number[]
}

export interface Machine {
  readonly cpu: string
  readonly cores: number
  readonly memoryGiB: number
  readonly os: string
  readonly node: string
  readonly actionNode: string
  readonly python: string
  readonly tar: string
  readonly zstd: string
  readonly commit: string
  /** Uncommitted changes under src/ and dist/ when the run started (`git status --porcelain`). */
  readonly dirty: readonly string[]
  /** sha256 of dist/index.js as copied at the start, first 12 hex digits: the bundle measured. */
  readonly bundle: string
  readonly loadAtStart: readonly number[]
}

export interface BenchResult {
  readonly machine: Machine
  readonly started: string
  readonly rounds: number
  readonly totalMs: number
  readonly loadAtEnd: readonly number[]
  readonly plainCommand: string
  readonly sets: readonly SetResult[]
  /** Undefined when not asked for (--sets without 'hosted'). */
  readonly hosted?: HostedResult
  /** Empty when not asked for (--sets without 'bump'). */
  readonly bumps: readonly BumpResult[]
  readonly fixed: FixedCostResult
}
