import { stringify } from 'csv-stringify/sync'
import type { StanceSeries } from '../aggregate/stance-over-time.js'

/**
 * One row per bucket (and platform, language or theme when split) and label: what a spreadsheet or a
 * notebook wants. `posts` is the row's total, the denominator of `share`.
 */
export function stanceCsv(s: StanceSeries): string {
  const header = ['start', 'end', ...(s.split ? [s.split] : []), 'label', 'count', 'human', 'posts', 'share', 'ci_low', 'ci_high']
  const rows = s.buckets.flatMap((b) =>
    b.labels.map((l) => [
      b.start,
      b.end,
      ...(s.split ? [b.group ?? ''] : []),
      l.label,
      // Before the topic was collected the counts are unknown: empty cells, which no sum mistakes for zero.
      ...(!b.collected ? ['', '', '', '', '', ''] : [l.count, l.human, b.total, round(l.share), round(l.ci95[0]), round(l.ci95[1])]),
    ]),
  )
  return stringify([header, ...rows])
}

/** Six decimals: finer than any share of a real bucket needs, and no 0.30000000000000004. */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6
}
