// Number formatting shared by the progress lines, the Markdown report and the chart.

export function seconds(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a'
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`
}

export function millis(ms: number): string {
  return Number.isFinite(ms) ? `${Math.round(ms)} ms` : 'n/a'
}

export function ratio(a: number, b: number): string {
  const r = a / b
  return Number.isFinite(r) ? `${r.toFixed(r < 10 ? 2 : 1)}×` : 'n/a'
}

export function percent(part: number, whole: number): string {
  const p = (100 * part) / whole
  return Number.isFinite(p) ? `${Math.round(p)}%` : 'n/a'
}

export function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`
}
