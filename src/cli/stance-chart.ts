import type { StanceBucket, StanceSeries } from '../aggregate/stance-over-time.js'
import { UNCERTAIN, UNCLASSIFIED } from '../domain/stance.js'
import { bucketLabels, unusualLength } from './bucket-labels.js'
import { displayWidth, NOT_COLLECTED, pct } from './table.js'

export const CHART_WIDTH = 80

interface Style {
  glyph: string
  /** ANSI SGR code. */
  color: string
}

// Every label has its own glyph as well as its own colour: the chart reads the same without colour (pipes,
// NO_COLOR) and for people who do not tell red from green. The model's "not sure" and "not yet
// classified" are the pale glyphs, so they never look like a stance.
const STANCE_STYLES: Style[] = [
  { glyph: '█', color: '31' },
  { glyph: '▓', color: '32' },
  { glyph: '▒', color: '34' },
  { glyph: '▚', color: '35' },
  { glyph: '▞', color: '36' },
  { glyph: '▙', color: '33' },
]
const SPECIAL_STYLES: Record<string, Style> = {
  [UNCERTAIN]: { glyph: '░', color: '90' },
  [UNCLASSIFIED]: { glyph: '·', color: '2' },
}

/**
 * Shares per bucket as stacked horizontal bars, one row per bucket (and group when split), with a legend
 * and the number of posts of each row, in `width` columns. ANSI colours only when `color` is set.
 */
export function stanceChart(s: StanceSeries, opts: { color: boolean; width?: number }): string {
  const width = opts.width ?? CHART_WIDTH
  const shown = s.labels.filter((l) => l !== UNCLASSIFIED || count(s.totals, l) > 0)
  const styles = new Map(shown.map((l, i) => [l, SPECIAL_STYLES[l] ?? STANCE_STYLES[i % STANCE_STYLES.length]!]))
  const paint = (style: Style, text: string) => (opts.color && text ? `\x1b[${style.color}m${text}\x1b[0m` : text)
  const dim = (text: string) => (opts.color ? `\x1b[2m${text}\x1b[0m` : text)

  const names = bucketLabels([...new Set(s.buckets.map((b) => b.start))], s.bucket)
  const rows = s.buckets.map((b, i) => ({
    when: i > 0 && s.buckets[i - 1]!.start === b.start ? '' : names.get(b.start)!,
    group: b.group ?? '',
    bucket: b,
    note: unusualLength(b.start, b.end, s.bucket) ?? '',
  }))
  const total = { when: 'total', group: '', bucket: s.totals, note: '' }
  const whenWidth = Math.max(...[...rows, total].map((r) => displayWidth(r.when)))
  const groupWidth = s.split ? Math.max(...rows.map((r) => displayWidth(r.group))) : 0
  const countWidth = Math.max(...[...rows, total].map((r) => r.bucket.total.toLocaleString('en').length))
  const noteWidth = Math.max(0, ...rows.map((r) => r.note.length))
  const barWidth = Math.max(10, width - whenWidth - 2 - (s.split ? groupWidth + 2 : 0) - 2 - countWidth - (noteWidth ? noteWidth + 2 : 0))

  const line = (r: (typeof rows)[number]) => {
    const bar = !r.bucket.collected
      ? dim(NOT_COLLECTED.padEnd(barWidth))
      : r.bucket.total
        ? cells(r.bucket, shown, barWidth)
            .map(([label, n]) => paint(styles.get(label)!, styles.get(label)!.glyph.repeat(n)))
            .join('')
        : dim('no posts'.padEnd(barWidth))
    const parts = [r.when + ' '.repeat(whenWidth - displayWidth(r.when))]
    if (s.split) parts.push(r.group + ' '.repeat(groupWidth - displayWidth(r.group)))
    parts.push(bar, (r.bucket.collected ? r.bucket.total.toLocaleString('en') : '').padStart(countWidth))
    if (noteWidth) parts.push(r.note)
    return parts.join('  ').trimEnd()
  }

  const legend = shown.map((l) => `${paint(styles.get(l)!, styles.get(l)!.glyph)} ${l} ${pct(share(s.totals, l))}`)
  return [
    ...wrap(title(s), ', ', width),
    ...wrap(legend, '   ', width),
    '',
    ...rows.map(line),
    '',
    line(total),
    '',
    "Bars: the shares of each row's posts by label. Numbers: posts in the row.",
    ...(noteWidth ? ['Hours shown: a daylight-saving change made that day or week shorter or longer.'] : []),
    ...(s.split === 'theme' ? ['A post with two themes counts in both rows; the total counts it once.'] : []),
  ].join('\n')
}

function title(s: StanceSeries): string[] {
  const f = s.filters
  return [
    `Stance of ${s.topic}`,
    `per ${s.bucket}`,
    s.timezone,
    ...(f.platform ? [`${f.platform} only`] : []),
    ...(f.lang ? [`${f.lang} only`] : []),
    ...(f.theme ? [`theme ${f.theme} only`] : []),
    ...(s.split ? [`by ${s.split}`] : []),
  ]
}

function count(b: StanceBucket, label: string): number {
  return b.labels.find((x) => x.label === label)?.count ?? 0
}

function share(b: StanceBucket, label: string): number {
  return b.labels.find((x) => x.label === label)?.share ?? 0
}

/**
 * How many of `width` cells each label gets: by largest remainder, so the cells always fill the bar
 * exactly and no label gets more than its share rounded up. A label no longer configured (until posts are
 * classified again) is left out of the bar.
 */
function cells(b: StanceBucket, labels: string[], width: number): [string, number][] {
  const counted = labels.reduce((n, l) => n + count(b, l), 0)
  if (!counted) return labels.map((l) => [l, 0])
  const exact = labels.map((l) => (counted ? (count(b, l) / counted) * width : 0))
  const out = exact.map(Math.floor)
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1])
  for (let k = 0, left = width - out.reduce((a, c) => a + c, 0); k < left; k++) out[byRemainder[k % byRemainder.length]![1]]!++
  return labels.map((l, i) => [l, out[i]!])
}

/** Items joined by `separator` on as few lines of `width` columns as they fit. */
function wrap(items: string[], separator: string, width: number): string[] {
  const lines: string[] = []
  let current = ''
  for (const item of items) {
    const next = current ? `${current}${separator}${item}` : item
    if (current && displayWidth(next) > width) {
      lines.push(current)
      current = item
    } else current = next
  }
  if (current) lines.push(current)
  return lines
}
