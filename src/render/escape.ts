/*
 * Post text is hostile until escaped: HTML, Markdown, chat mentions, control characters and bidi
 * overrides all come through social media. Every medium gets its own escaper; none trusts another's.
 */

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

// Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the marks that can flip
// how surrounding text reads; controls other than newline and tab.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]/g

/** Text safe to show anywhere: no control or bidi-override characters. */
export function displaySafe(text: string): string {
  return text.replace(UNSAFE, '')
}

/** Keep at most `max` graphemes, then an ellipsis; an emoji or a combined character is never split. */
export function truncateGraphemes(text: string, max: number): string {
  let count = 0
  let end = 0
  for (const { index, segment } of graphemes.segment(text)) {
    if (count === max) return `${text.slice(0, end).trimEnd()}…`
    count++
    end = index + segment.length
  }
  return text
}

export function escapeHtml(text: string): string {
  return displaySafe(text).replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** An href only for http(s) URLs; anything else (javascript:, data:) becomes inert. */
export function safeHref(url: string): string | null {
  try {
    const u = new URL(url)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.toString() : null
  } catch {
    return null
  }
}

/**
 * CommonMark/GFM text: the characters that open inline syntax (emphasis, code, links, raw HTML, entities,
 * strikethrough, table cells) are backslash-escaped, and so is a first character that would start a
 * block (heading, list, quote). `[x](javascript:…)`, `**bold**` and `<b>` stay literal. Newlines become
 * spaces, so a quote stays one line.
 */
export function escapeMarkdown(text: string): string {
  return displaySafe(text)
    .replace(/\s*\n\s*/g, ' ')
    .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`)
    // Only punctuation can be backslash-escaped: "1." becomes "1\.", "#" becomes "\#".
    .replace(/^(\s*)(?:([#+\-=>])|(\d+)([.)]))/, (_, sp: string, mark?: string, digits?: string, dot?: string) => (mark ? `${sp}\\${mark}` : `${sp}${digits}\\${dot}`))
}
