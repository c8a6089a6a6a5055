import { displaySafe, safeHref, truncateGraphemes } from '../render/escape.js'
import type { Message } from '../domain/message.js'

/*
 * Bluesky text is plain (nothing to escape) but has limits counted in graphemes and bytes, and links are
 * facets: ranges of the text given as UTF-8 byte offsets, not JavaScript string indexes. A Chinese
 * character is 3 bytes and 1 grapheme, an emoji up to 4 bytes per code point and a ZWJ family one
 * grapheme of 25 bytes, so every count here is done on what it means.
 */

export interface LinkFacet {
  index: { byteStart: number; byteEnd: number }
  features: [{ $type: 'app.bsky.richtext.facet#link'; uri: string }]
}

export interface RichText {
  text: string
  facets: LinkFacet[]
}

export interface TextLimits {
  graphemes: number
  bytes: number
}

/** app.bsky.feed.post: 300 graphemes, 3000 bytes. */
export const POST_LIMITS: TextLimits = { graphemes: 300, bytes: 3000 }
/** chat.bsky.convo message: 1000 graphemes, 10000 bytes. */
export const DM_LIMITS: TextLimits = { graphemes: 1000, bytes: 10_000 }
/** A thread longer than this is not a notification any more: summary lines are dropped to fit. */
export const MAX_THREAD_POSTS = 6

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
const utf8 = new TextEncoder()

const byteLength = (s: string): number => utf8.encode(s).length
const graphemeCount = (s: string): number => {
  let n = 0
  for (const _ of graphemes.segment(s)) n++
  return n
}
const fits = (s: string, l: TextLimits): boolean => graphemeCount(s) <= l.graphemes && byteLength(s) <= l.bytes

/** A stretch of text with its links as UTF-16 ranges (converted to byte offsets only at the end). */
interface Piece {
  text: string
  links: { start: number; end: number; uri: string }[]
}

// URL characters of RFC 3986 only: a URL followed directly by Chinese text or a full stop ends there.
const URL_RE = /https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+/g

/** http(s) links in a line, trailing punctuation left out (a `)` only when it has no `(` in the URL). */
export function findLinks(text: string): Piece['links'] {
  const out: Piece['links'] = []
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0]
    for (;;) {
      const trimmed = url.replace(/[.,;:!?'"]+$/, '')
      const unbalanced = trimmed.endsWith(')') && (trimmed.match(/\(/g)?.length ?? 0) < (trimmed.match(/\)/g)?.length ?? 0)
      const next = unbalanced ? trimmed.slice(0, -1) : trimmed
      if (next === url) break
      url = next
    }
    const uri = safeHref(url)
    if (uri && url.length > 'https://'.length) out.push({ start: m.index, end: m.index + url.length, uri: url })
  }
  return out
}

/** One line of display-safe text as a piece with its links. */
function lineToPiece(line: string): Piece {
  const text = displaySafe(line).replace(/\s+/g, ' ').trim()
  return { text, links: findLinks(text) }
}

/**
 * Cut a piece that is over the limits into pieces that are not: at the last space before the limit when
 * there is one in the second half, otherwise at a grapheme boundary; never inside a link that could fit
 * whole (a link cut in two would point somewhere else), and a cut link is not linked at all.
 */
function splitPiece(p: Piece, l: TextLimits): Piece[] {
  if (fits(p.text, l)) return [p]
  const out: Piece[] = []
  let rest = p
  while (!fits(rest.text, l)) {
    let count = 0
    let bytes = 0
    let limit = 0 // UTF-16 index of the last grapheme boundary within the limits
    for (const { index, segment } of graphemes.segment(rest.text)) {
      const b = byteLength(segment)
      if (count + 1 > l.graphemes || bytes + b > l.bytes) break
      count++
      bytes += b
      limit = index + segment.length
    }
    if (limit === 0) {
      // A single grapheme over the byte limit (hundreds of stacked combining marks): dropped, it cannot be posted.
      const first = graphemes.segment(rest.text)[Symbol.iterator]().next().value?.segment.length ?? rest.text.length
      rest = { text: rest.text.slice(first), links: [] }
      continue
    }
    let cut = limit
    const space = rest.text.lastIndexOf(' ', limit)
    if (space > limit / 2) cut = space
    const inside = rest.links.find((k) => k.start < cut && cut < k.end && fits(rest.text.slice(k.start, k.end), l))
    if (inside && inside.start > 0) cut = inside.start
    if (cut <= 0) cut = limit
    const head = rest.text.slice(0, cut).trimEnd()
    out.push({ text: head, links: rest.links.filter((k) => k.end <= head.length) })
    const skip = rest.text.length - rest.text.slice(cut).trimStart().length
    rest = {
      text: rest.text.slice(skip),
      links: rest.links.filter((k) => k.start >= skip).map((k) => ({ start: k.start - skip, end: k.end - skip, uri: k.uri })),
    }
  }
  if (rest.text) out.push(rest)
  return out
}

/** Two pieces as one, a newline between them. */
function joinPieces(a: Piece, b: Piece): Piece {
  const shift = a.text.length + 1
  return { text: `${a.text}\n${b.text}`, links: [...a.links, ...b.links.map((k) => ({ start: k.start + shift, end: k.end + shift, uri: k.uri }))] }
}

/** Pieces packed into as few texts as the limits allow, one per line inside a text. */
function pack(pieces: Piece[], l: TextLimits): Piece[] {
  const out: Piece[] = []
  let cur: Piece | null = null
  for (const p of pieces.flatMap((x) => splitPiece(x, l))) {
    if (cur) {
      const joined = joinPieces(cur, p)
      if (fits(joined.text, l)) {
        cur = joined
        continue
      }
      out.push(cur)
    }
    cur = p
  }
  if (cur) out.push(cur)
  return out
}

/** UTF-16 link ranges to facets with UTF-8 byte offsets. */
function toRichText(p: Piece): RichText {
  return {
    text: p.text,
    facets: p.links.map((k) => ({
      index: { byteStart: byteLength(p.text.slice(0, k.start)), byteEnd: byteLength(p.text.slice(0, k.end)) },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: k.uri }],
    })),
  }
}

/** The message's lines: title, summary, then its link (a very long link shown shortened, linked in full). */
function messagePieces(m: Message, summaryLines: number): Piece[] {
  const pieces = [lineToPiece(truncateGraphemes(m.title, 280)), ...m.summary.slice(0, summaryLines).map(lineToPiece)].filter((p) => p.text)
  const link = m.link ? safeHref(m.link) : null
  if (link) {
    const shown = link.length <= 120 ? link : `${link.slice(0, 100)}…`
    pieces.push({ text: shown, links: [{ start: 0, end: shown.length, uri: link }] })
  }
  return pieces
}

/**
 * The posts of a thread: title, summary lines and link, packed into as few posts as fit, each within
 * 300 graphemes and 3000 bytes. Summary lines are dropped from the end while the thread would be longer
 * than MAX_THREAD_POSTS; the title and the link always stay.
 */
export function threadTexts(m: Message, limits: TextLimits = POST_LIMITS, maxPosts = MAX_THREAD_POSTS): RichText[] {
  for (let n = m.summary.length; n >= 0; n--) {
    const posts = pack(messagePieces(m, n), limits)
    if (posts.length <= maxPosts || n === 0) return posts.slice(0, maxPosts).map(toRichText)
  }
  return []
}

/** One direct message: as many summary lines as fit in 1000 graphemes with the title and the link. */
export function dmText(m: Message, limits: TextLimits = DM_LIMITS): RichText {
  for (let n = m.summary.length; n >= 0; n--) {
    const pieces = messagePieces(m, n)
    if (pieces.length === 0) break
    const joined = pieces.slice(1).reduce(joinPieces, pieces[0]!)
    if (fits(joined.text, limits)) return toRichText(joined)
    if (n === 0) return toRichText(pack([joined], limits)[0]!)
  }
  return { text: '', facets: [] }
}
