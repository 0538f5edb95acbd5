// The action's own per-phase timings, read from its log: each phase's log group ends with
// "<Phase> took N ms" (under a second) or "<Phase> took N.NN s" (see src/report.ts, Timeline).

/** Milliseconds per phase, in the order the phases ran. */
export type Phases = Readonly<Record<string, number>>

const TOOK = /^([A-Z][A-Za-z]*) took (\d+(?:\.\d+)?) (ms|s)$/

/** A phase that ran twice is summed. */
export function parsePhases(log: string): Phases {
  const phases: Record<string, number> = {}
  for (const { name, ms } of phaseLines(log)) phases[name] = (phases[name] ?? 0) + ms
  return phases
}

/**
 * As parsePhases, but a phase that runs again is kept apart as "<Phase> 2": a sync checks the restored
 * venv (as a hit does) and later the synced one (as a build does), and the two cost different things.
 */
export function parsePhasesApart(log: string): Phases {
  const phases: Record<string, number> = {}
  for (const { name, ms } of phaseLines(log)) {
    let label = name
    for (let n = 2; label in phases; n++) label = `${name} ${String(n)}`
    phases[label] = ms
  }
  return phases
}

function phaseLines(log: string): { name: string; ms: number }[] {
  const found: { name: string; ms: number }[] = []
  for (const line of log.split(/\r?\n/)) {
    const m = TOOK.exec(line.trim())
    if (!m) continue
    const [, name = '', amount = '0', unit] = m
    found.push({ name, ms: unit === 's' ? Number(amount) * 1000 : Number(amount) })
  }
  return found
}

/** Phase names in the order of first appearance across runs. */
export function phaseNames(runs: readonly Phases[]): string[] {
  const names: string[] = []
  for (const run of runs) for (const name of Object.keys(run)) if (!names.includes(name)) names.push(name)
  return names
}
