import { escapeHtml } from '../render/escape.js'

export interface ChartDay {
  day: string
  /** False: before the topic was collected; drawn as an empty dashed bar, never as a zero. */
  collected?: boolean
  total: number
  counts: Record<string, number>
}

/** Colours chosen for at least 3:1 contrast on white and to stay apart for common colour-blindness. */
export const LABEL_COLOURS: Record<string, string> = {
  concern: '#b3261e',
  praise: '#1a5fb4',
  neutral: '#6b6b6b',
  uncertain: '#c77c02',
  unclassified: '#a0a0a0',
}
const FALLBACK_COLOURS = ['#2e7d32', '#6a1b9a', '#00838f', '#ad1457']

export function colourOf(label: string, index: number): string {
  return LABEL_COLOURS[label] ?? FALLBACK_COLOURS[index % FALLBACK_COLOURS.length]!
}

/**
 * Stacked daily bars as inline SVG: no script, no external request, readable without colour thanks to
 * the title/description and the table that follows it in the digest.
 */
export function stackedBars(days: readonly ChartDay[], labels: readonly { label: string; name: string }[], title: string): string {
  const w = 640
  const h = 220
  const pad = { left: 40, right: 8, top: 12, bottom: 28 }
  const innerW = w - pad.left - pad.right
  const innerH = h - pad.top - pad.bottom
  const max = Math.max(1, ...days.map((d) => d.total))
  const step = innerW / Math.max(1, days.length)
  const barW = Math.max(2, step * 0.72)
  const y = (v: number) => pad.top + innerH - (v / max) * innerH
  const parts: string[] = []
  const ticks = niceTicks(max)
  for (const t of ticks) {
    parts.push(`<line x1="${pad.left}" x2="${w - pad.right}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#e0e0e0" stroke-width="1"/>`)
    parts.push(`<text x="${pad.left - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="#444">${t}</text>`)
  }
  days.forEach((d, i) => {
    const x = pad.left + i * step + (step - barW) / 2
    if (d.collected === false)
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${pad.top}" width="${barW.toFixed(1)}" height="${innerH}" fill="none" stroke="#888" stroke-width="1" stroke-dasharray="3 3"><title>${escapeHtml(`${d.day}: not collected`)}</title></rect>`,
      )
    let acc = 0
    labels.forEach((l, li) => {
      const n = d.counts[l.label] ?? 0
      if (n === 0) return
      const top = y(acc + n)
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(acc) - top).toFixed(1)}" fill="${colourOf(l.label, li)}"><title>${escapeHtml(`${d.day}: ${n} ${l.name}`)}</title></rect>`,
      )
      acc += n
    })
    if (i % 2 === days.length % 2 || days.length <= 7) {
      parts.push(
        `<text x="${(x + barW / 2).toFixed(1)}" y="${h - pad.bottom + 16}" text-anchor="middle" font-size="11" fill="#444">${escapeHtml(d.day.slice(5))}</text>`,
      )
    }
  })
  const desc = days
    .map((d) =>
      d.collected === false
        ? `${d.day}: not collected`
        : `${d.day}: ${d.total} posts (${labels.map((l) => `${d.counts[l.label] ?? 0} ${l.label}`).join(', ')})`,
    )
    .join('; ')
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${w} ${h}" width="100%" role="img" aria-labelledby="chart-title chart-desc" style="max-width:${w}px;height:auto">
<title id="chart-title">${escapeHtml(title)}</title>
<desc id="chart-desc">${escapeHtml(desc)}</desc>
${parts.join('\n')}
</svg>`
}

function niceTicks(max: number): number[] {
  const raw = max / 4
  const mag = 10 ** Math.floor(Math.log10(raw || 1))
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw
  const out: number[] = []
  for (let t = 0; t <= max; t += step) out.push(Math.round(t))
  return out
}
