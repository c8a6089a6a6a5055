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
  return (
    displaySafe(text)
      .replace(/\s*\n\s*/g, ' ')
      .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`)
      // Only punctuation can be backslash-escaped: "1." becomes "1\.", "#" becomes "\#".
      .replace(/^(\s*)(?:([#+\-=>])|(\d+)([.)]))/, (_, sp: string, mark?: string, digits?: string, dot?: string) =>
        mark ? `${sp}\\${mark}` : `${sp}${digits}\\${dot}`,
      )
  )
}

const ZWSP = '\u200B'

/**
 * Slack mrkdwn. Slack reads `<…>` as links and mentions (`<!channel>`, `<!here>`, `<@U123>`,
 * `<http://evil|click>`) and asks for `&`, `<`, `>` as entities: escaping those three makes every such
 * sequence literal text. mrkdwn has no backslash escape, so the formatting markers `* _ ~ \`` get a
 * zero-width space on both sides: whether Slack counts that space as a word character or not, the marker
 * can no longer open or close bold, italics, strike or code (a stray ``` would swallow the rest of the
 * message). Bare @here / @channel / @everyone get one after the @, for clients that still expand them.
 */
export function escapeSlack(text: string): string {
  return displaySafe(text)
    .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'))
    .replace(/[*_~`]/g, (c) => `${ZWSP}${c}${ZWSP}`)
    .replace(/@(here|channel|everyone)\b/gi, `@${ZWSP}$1`)
}

/**
 * A link we build for Slack, `<url|label>`: only an http(s) URL, with the characters that would end the
 * link syntax (`|`, `>`, spaces) percent-encoded, and the label escaped; anything else is the label alone.
 */
export function slackLink(url: string, label: string): string {
  const href = safeHref(url)
  const text = escapeSlack(label)
  return href ? `<${href.replace(/[|<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}|${text}>` : text
}

/**
 * Discord markdown. A backslash before ASCII punctuation shows it literally, so the characters that open
 * formatting, spoilers (`||`), quotes, headings, code, masked links `[x](y)` and mentions of users, roles
 * and channels (`<@…>`, `<@&…>`, `<#…>`) are escaped, and so is a list marker starting a line. @everyone and
 * @here get a zero-width space after the @: `allowed_mentions: {parse: []}` already stops the ping, this
 * stops the text from even looking like one. Newlines are kept; callers quoting a post collapse them.
 */
export function escapeDiscord(text: string): string {
  return displaySafe(text)
    .replace(/[\\*_~`|>#[\]<]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+]|\d+[.)])/gm, (_, sp: string, mark: string) => `${sp}${mark.replace(/[-+.)]$/, (m) => `\\${m}`)}`)
    .replace(/@(everyone|here)\b/gi, `@${ZWSP}$1`)
}

/**
 * A masked link we build for Discord, `[label](<url>)`: only an http(s) URL (the angle brackets stop the
 * preview embed), with `(`, `)`, `<`, `>` and spaces percent-encoded so the URL cannot close the syntax
 * early; anything else is the escaped label alone.
 */
export function discordLink(url: string, label: string): string {
  const href = safeHref(url)
  const text = escapeDiscord(label)
  const encoded = href?.replace(/[()<> ]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
  return encoded ? `[${text}](<${encoded}>)` : text
}

/**
 * One header line, e.g. an e-mail subject. A CR or LF would let the text start headers of its own
 * (`\r\nBcc: …`), so every line break, tab and other whitespace run becomes one space; control and bidi
 * characters are removed. Shortened to `max` graphemes: mail clients cut long subjects anyway.
 */
export function headerSafe(text: string, max = 200): string {
  return truncateGraphemes(
    displaySafe(text.replace(/[\s\u0085]+/g, ' '))
      .replace(/ {2,}/g, ' ')
      .trim(),
    max,
  )
}
