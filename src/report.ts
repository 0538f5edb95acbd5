// What the user sees: one log group per phase with its duration, the outputs and exports for later steps,
// one outcome line outside the groups (GitHub shows groups collapsed), and the job summary table.
import * as core from '@actions/core'
import type { Plan } from './plan.js'
import type { Distribution } from './probe.js'

export type CacheStatus = 'hit' | 'miss' | 'synced' | 'rebuilt' | 'disabled' | 'error'

export interface PhaseTime {
  readonly name: string
  readonly ms: number
}

export class Timeline {
  readonly phases: PhaseTime[] = []
  private readonly started = performance.now()

  /** Runs `fn` inside a log group named after the phase, and records how long it took. */
  async phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now()
    core.startGroup(name)
    try {
      return await fn()
    } finally {
      const ms = Math.round(performance.now() - start)
      this.phases.push({ name, ms })
      core.info(`${name} took ${formatMs(ms)}`)
      core.endGroup()
    }
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.started)
  }
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`
}

/** One vocabulary for sizes: `venv 89 MiB`, `archive 25.6 MiB`. */
export function formatBytes(bytes: number): string {
  const mib = bytes / (1 << 20)
  if (mib >= 100) return `${Math.round(mib)} MiB`
  if (mib >= 1) return `${mib.toFixed(1)} MiB`
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`
}

export interface Exports {
  readonly env: Readonly<Record<string, string>>
  readonly path: string
  readonly outputs: Readonly<Record<string, string>>
}

/** What later steps get: VIRTUAL_ENV, the venv's bin directory first on PATH, and the outputs. */
export function exportsFor(
  plan: Pick<Plan, 'venvDir' | 'layout' | 'key' | 'basePython' | 'dependencies'>,
  status: CacheStatus,
): Exports {
  return {
    env: { VIRTUAL_ENV: plan.venvDir },
    path: plan.layout.binDir,
    outputs: {
      'cache-hit': status === 'hit' ? 'true' : 'false',
      'cache-status': status,
      'cache-key': plan.key,
      'venv-path': plan.venvDir,
      'python-path': plan.layout.python,
      'python-version': plan.basePython.version,
      dependencies: describeDependencies(plan.dependencies),
      project: describeProjects(plan.dependencies),
    },
  }
}

export function applyExports(exports: Exports): void {
  for (const [name, value] of Object.entries(exports.env)) core.exportVariable(name, value)
  core.addPath(exports.path)
  for (const [name, value] of Object.entries(exports.outputs)) core.setOutput(name, value)
}

/** Where the dependencies come from: `pyproject.toml (extras: test; groups: dev)`, or `none`. */
export function describeDependencies(deps: Plan['dependencies']): string {
  const { sources, extras, groups } = deps.described
  const selected = [
    extras.length > 0 ? `extras: ${extras.join(', ')}` : undefined,
    groups.length > 0 ? `groups: ${groups.join(', ')}` : undefined,
  ].filter((s) => s !== undefined)
  const text = sources.join(', ') || 'none'
  return selected.length > 0 ? `${text} (${selected.join('; ')})` : text
}

/** The projects installed after the venv is ready: `. (editable)`, or `none`. */
export function describeProjects(deps: Plan['dependencies']): string {
  return (
    deps.projects.map((p) => `${p.origin}: ${p.dir} (${p.editable ? 'editable' : 'regular'})`).join(', ') ||
    'none'
  )
}

/** What happened to the cache in this run, for the outcome line. */
export interface CacheOutcome {
  readonly status: CacheStatus
  /** The older entry a synced venv started from. */
  readonly syncedFrom?: string
  /** What the sync changed, e.g. `2 upgraded (a, b), 1 removed (c)`. */
  readonly changes?: string
  readonly saved?: 'saved' | 'exists' | 'failed'
  /** Size of the archive stored or restored, when the cache library reported it. */
  readonly archiveBytes?: number
}

/** What the venv holds: `36 packages: requests 2.32.3, pytest 8.3.3` (the ones asked for by name). */
export function describeHoldings(distributions: readonly Distribution[]): string {
  const requested = distributions.filter((d) => d.requested).map((d) => `${d.name} ${d.version}`)
  const count = packageCount(distributions)
  return requested.length > 0 ? `${count}: ${requested.join(', ')}` : count
}

function packageCount(distributions: readonly Distribution[]): string {
  return `${distributions.length} package${distributions.length === 1 ? '' : 's'}`
}

/** What happened, for the outcome line and the summary: `hit in 1.2 s (archive 25.6 MiB)`. */
export function outcomeHead(outcome: CacheOutcome, elapsedMs: number): string {
  const archive =
    outcome.archiveBytes === undefined ? undefined : `archive ${formatBytes(outcome.archiveBytes)}`
  const saved =
    outcome.saved === 'saved'
      ? ['saved', archive].filter((s) => s !== undefined).join(', ')
      : outcome.saved === 'exists'
        ? 'not saved: the key is taken'
        : outcome.saved === 'failed'
          ? 'not saved'
          : undefined
  const how: Record<CacheStatus, string> = {
    hit: `hit in ${formatMs(elapsedMs)}${archive === undefined ? '' : ` (${archive})`}`,
    miss: `built in ${formatMs(elapsedMs)}`,
    synced: `synced from ${outcome.syncedFrom ?? 'an older entry'} in ${formatMs(elapsedMs)}`,
    rebuilt: `rebuilt in ${formatMs(elapsedMs)} (the restored venv failed its check)`,
    disabled: `built in ${formatMs(elapsedMs)} (cache off)`,
    error: `built in ${formatMs(elapsedMs)} (cache unavailable)`,
  }
  const details = [outcome.changes, outcome.status === 'hit' ? undefined : saved].filter(
    (s) => s !== undefined && s !== '',
  )
  return `${how[outcome.status]}${details.length > 0 ? ` (${details.join('; ')})` : ''}`
}

/** What the venv holds, as far as its stamp tells. */
export interface Holdings {
  readonly bytes?: number | undefined
  readonly distributions?: readonly Distribution[] | undefined
}

/**
 * The line a reader sees without opening a group: `Venv ready: hit in 1.2 s (archive 25.6 MiB) - 36
 * packages, venv 89 MiB, Python 3.12.7, key setup-venv-...`.
 */
export function outcomeLine(plan: Pick<Plan, 'key' | 'basePython'>, head: string, venv: Holdings): string {
  const facts = [
    venv.distributions === undefined ? undefined : packageCount(venv.distributions),
    venv.bytes === undefined ? undefined : `venv ${formatBytes(venv.bytes)}`,
    `Python ${plan.basePython.version}`,
    `key ${plan.key}`,
  ].filter((s) => s !== undefined)
  return `Venv ready: ${head} - ${facts.join(', ')}`
}

export async function writeSummary(
  plan: Pick<Plan, 'key' | 'basePython' | 'venvDir' | 'dependencies'>,
  outcome: CacheOutcome,
  head: string,
  timeline: Timeline,
  venv: Holdings,
): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  const rows = [
    [
      { data: 'setup-venv', header: true },
      { data: 'Result', header: true },
    ],
    ['Outcome', escape(head)],
    ['Cache', outcome.status],
    ['Dependencies', escape(describeDependencies(plan.dependencies))],
    ['Holds', escape(venv.distributions === undefined ? 'unknown' : describeHoldings(venv.distributions))],
    ['Project', escape(describeProjects(plan.dependencies))],
    ['Key', `<code>${plan.key}</code>`],
    ['Python', `${plan.basePython.implementation} ${plan.basePython.version}`],
    [
      'Venv',
      `<code>${escape(plan.venvDir)}</code>${venv.bytes === undefined ? '' : ` (venv ${formatBytes(venv.bytes)})`}`,
    ],
    ...timeline.phases.map((p) => [p.name, formatMs(p.ms)]),
  ]
  await core.summary.addTable(rows).write()
}

/** Text in the summary's HTML table: names from files may hold < or &. */
function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
