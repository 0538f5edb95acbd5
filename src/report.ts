// What the user sees: one log group per phase with its duration, the outputs and exports for later steps,
// and the job summary table.
import * as core from '@actions/core'
import type { Plan } from './plan.js'

export type CacheStatus = 'hit' | 'miss' | 'rebuilt' | 'disabled' | 'error'

export interface PhaseTime {
  readonly name: string
  readonly ms: number
}

export class Timeline {
  readonly phases: PhaseTime[] = []

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
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(2)} s`
}

export interface Exports {
  readonly env: Readonly<Record<string, string>>
  readonly path: string
  readonly outputs: Readonly<Record<string, string>>
}

/** What later steps get: VIRTUAL_ENV, the venv's bin directory first on PATH, and the outputs. */
export function exportsFor(plan: Plan, status: CacheStatus): Exports {
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
    },
  }
}

export function applyExports(exports: Exports): void {
  for (const [name, value] of Object.entries(exports.env)) core.exportVariable(name, value)
  core.addPath(exports.path)
  for (const [name, value] of Object.entries(exports.outputs)) core.setOutput(name, value)
}

export async function writeSummary(
  plan: Plan,
  status: CacheStatus,
  timeline: Timeline,
  venvBytes: number | undefined,
): Promise<void> {
  if (!process.env['GITHUB_STEP_SUMMARY']) return
  const rows = [
    [
      { data: 'setup-venv', header: true },
      { data: 'Result', header: true },
    ],
    ['Cache', status],
    ['Key', `<code>${plan.key}</code>`],
    ['Python', `${plan.basePython.implementation} ${plan.basePython.version}`],
    ['Venv', `<code>${plan.venvDir}</code>${venvBytes === undefined ? '' : ` (${formatBytes(venvBytes)})`}`],
    ...timeline.phases.map((p) => [p.name, formatMs(p.ms)]),
  ]
  await core.summary.addTable(rows).write()
}

function formatBytes(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`
}
