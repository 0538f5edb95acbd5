// Markdown building blocks shared by the report's sections: a table, a cell of medians with their range,
// a ratio cell with its paired ratio.
import { ratio, seconds } from './format.js'
import { max, median, min } from './stats.js'

/** "1.52 s" with the range of the samples under it. */
export function cell(values: readonly number[]): string {
  const s = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1)
  return `${seconds(median(values))} <sub>${s(min(values))}–${s(max(values))}</sub>`
}

/** Per-round ratios a ÷ b: each round's runs ran back to back. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x / (b[i] ?? Number.NaN))
}

/**
 * Ratio of the medians, with the median of the per-round ratios under it: each round's two sides ran back
 * to back, so that one cancels load that drifts between rounds on a shared machine.
 */
export function ratioCell(action: readonly number[], baseline: readonly number[]): string {
  return `**${ratio(median(action), median(baseline))}** <sub>paired ${ratio(median(pairedRatios(action, baseline)), 1)}</sub>`
}

export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align?: string,
): string[] {
  const sep = align ?? header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')
  return [`| ${header.join(' | ')} |`, `| ${sep} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)]
}
