/**
 * A subset of X's search query language, parsed and evaluated for the test server.
 *
 * Supported: bare terms (case-insensitive whole-word match; terms with CJK characters match as substrings),
 * "exact phrases", implicit AND, OR (binds looser than AND), parentheses, `-` negation (of a term, phrase,
 * operator or group), `#hashtag`, `@mention`, `from:`, `to:`, `url:`, `conversation_id:`, `lang:`,
 * `is:retweet|reply|quote`, `has:links|hashtags|mentions|media`.
 * Like X, `lang:`, `is:` and `has:` are conjunction-required: a query needs at least one positive
 * standalone clause (term, phrase, hashtag, mention, from:, to:, url:, conversation_id:) in every OR branch.
 */

export type XQueryNode =
  | { type: 'and'; children: XQueryNode[] }
  | { type: 'or'; children: XQueryNode[] }
  | { type: 'not'; child: XQueryNode }
  | { type: 'term'; value: string }
  | { type: 'phrase'; value: string }
  | { type: 'hashtag'; tag: string }
  | { type: 'mention'; username: string }
  | { type: 'op'; name: XOperator; value: string }

export type XOperator = 'from' | 'to' | 'url' | 'conversation_id' | 'lang' | 'is' | 'has'

const STANDALONE_OPS = new Set<XOperator>(['from', 'to', 'url', 'conversation_id'])
const CONJUNCTION_OPS = new Set<XOperator>(['lang', 'is', 'has'])
const IS_VALUES = new Set(['retweet', 'reply', 'quote'])
const HAS_VALUES = new Set(['links', 'hashtags', 'mentions', 'media'])
/** Real X operators this subset does not implement: rejected loudly rather than silently mismatched. */
const KNOWN_UNSUPPORTED = new Set([
  'retweets_of',
  'context',
  'entity',
  'place',
  'place_country',
  'point_radius',
  'bounding_box',
  'list',
  'in_reply_to_tweet_id',
  'retweets_of_tweet_id',
  'quotes_of_tweet_id',
  'source',
  'bio',
  'bio_name',
  'bio_location',
  'followers_count',
  'tweets_count',
  'following_count',
  'listed_count',
  'min_likes',
  'min_replies',
  'min_reposts',
  'sample',
])

/** A query X would reject; `position` is 1-based, as in X's messages. */
export class XQueryError extends Error {
  override name = 'XQueryError'
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(`There were errors processing your request: ${reason} (at position ${position})`)
  }
}

/** What a query is evaluated against: a tweet flattened by the server (text already HTML-unescaped). */
export interface XQueryTarget {
  text: string
  lang: string
  authorId: string
  authorUsername?: string
  inReplyToUserId?: string
  inReplyToUsername?: string
  conversationId: string
  hashtags: string[]
  mentions: string[]
  /** Every url, expanded_url, unwound_url and display_url of the tweet (and of its note_tweet). */
  urls: string[]
  referencedTypes: string[]
  hasMedia: boolean
}

type Tok = { k: 'lp' | 'rp' | 'or'; pos: number } | { k: 'atom'; pos: number; neg: boolean; node: XQueryNode } | { k: 'neglp'; pos: number }

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u
const WORD = /[\p{L}\p{N}_]/u

function tokenize(q: string): Tok[] {
  const toks: Tok[] = []
  let i = 0
  const n = q.length
  const isSpace = (c: string | undefined) => c !== undefined && /\s/.test(c)
  while (i < n) {
    const c = q[i]!
    if (isSpace(c)) {
      i++
      continue
    }
    const pos = i + 1
    if (c === '(') {
      toks.push({ k: 'lp', pos })
      i++
      continue
    }
    if (c === ')') {
      toks.push({ k: 'rp', pos })
      i++
      continue
    }
    let neg = false
    if (c === '-') {
      const next = q[i + 1]
      if (next === undefined || isSpace(next) || next === ')') throw new XQueryError("'-' must be followed by the clause it negates", pos)
      neg = true
      i++
      if (q[i] === '(') {
        toks.push({ k: 'neglp', pos })
        i++
        continue
      }
    }
    if (q[i] === '"') {
      const close = q.indexOf('"', i + 1)
      if (close < 0) throw new XQueryError('Unterminated quoted phrase', i + 1)
      const value = q
        .slice(i + 1, close)
        .trim()
        .replace(/\s+/g, ' ')
      if (!value) throw new XQueryError('Empty quoted phrase', i + 1)
      toks.push({ k: 'atom', pos, neg, node: { type: 'phrase', value } })
      i = close + 1
      continue
    }
    // A bare word: up to whitespace or a parenthesis; an operator value may be quoted.
    let j = i
    while (j < n && !isSpace(q[j]) && q[j] !== '(' && q[j] !== ')' && q[j] !== '"') j++
    const word = q.slice(i, j)
    let quotedValue: string | undefined
    if (q[j] === '"' && /^[a-z_]+:$/i.test(word)) {
      const close = q.indexOf('"', j + 1)
      if (close < 0) throw new XQueryError('Unterminated quoted phrase', j + 1)
      quotedValue = q.slice(j + 1, close)
      j = close + 1
    } else if (q[j] === '"') {
      throw new XQueryError(`Unexpected '"' after '${word}'`, j + 1)
    }
    i = j
    if (!neg && word === 'OR' && quotedValue === undefined) {
      toks.push({ k: 'or', pos })
      continue
    }
    toks.push({ k: 'atom', pos, neg, node: atom(word, quotedValue, pos) })
  }
  return toks
}

function atom(word: string, quotedValue: string | undefined, pos: number): XQueryNode {
  if (word.startsWith('#') && word.length > 1) return { type: 'hashtag', tag: word.slice(1) }
  if (word.startsWith('@') && word.length > 1) return { type: 'mention', username: word.slice(1) }
  const m = /^([a-z_]+):(.*)$/i.exec(word)
  if (m && !/^https?$/i.test(m[1]!)) {
    const name = m[1]!.toLowerCase()
    const value = quotedValue ?? m[2]!
    if (!value) throw new XQueryError(`Operator '${name}:' needs a value`, pos)
    if (STANDALONE_OPS.has(name as XOperator) || CONJUNCTION_OPS.has(name as XOperator)) {
      const op = name as XOperator
      if (op === 'is' && !IS_VALUES.has(value.toLowerCase())) throw new XQueryError(`Reference to invalid operator 'is:${value}'`, pos)
      if (op === 'has' && !HAS_VALUES.has(value.toLowerCase())) throw new XQueryError(`Reference to invalid operator 'has:${value}'`, pos)
      if (op === 'lang' && !/^[a-z]{2,3}(-[a-z]{2,4})?$/i.test(value)) throw new XQueryError(`Invalid language '${value}' for operator 'lang:'`, pos)
      return { type: 'op', name: op, value }
    }
    if (KNOWN_UNSUPPORTED.has(name)) throw new XQueryError(`Operator '${name}:' is not supported by the test server`, pos)
    throw new XQueryError(`Reference to invalid operator '${name}'`, pos)
  }
  return { type: 'term', value: word }
}

/** Parse a query into a tree, or throw XQueryError with X's wording. */
export function parseXQuery(query: string): XQueryNode {
  const toks = tokenize(query)
  if (!toks.length) throw new XQueryError('Query is empty', 1)
  let p = 0
  const peek = () => toks[p]
  const parseOr = (): XQueryNode => {
    const children = [parseAnd()]
    while (peek()?.k === 'or') {
      const t = toks[p++]!
      if (!peek() || peek()!.k === 'rp' || peek()!.k === 'or') throw new XQueryError("'OR' must be between two clauses", t.pos)
      children.push(parseAnd())
    }
    return children.length === 1 ? children[0]! : { type: 'or', children }
  }
  const parseAnd = (): XQueryNode => {
    const children: XQueryNode[] = []
    for (;;) {
      const t = peek()
      if (!t || t.k === 'rp' || t.k === 'or') break
      p++
      if (t.k === 'atom') children.push(t.neg ? { type: 'not', child: t.node } : t.node)
      else {
        const inner = parseOr()
        if (peek()?.k !== 'rp') throw new XQueryError("Missing ')'", t.pos)
        p++
        children.push(t.k === 'neglp' ? { type: 'not', child: inner } : inner)
      }
    }
    if (!children.length) {
      const t = peek()
      throw new XQueryError(t?.k === 'or' ? "'OR' must be between two clauses" : 'Expected a clause', t?.pos ?? query.length + 1)
    }
    return children.length === 1 ? children[0]! : { type: 'and', children }
  }
  const root = parseOr()
  if (p < toks.length) throw new XQueryError("Unexpected ')'", toks[p]!.pos)
  if (!positiveStandalone(root)) {
    throw new XQueryError(
      'Rules must contain at least one positive, non-negated standalone clause; lang:, is: and has: can only be used in conjunction with one',
      1,
    )
  }
  return root
}

function positiveStandalone(n: XQueryNode): boolean {
  switch (n.type) {
    case 'term':
    case 'phrase':
    case 'hashtag':
    case 'mention':
      return true
    case 'op':
      return STANDALONE_OPS.has(n.name)
    case 'not':
      return false
    case 'and':
      return n.children.some(positiveStandalone)
    case 'or':
      return n.children.every(positiveStandalone)
  }
}

/** Case-insensitive match of `needle` in `hay` with word boundaries, except at CJK edges (substring there). */
function wordMatch(hay: string, needle: string): boolean {
  const h = hay.toLowerCase()
  const nd = needle.toLowerCase()
  if (!nd) return false
  const first = [...nd][0]!
  const last = [...nd].at(-1)!
  const checkStart = WORD.test(first) && !CJK.test(first)
  const checkEnd = WORD.test(last) && !CJK.test(last)
  let from = 0
  for (;;) {
    const at = h.indexOf(nd, from)
    if (at < 0) return false
    const before = at > 0 ? String.fromCodePoint(h.codePointAt(at - 1)!) : ''
    const afterCp = h.codePointAt(at + nd.length)
    const after = afterCp === undefined ? '' : String.fromCodePoint(afterCp)
    const okStart = !checkStart || !before || !WORD.test(before) || CJK.test(before)
    const okEnd = !checkEnd || !after || !WORD.test(after) || CJK.test(after)
    if (okStart && okEnd) return true
    from = at + 1
  }
}

/** Evaluate a parsed query against a tweet. */
export function matchesXQuery(node: XQueryNode, t: XQueryTarget): boolean {
  switch (node.type) {
    case 'and':
      return node.children.every((c) => matchesXQuery(c, t))
    case 'or':
      return node.children.some((c) => matchesXQuery(c, t))
    case 'not':
      return !matchesXQuery(node.child, t)
    case 'term':
      return CJK.test(node.value) ? t.text.toLowerCase().includes(node.value.toLowerCase()) : wordMatch(t.text, node.value)
    case 'phrase':
      return wordMatch(t.text.replace(/\s+/g, ' '), node.value)
    case 'hashtag':
      return t.hashtags.some((h) => h.toLowerCase() === node.tag.toLowerCase())
    case 'mention':
      return t.mentions.some((m) => m.toLowerCase() === node.username.toLowerCase())
    case 'op': {
      const v = node.value.toLowerCase()
      switch (node.name) {
        case 'from':
          return t.authorId === node.value || t.authorUsername?.toLowerCase() === v
        case 'to':
          return t.inReplyToUserId === node.value || t.inReplyToUsername?.toLowerCase() === v
        case 'url':
          return t.urls.some((u) => u.toLowerCase().includes(v))
        case 'conversation_id':
          return t.conversationId === node.value
        case 'lang':
          return t.lang.toLowerCase() === v
        case 'is':
          return t.referencedTypes.includes(v === 'retweet' ? 'retweeted' : v === 'reply' ? 'replied_to' : 'quoted')
        case 'has':
          if (v === 'links') return t.urls.length > 0
          if (v === 'hashtags') return t.hashtags.length > 0
          if (v === 'mentions') return t.mentions.length > 0
          return t.hasMedia
      }
    }
  }
}
