import { createRequire } from 'node:module'
import { foldForMatch } from '../text/fold.js'
import { preparedWordTokens } from '../text/tokenize.js'

// natural's stop-word lists are plain CommonJS files without types; loading them alone spares its root import.
const require = createRequire(import.meta.url)
const list = (name: string) => (require(`natural/lib/natural/util/${name}.js`) as { words: string[] }).words
const STOPWORDS = new Set([
  ...list('stopwords'),
  ...list('stopwords_fr'),
  ...list('stopwords_zh'),
  ...list('stopwords_ja'),
  // What every post says, in the four languages: words that never explain a burst.
  ...'rt amp via just like get got one also still really will would can could new says said est très plus cest quil'.split(' '),
  ...'的 了 是 在 和 也 就 都 而 及 与 着 这 那 有 我 你 他 她 它 们 吗 呢 吧 啊 我们 你们 他们 也在 这个 那个 什么 因为 所以 但是 如果 还是 已经 没有 就是 可以 一个 不是 自己 这样 现在 真的 还有 觉得'.split(
    ' ',
  ),
  ...'の は が を に で と も な た し て い す ます です これ それ あれ ある いる する なる こと もの ため よう から まで ない'.split(' '),
])

// Links with or without a scheme (nytimes.com/2025/…, www.example.org).
const URL = /https?:\/\/\S+|\b(?:[\p{L}\p{N}-]+\.)+[a-z]{2,}(?:\/\S*)?/giu
// Hyphenated words stay whole: "start-ups", "state-backed".
const COMPOUND = /\p{L}+(?:-\p{L}+)+/gu
const MENTION = /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.-]+/gu
const HASHTAG = /#([\p{L}\p{N}_]{2,50})/gu

/** The distinct terms of a post: its hashtags (`#tag`), hyphenated words, and other words without stop words, links or mentions. */
export function termsOf(text: string, lang: string): Set<string> {
  const terms = new Set<string>()
  for (const m of text.matchAll(HASHTAG)) terms.add(`#${m[1]!.toLowerCase()}`)
  let rest = text.replace(URL, ' ').replace(MENTION, '$1 ').replace(HASHTAG, ' ')
  for (const m of rest.matchAll(COMPOUND)) terms.add(foldForMatch(m[0]))
  rest = rest.replace(COMPOUND, ' ')
  // Words as written (no stemming): a person reads these.
  for (const raw of preparedWordTokens(foldForMatch(rest), lang === 'zh' || lang === 'ja' ? lang : 'und')) {
    const t = raw.startsWith('NOT_') ? raw.slice(4) : raw
    if ([...t].length < 2 || /^\d+$/.test(t) || STOPWORDS.has(t)) continue
    terms.add(t)
  }
  return terms
}

export interface TopTerm {
  term: string
  /** Posts of the window that use it. */
  posts: number
  /** How many times more often posts use it than in the baseline (absent without a baseline). */
  lift?: number
}

/**
 * The terms that set the window apart from its baseline: ranked by the z-score of their log-odds ratio
 * (posts using the term, window against baseline, half a post added each way), so a term needs to be both
 * over-represented and used by enough posts — "China" in every post of a China topic never shows.
 */
export function topTerms(window: readonly { text: string; lang: string }[], baseline: readonly { text: string; lang: string }[], n = 8): TopTerm[] {
  const df = (posts: readonly { text: string; lang: string }[]) => {
    const m = new Map<string, number>()
    for (const p of posts) for (const t of termsOf(p.text, p.lang)) m.set(t, (m.get(t) ?? 0) + 1)
    return m
  }
  const inWindow = df(window)
  const n1 = window.length
  const minPosts = Math.max(2, Math.ceil(n1 * 0.02))
  if (baseline.length === 0) {
    return [...inWindow]
      .filter(([, a]) => a >= minPosts)
      .sort((x, y) => y[1] - x[1] || x[0].localeCompare(y[0]))
      .slice(0, n)
      .map(([term, a]) => ({ term, posts: a }))
  }
  const inBaseline = df(baseline)
  const n0 = baseline.length
  const scored: (TopTerm & { z: number })[] = []
  for (const [term, a] of inWindow) {
    if (a < minPosts) continue
    const b = inBaseline.get(term) ?? 0
    const lift = (a + 0.5) / (n1 + 1) / ((b + 0.5) / (n0 + 1))
    if (lift <= 1.2) continue
    const logOdds = Math.log((a + 0.5) / (n1 - a + 0.5)) - Math.log((b + 0.5) / (n0 - b + 0.5))
    const z = logOdds / Math.sqrt(1 / (a + 0.5) + 1 / (n1 - a + 0.5) + 1 / (b + 0.5) + 1 / (n0 - b + 0.5))
    scored.push({ term, posts: a, lift, z })
  }
  return scored
    .sort((x, y) => y.z - x.z || x.term.localeCompare(y.term))
    .slice(0, n)
    .map(({ term, posts, lift }) => ({ term, posts, lift }))
}
