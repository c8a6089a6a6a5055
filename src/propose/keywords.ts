import { isCommonWord, isBroadName } from './background.js'

/*
 * Keyword candidates from an article's headline, description and text, ranked. What makes a good rule is a
 * term that posts about this story use and posts about anything else do not: names (people, organisations,
 * places written as several capitalised words), product and model names (mixed case or digits: DeepSeek,
 * H20, GPT-4o), and phrases the article repeats. Single common words never qualify (background.ts).
 * Capitals are read only from sentence-case text (description, body): a Title Case Headline capitalises
 * every word.
 */

export type CandidateKind = 'name' | 'product' | 'phrase' | 'word' | 'publisher'

export interface Candidate {
  term: string
  kind: CandidateKind
  /** Weighted occurrences: headline ×3, description ×2, text ×1. */
  weight: number
  score: number
  /** A name too frequent to be a rule by itself (a country, "AI"): context for `with`. */
  broad: boolean
  /** Indexes of the sentences it occurs in (for grouping into themes). */
  sentences: Set<number>
}

export interface ArticleText {
  headline: string
  description: string
  text: string
  /** The publisher's own keywords (news_keywords, article:tag). */
  publisher: string[]
  /** Two-letter language of the page. */
  lang: string
}

const KIND_BONUS: Record<CandidateKind, number> = { product: 3, name: 2.5, publisher: 2, phrase: 1.5, word: 1 }
// Small words inside a name (Ministry of Industry, Banque de France); not "and", which joins two names.
const CONNECTORS = new Set(['of', 'de', 'du', 'des', 'la', 'le', 'the', 'for', 'von', 'van', 'del', 'di'])
const WORD = /[\p{L}\p{N}$€£¥][\p{L}\p{N}$€£¥'’.,%-]*[\p{L}\p{N}%]|[\p{L}\p{N}]/gu
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u

export function rankCandidates(a: ArticleText): Candidate[] {
  const found = new Map<string, Candidate>()
  const add = (term: string, kind: CandidateKind, weight: number, sentence: number) => {
    const key = term.toLowerCase()
    const c = found.get(key)
    if (c) {
      // The spelling shown is the one with capitals when the text has both ("China", not "china").
      if (c.term === key && term !== key) c.term = term
      c.weight += weight
      c.sentences.add(sentence)
      if (KIND_BONUS[kind] > KIND_BONUS[c.kind]) c.kind = kind
    } else found.set(key, { term, kind, weight, score: 0, broad: isBroadName(term), sentences: new Set([sentence]) })
  }
  const parts: [string, number, boolean][] = [
    [a.headline, 3, false],
    [a.description, 2, true],
    [a.text, 1, true],
  ]
  let sentence = 0
  for (const [text, weight, readCapitals] of parts) {
    for (const s of sentences(text)) {
      sentence++
      if (CJK.test(s)) cjkCandidates(s, a.lang, (t, k) => add(t, k, weight, sentence))
      latinCandidates(s, a.lang, readCapitals, (t, k) => add(t, k, weight, sentence))
    }
  }
  for (const k of a.publisher) if (!isCommonWord(k, a.lang)) add(k, 'publisher', 2, 0)
  // A phrase counts when the article repeats it (in two sentences, the headline and description included).
  const out = [...found.values()].filter((c) => c.kind !== 'phrase' || c.sentences.size >= 2)
  for (const c of out) {
    // A name made only of common words ("Ministry of Industry") is as unspecific as its words.
    if (c.kind === 'name' && c.term.split(' ').every((w) => isCommonWord(w, a.lang) || isBroadName(w))) c.broad = true
    c.score = c.weight * KIND_BONUS[c.kind] * (c.broad ? 0.5 : 1)
  }
  return out.sort((x, y) => y.score - x.score || x.term.localeCompare(y.term))
}

function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?。！？])\s+|\n+|(?<=[。！？])/u)
    .map((s) => s.trim())
    .filter(Boolean)
}

type Emit = (term: string, kind: CandidateKind) => void

/** Names, product names, distinctive words and two-word phrases of Latin-script text. */
function latinCandidates(sentence: string, lang: string, readCapitals: boolean, emit: Emit): void {
  // Clauses: a phrase or a name never spans a comma, a quote or a bracket.
  const clauses = sentence.split(/[,;:()"“”«»!?]+|\s[-–—]\s/u).map(tokensOf)
  const tokens = clauses.flat()
  const isProduct = (t: string) => /\p{L}/u.test(t) && (/\p{N}/u.test(t) || /\p{Ll}\p{Lu}/u.test(t) || (/^\p{Lu}{2,}$/u.test(t) && t.length <= 6))
  const isCap = (t: string) => /^\p{Lu}/u.test(t)
  if (readCapitals) {
    clauses.forEach((clause, c) => {
      let run: string[] = []
      let start = -1
      const flush = () => {
        // The first word of a sentence is capitalised anyway: a common one is no part of a name, and a lone
        // one is left to the word candidates below.
        if (c === 0 && start === 0 && run.length && isCommonWord(run[0]!, lang)) run.shift()
        else if (c === 0 && start === 0 && run.length === 1) run = []
        run = run.slice(0, 4)
        while (run.length && CONNECTORS.has(run[run.length - 1]!.toLowerCase())) run.pop()
        if (run.length >= 2) emit(run.join(' '), 'name')
        else if (run.length === 1 && !isCommonWord(run[0]!, lang) && !isProduct(run[0]!)) emit(run[0]!, 'name')
        run = []
      }
      clause.forEach((t, i) => {
        if (isCap(t) || (run.length && CONNECTORS.has(t.toLowerCase()) && isCap(clause[i + 1] ?? ''))) {
          if (!run.length) start = i
          run.push(t)
        } else flush()
      })
      flush()
    })
  }
  for (const t of tokens) {
    if (isProduct(t)) emit(t, 'product')
    else if (!isCommonWord(t, lang) && /\p{L}{4,}/u.test(t) && !/^\p{N}/u.test(t)) emit(t.toLowerCase(), 'word')
  }
  // Two content words side by side in a clause: "guidance fund", "export controls" (kept when repeated).
  for (const clause of clauses) {
    for (let i = 0; i + 1 < clause.length; i++) {
      const [x, y] = [clause[i]!, clause[i + 1]!]
      if (isCommonWord(x, lang) || isCommonWord(y, lang) || !/\p{L}{3,}/u.test(x) || !/\p{L}{3,}/u.test(y)) continue
      if (readCapitals && isCap(x) && isCap(y)) continue // a name: already a candidate
      emit(`${x.toLowerCase()} ${y.toLowerCase()}`, 'phrase')
    }
  }
}

/** Words of a clause, without trailing punctuation or a possessive ("China's" is China). */
function tokensOf(clause: string): string[] {
  return (clause.match(WORD) ?? []).map((t) => t.replace(/[.,]+$/u, '').replace(/['’]s?$/u, '')).filter(Boolean)
}

const segmenters = new Map<string, Intl.Segmenter>()

/** Chinese and Japanese: dictionary words (Intl.Segmenter) of two characters or more, and adjacent pairs of them. */
function cjkCandidates(sentence: string, lang: string, emit: Emit): void {
  const l = lang === 'ja' ? 'ja' : 'zh'
  let seg = segmenters.get(l)
  if (!seg) segmenters.set(l, (seg = new Intl.Segmenter(l, { granularity: 'word' })))
  const words = [...seg.segment(sentence)].filter((s) => s.isWordLike && CJK.test(s.segment)).map((s) => s.segment)
  const content = (w: string) => [...w].length >= 2 && !isCommonWord(w, l)
  words.forEach((w, i) => {
    if (content(w)) emit(w, 'word')
    const next = words[i + 1]
    if (next && content(w) && content(next)) emit(w + next, 'phrase')
  })
}
