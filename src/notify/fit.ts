import { truncateGraphemes } from '../render/escape.js'

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/**
 * Escape `text` for a medium and keep the result within `max` characters (UTF-16 units, how Slack and
 * Discord count). Escaping lengthens text, so the cut is made on the raw text (on a grapheme boundary,
 * never inside an emoji or an entity) and the longest prefix whose escaped form fits is kept.
 */
export function fitEscaped(text: string, max: number, escape: (s: string) => string): string {
  const whole = escape(text)
  if (whole.length <= max) return whole
  let lo = 0
  let hi = [...graphemes.segment(text)].length
  let best = escape(truncateGraphemes(text, 0))
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const candidate = escape(truncateGraphemes(text, mid))
    if (candidate.length <= max) {
      best = candidate
      lo = mid + 1
    } else hi = mid - 1
  }
  return best.length <= max ? best : ''
}

/** Lines joined with newlines, dropping whole lines from the end (marked with …) to stay within `max`. */
export function joinWithin(lines: readonly string[], max: number): string {
  let out = ''
  for (const line of lines) {
    const next = out ? `${out}\n${line}` : line
    if (next.length > max) return out ? (out.length + 2 <= max ? `${out}\n…` : out) : line.slice(0, max)
    out = next
  }
  return out
}
