// The chart, as hand-written SVG: one panel for hits (action vs tar -x of the same archive), one for
// misses (action, its Save phase marked, vs a plain build) and, when run, one for the one-bump comparison
// (synced vs full miss, hit vs no-op sync); grouped horizontal bars per set, medians.
import { ratio, seconds } from './format.js'
import type { ActionSample, BenchResult } from './results.js'
import { median } from './stats.js'

const WIDTH = 1000
const LABEL_X = 12
const BAR_X = 190
const BAR_MAX = 460
const BAR_H = 15
const BAR_GAP = 3
const GROUP_GAP = 14
const COLORS = {
  action: '#2f6fb0',
  save: '#9cc3e6',
  baseline: '#9a9a9a',
  noop: '#5aa392',
  hit: '#c9c9c9',
  grid: '#e3e3e3',
  text: '#222',
}

interface Bar {
  readonly ms: number
  /** Part of the bar drawn in the Save colour, at its end. */
  readonly saveMs?: number
  readonly color: string
  readonly label: string
}

interface Group {
  readonly title: string
  readonly subtitle: string
  readonly bars: readonly Bar[]
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}"${attrs ? ` ${attrs}` : ''}>${esc(content)}</text>`
}

function rect(x: number, y: number, w: number, h: number, fill: string): string {
  return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(w, 0.5).toFixed(1)}" height="${h}" fill="${fill}"/>`
}

/** A tick step in ms giving at most 6 intervals up to `maxMs`. */
function tickStep(maxMs: number): number {
  const steps = [100, 200, 250, 500, 1000, 2000, 2500, 5000, 10_000, 15_000, 20_000, 30_000, 60_000, 120_000]
  return steps.find((s) => maxMs / s <= 6) ?? Math.ceil(maxMs / 6 / 60_000) * 60_000
}

/** One panel at `top`; returns its markup and height. */
function panel(top: number, title: string, groups: readonly Group[]): { svg: string; height: number } {
  const out: string[] = [text(LABEL_X, top + 16, title, 'font-size="14" font-weight="bold"')]
  const maxMs = Math.max(...groups.flatMap((g) => g.bars.map((b) => b.ms)), 1)
  const step = tickStep(maxMs)
  const scaleMax = Math.ceil(maxMs / step) * step
  const x = (ms: number) => BAR_X + (BAR_MAX * ms) / scaleMax
  const barsTop = top + 28
  let y = barsTop
  const body: string[] = []
  for (const g of groups) {
    const groupH = g.bars.length * (BAR_H + BAR_GAP) - BAR_GAP
    body.push(text(LABEL_X, y + groupH / 2 - 1, g.title, 'font-weight="bold"'))
    body.push(text(LABEL_X, y + groupH / 2 + 13, g.subtitle, 'fill="#666" font-size="11"'))
    for (const b of g.bars) {
      const save = b.saveMs ?? 0
      body.push(rect(BAR_X, y, x(b.ms - save) - BAR_X, BAR_H, b.color))
      if (save > 0) body.push(rect(x(b.ms - save), y, x(b.ms) - x(b.ms - save), BAR_H, COLORS.save))
      body.push(text(x(b.ms) + 5, y + BAR_H - 3, b.label, 'font-size="11"'))
      y += BAR_H + BAR_GAP
    }
    y += GROUP_GAP - BAR_GAP
  }
  const axisY = y
  for (let ms = 0; ms <= scaleMax; ms += step) {
    out.push(
      `<line x1="${x(ms).toFixed(1)}" y1="${barsTop - 4}" x2="${x(ms).toFixed(1)}" y2="${axisY}" stroke="${COLORS.grid}"/>`,
    )
    out.push(
      text(
        x(ms),
        axisY + 13,
        `${String(Number((ms / 1000).toFixed(2)))} s`,
        'font-size="10" fill="#666" text-anchor="middle"',
      ),
    )
  }
  out.push(...body)
  return { svg: out.join('\n'), height: axisY + 22 - top }
}

const wholes = (runs: readonly ActionSample[]) => median(runs.map((r) => r.ms))

function hitGroups(result: BenchResult): Group[] {
  const subjects = [
    { title: 'none', subtitle: 'no requirements', hit: result.fixed.hit, tar: result.fixed.tar },
    ...result.sets.map((s) => ({
      title: s.name,
      subtitle: `${String(s.packages)} packages`,
      hit: s.hit,
      tar: s.tar,
    })),
  ]
  return subjects.map((s) => {
    const hit = wholes(s.hit)
    const tar = median(s.tar)
    return {
      title: s.title,
      subtitle: s.subtitle,
      bars: [
        { ms: hit, color: COLORS.action, label: `${seconds(hit)} · ${ratio(hit, tar)} tar -x` },
        { ms: tar, color: COLORS.baseline, label: seconds(tar) },
      ],
    }
  })
}

function missGroups(result: BenchResult): Group[] {
  const h = result.hosted
  const subjects = [
    ...result.sets.map((s) => ({ ...s, title: s.name, subtitle: `${String(s.packages)} packages` })),
    ...(h === undefined
      ? []
      : [{ ...h, title: `${h.name}, hosted`, subtitle: `Python with pip ${h.basePip}` }]),
  ]
  return subjects.map((s) => {
    const miss = wholes(s.miss)
    const save = median(s.miss.map((r) => r.phases['Save'] ?? 0))
    const withoutSave = median(s.miss.map((r) => r.ms - (r.phases['Save'] ?? 0)))
    const plain = median(s.plain)
    return {
      title: s.title,
      subtitle: s.subtitle,
      bars: [
        {
          ms: miss,
          saveMs: save,
          color: COLORS.action,
          label: `${seconds(miss)} (Save ${seconds(save)}) · ${ratio(miss, plain)} plain · ${ratio(withoutSave, plain)} without Save`,
        },
        { ms: plain, color: COLORS.baseline, label: seconds(plain) },
      ],
    }
  })
}

/** Every bar is the action here, so each label says which run it is; the synced miss is the subject. */
function bumpGroups(result: BenchResult): Group[] {
  return result.bumps.map((b) => {
    const synced = wholes(b.synced)
    const full = wholes(b.full)
    return {
      title: `${b.name}, one bump`,
      subtitle: b.to,
      bars: [
        {
          ms: synced,
          color: COLORS.action,
          label: `synced ${seconds(synced)} · full ÷ synced ${ratio(full, synced)}`,
        },
        { ms: full, color: COLORS.baseline, label: `full miss ${seconds(full)}` },
        { ms: wholes(b.noop), color: COLORS.noop, label: `no-op sync ${seconds(wholes(b.noop))}` },
        { ms: wholes(b.hit), color: COLORS.hit, label: `hit ${seconds(wholes(b.hit))}` },
      ],
    }
  })
}

function legend(y: number): string {
  const items: [string, string][] = [
    [COLORS.action, 'setup-venv (whole process)'],
    [COLORS.save, 'its Save phase'],
    [COLORS.baseline, 'baseline: tar -x of the same archive / python -m venv + pip install -r'],
  ]
  let x = LABEL_X
  return items
    .map(([color, label]) => {
      const svg = `${rect(x, y - 10, 12, 12, color)}\n${text(x + 17, y, label, 'font-size="11"')}`
      x += 30 + label.length * 6
      return svg
    })
    .join('\n')
}

export function svgChart(result: BenchResult): string {
  const m = result.machine
  const parts: string[] = [
    text(LABEL_X, 22, 'setup-venv benchmark: medians, lower is better', 'font-size="16" font-weight="bold"'),
  ]
  let y = 34
  const hits = panel(
    y,
    'Cache hit on a fresh runner: the action vs tar -x of the same archive',
    hitGroups(result),
  )
  parts.push(hits.svg)
  y += hits.height + 8
  if (result.sets.length > 0 || result.hosted !== undefined) {
    const misses = panel(
      y,
      'Cache miss: the action (build + save) vs python -m venv + pip install -r',
      missGroups(result),
    )
    parts.push(misses.svg)
    y += misses.height + 8
  }
  if (result.bumps.length > 0) {
    const bumps = panel(
      y,
      'One pin bumped, no Save: synced miss vs full miss (incremental: false); a no-op sync vs the hit',
      bumpGroups(result),
    )
    parts.push(bumps.svg)
    y += bumps.height + 8
  }
  parts.push(legend(y + 6))
  const facts = `${m.cpu}, ${String(m.cores)} cores · Python ${m.python.split(' ')[0] ?? ''} · Node ${m.actionNode} · ${String(result.rounds)} rounds · ${result.started.slice(0, 10)} · ${m.commit.split(' ')[0] ?? ''}`
  parts.push(text(LABEL_X, y + 26, facts, 'font-size="10" fill="#666"'))
  const height = Math.ceil(y + 36)
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12" fill="${COLORS.text}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n')
}
