// The action's own per-phase timings, read from its log: each phase's log group ends with
// "<Phase> took N ms" (under a second) or "<Phase> took N.NN s" (see src/report.ts, Timeline).

/** Milliseconds per phase, in the order the phases ran; a phase that ran twice is summed. */
export type Phases = Readonly<Record<string, number>>

const TOOK = /^([A-Z][A-Za-z]*) took (\d+(?:\.\d+)?) (ms|s)$/

export function parsePhases(log: string): Phases {
  const phases: Record<string, number> = {}
  for (const line of log.split(/\r?\n/)) {
    const m = TOOK.exec(line.trim())
    if (!m) continue
    const [, name = '', amount = '0', unit] = m
    const ms = unit === 's' ? Number(amount) * 1000 : Number(amount)
    phases[name] = (phases[name] ?? 0) + ms
  }
  return phases
}

/** Phase names in the order of first appearance across runs. */
export function phaseNames(runs: readonly Phases[]): string[] {
  const names: string[] = []
  for (const run of runs) for (const name of Object.keys(run)) if (!names.includes(name)) names.push(name)
  return names
}
