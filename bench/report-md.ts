// The Markdown report: medians and ratios per set, the one-bump comparison (report-bump.ts), the fixed
// cost of a hit by phase, where each kind of run spends its time, the machine, and every sample.
import { millis, mib, percent, seconds } from './format.js'
import { cell, ratioCell, table } from './md-cells.js'
import { bumpSamples, bumpSection } from './report-bump.js'
import { phaseNames, type Phases } from './phases.js'
import type { ActionSample, BenchResult, FixedCostResult, HostedResult, SetResult } from './results.js'
import { median, sum } from './stats.js'

const wholes = (runs: readonly ActionSample[]) => runs.map((r) => r.ms)
const phase = (runs: readonly ActionSample[], name: string) => runs.map((r) => r.phases[name] ?? 0)
const outside = (runs: readonly ActionSample[]) => runs.map((r) => r.ms - sum(Object.values(r.phases)))
const withoutSave = (runs: readonly ActionSample[]) => runs.map((r) => r.ms - (r.phases['Save'] ?? 0))

export function hitTable(sets: readonly SetResult[]): string[] {
  return table(
    [
      'set',
      'packages',
      'venv',
      'archive',
      'hit: action, whole process',
      '`tar -x` of the same archive',
      'action ÷ tar',
    ],
    sets.map((s) => [
      `**${s.name}** (${s.description})`,
      String(s.packages),
      `${mib(s.venv.bytes)}, ${String(s.venv.files)} files`,
      mib(s.archiveBytes),
      cell(wholes(s.hit)),
      cell(s.tar),
      ratioCell(wholes(s.hit), s.tar),
    ]),
  )
}

/** A set's name in the miss rows; the hosted comparison's says whose Python. */
export function hostedLabel(h: HostedResult): string {
  return `${h.name}, hosted-runner Python (pip ${h.basePip})`
}

export function missTable(sets: readonly SetResult[], hosted?: HostedResult): string[] {
  const rows: { label: string; miss: readonly ActionSample[]; plain: readonly number[] }[] = sets.map(
    (s) => ({
      label: s.name,
      miss: s.miss,
      plain: s.plain,
    }),
  )
  if (hosted !== undefined) rows.push({ label: hostedLabel(hosted), miss: hosted.miss, plain: hosted.plain })
  return table(
    [
      'set',
      'miss: action, whole process',
      'of which Save',
      'miss without Save',
      'plain venv + pip',
      'action ÷ plain',
      'without Save ÷ plain',
    ],
    rows.map((s) => {
      const save = median(phase(s.miss, 'Save'))
      return [
        `**${s.label}**`,
        cell(wholes(s.miss)),
        `${seconds(save)} (${percent(save, median(wholes(s.miss)))})`,
        cell(withoutSave(s.miss)),
        cell(s.plain),
        ratioCell(wholes(s.miss), s.plain),
        ratioCell(withoutSave(s.miss), s.plain),
      ]
    }),
  )
}

export function fixedCostTable(fixed: FixedCostResult): string[] {
  const names = phaseNames(fixed.hit.map((r) => r.phases))
  const whole = median(wholes(fixed.hit))
  const rest = median(outside(fixed.hit))
  const node = median(fixed.nodeStart)
  const row = (label: string, ms: number): string[] => [label, millis(ms), percent(ms, whole)]
  return table(
    ['part of a hit with no requirements', 'median', 'share'],
    [
      ...names.map((n) => row(`${n} phase`, median(phase(fixed.hit, n)))),
      row('outside the phases: Node start, bundle load, inputs, job summary, exit', rest),
      row('&nbsp;&nbsp;of which Node start and exit alone (`node -e 0`)', node),
      row('&nbsp;&nbsp;of which the rest (bundle load, inputs, summary)', rest - node),
      [`**whole process**`, `**${millis(whole)}**`, '100%'],
      [
        `\`tar -x\` of the same archive (${mib(fixed.archiveBytes)})`,
        millis(median(fixed.tar)),
        percent(median(fixed.tar), whole),
      ],
    ],
    '--- | ---: | ---:',
  )
}

/**
 * The hosted comparison's second question: how much the base pip being another version costs, by the
 * misses on both interpreters in the same rounds (paired per round).
 */
export function hostedVsBundledTable(h: HostedResult): string[] {
  return table(
    [
      'miss without Save',
      `hosted-runner Python (pip ${h.basePip})`,
      `same interpreter, pip ${h.bundledPip} (the bundled one)`,
      'hosted ÷ bundled',
    ],
    [
      [
        `**${h.name}**`,
        cell(withoutSave(h.miss)),
        cell(withoutSave(h.bundledMiss)),
        ratioCell(withoutSave(h.miss), withoutSave(h.bundledMiss)),
      ],
    ],
  )
}

/** Median milliseconds of every phase, per kind of run. */
export function phaseTable(result: BenchResult): string[] {
  const runs: { label: string; samples: readonly ActionSample[] }[] = [
    { label: 'hit, no requirements', samples: result.fixed.hit },
  ]
  for (const s of result.sets) {
    runs.push({ label: `hit, ${s.name}`, samples: s.hit })
    runs.push({ label: `miss, ${s.name}`, samples: s.miss })
  }
  const h = result.hosted
  if (h !== undefined) {
    runs.push({ label: `miss, ${hostedLabel(h)}`, samples: h.miss })
    runs.push({ label: `miss, ${h.name}, same rounds, pip ${h.bundledPip}`, samples: h.bundledMiss })
  }
  // Columns in the order a miss runs its phases (a miss has them all), then any others.
  const misses = [...result.sets.map((s) => s.miss), ...(h === undefined ? [] : [h.miss])].flatMap((runs) =>
    runs.map((x): Phases => x.phases),
  )
  const names = phaseNames([...misses, ...runs.flatMap((r) => r.samples.map((x): Phases => x.phases))])
  return table(
    ['run', ...names, 'outside phases', 'whole'],
    runs.map((r) => [
      r.label,
      ...names.map((n) => (r.samples.some((x) => n in x.phases) ? millis(median(phase(r.samples, n))) : '')),
      millis(median(outside(r.samples))),
      millis(median(wholes(r.samples))),
    ]),
  )
}

function machineLines(result: BenchResult): string[] {
  const m = result.machine
  const load = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(' ')
  return [
    `- CPU: ${m.cpu}, ${String(m.cores)} cores, ${String(m.memoryGiB)} GiB; ${m.os}; a machine shared with other work`,
    `- load average (1, 5, 15 min): ${load(m.loadAtStart)} at the start, ${load(result.loadAtEnd)} at the end`,
    `- action run with Node ${m.actionNode} (action.yml: node24); harness Node ${m.node}`,
    `- Python ${m.python}; ${m.tar}; ${m.zstd}`,
    `- code: \`${m.commit}\`; measured a copy of dist/index.js taken at the start, sha256 ${m.bundle}` +
      (m.dirty.length > 0
        ? ` (uncommitted changes: ${m.dirty.map((d) => `\`${d.trim()}\``).join(', ')})`
        : ''),
    `- ${result.started}, ${String(result.rounds)} rounds, whole run ${seconds(result.totalMs)} (${(result.totalMs / 60_000).toFixed(1)} min)`,
  ]
}

function samples(result: BenchResult): string[] {
  const list = (values: readonly number[]) => values.map((v) => (v / 1000).toFixed(2)).join(', ')
  const lines = ['<details><summary>Every sample (seconds, in run order)</summary>', '']
  const f = result.fixed
  lines.push(
    `- no requirements: hit ${list(wholes(f.hit))}; tar -x ${list(f.tar)}; node -e 0 ${list(f.nodeStart)}`,
  )
  for (const s of result.sets) {
    lines.push(
      `- ${s.name}: hit ${list(wholes(s.hit))}; tar -x ${list(s.tar)}; miss ${list(wholes(s.miss))}; ` +
        `Save ${list(phase(s.miss, 'Save'))}; plain ${list(s.plain)}`,
    )
  }
  const h = result.hosted
  if (h !== undefined) {
    lines.push(
      `- ${hostedLabel(h)}: miss ${list(wholes(h.miss))}; Save ${list(phase(h.miss, 'Save'))}; plain ${list(h.plain)}; ` +
        `same rounds, pip ${h.bundledPip}: miss ${list(wholes(h.bundledMiss))}, Save ${list(phase(h.bundledMiss, 'Save'))}`,
    )
  }
  lines.push(...bumpSamples(result.bumps))
  return [...lines, '', '</details>']
}

function hostedSection(h: HostedResult | undefined): string[] {
  if (h === undefined) return []
  return [
    `### ${h.name} on a hosted runner's Python`,
    '',
    `A copy of CPython ${h.version} laid out as a hosted runner's tool cache has it, its pip upgraded to ${h.basePip} ` +
      `as the runner images' installer does (test-support/hosted-python.ts); a new venv gets ensurepip's pip ${h.bundledPip}, ` +
      'with both the action and the plain build (`pip freeze --all` checked equal first). Each round also runs the same ' +
      `miss on the interpreter it was copied from, whose pip is ${h.bundledPip}: what the base pip being another version costs.`,
    '',
    ...hostedVsBundledTable(h),
    '',
  ]
}

/** Only when a set was run: a run of other comparisons alone has no rows for it. */
function hitSection(result: BenchResult): string[] {
  if (result.sets.length === 0) return []
  return [
    '## Hit: restoring the venv vs extracting the same archive',
    '',
    `\`tar -x\` is the library's own extract command (from the action's log) on the archive the service stored: ` +
      [...new Set([result.fixed.tarCommand, ...result.sets.map((s) => s.tarCommand)])]
        .map((c) => `\`${c}\``)
        .join(', ') +
      '.',
    '',
    ...hitTable(result.sets),
    '',
  ]
}

function missSection(result: BenchResult): string[] {
  if (result.sets.length === 0 && result.hosted === undefined) return []
  return [
    '## Miss: building and saving vs a plain build',
    '',
    `Plain: \`${result.plainCommand}\` with the same interpreter and the same pip settings (local index, no pip config, no pip cache). ` +
      'Before timing, `pip freeze --all` of the two venvs was checked to be equal.',
    '',
    ...missTable(result.sets, result.hosted),
    '',
  ]
}

export function markdownReport(result: BenchResult, svgName: string): string {
  const lines = [
    '# setup-venv benchmark',
    '',
    `Medians of ${String(result.rounds)} rounds (smallest–largest under each). Each round runs the two sides of a comparison ` +
      'back to back, in alternating order. The action is the bundled `dist/index.js` run as a whole runner-step process ' +
      'against the local cache service (v2 protocol), on a fresh runner (venv directory absent). Ratios are of the ' +
      'medians; under each, the median of the per-round ratios (paired), which cancels load that drifts between rounds.',
    '',
    `![benchmark](${svgName})`,
    '',
    ...hitSection(result),
    ...missSection(result),
    ...hostedSection(result.hosted),
    ...bumpSection(result.bumps),
  ]
  lines.push(
    '## Fixed cost of a hit',
    '',
    `A hit with no requirements: a bare venv (${mib(result.fixed.venv.bytes)}, ${String(result.fixed.venv.files)} files), by the action's own phase timings.`,
    '',
    ...fixedCostTable(result.fixed),
    '',
    '## Where the time goes',
    '',
    "Median milliseconds per phase, from the action's log (`<Phase> took ...`); outside phases = whole process − the phases.",
    '',
    ...phaseTable(result),
    '',
    '## Machine',
    '',
    ...machineLines(result),
    '',
    ...samples(result),
    '',
  )
  return lines.join('\n')
}
