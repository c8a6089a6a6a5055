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
const CJK_RUN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]+/gu
const NOT_CJK = /[^\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30fc]+/u

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
  const cjk: CjkSentence[] = []
  for (const [text, weight, readCapitals] of parts) {
    for (const s of sentences(text)) {
      sentence++
      if (CJK.test(s)) cjk.push({ runs: s.split(NOT_CJK).filter(Boolean), weight, sentence })
      // Latin-script names inside Chinese or Japanese text (DeepSeek, H20) are read as in any other text.
      latinCandidates(s.replace(CJK_RUN, ' , '), a.lang, readCapitals, (t, k) => add(t, k, weight, sentence))
    }
  }
  for (const c of repeatedCjk(cjk, a.lang)) for (const o of c.at) add(c.term, c.term.length >= 3 ? 'phrase' : 'word', o.weight, o.sentence)
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

interface CjkSentence {
  runs: string[]
  weight: number
  sentence: number
}

// Particles and function characters that never begin or end a term (的, の…): trimmed from candidates' edges.
const EDGE = new Set([...'的了和与及是在向对为也都而等已将被把从让由这那其之并或但就还又很更最个们着过吗呢吧啊', ...'のにはをたがでてともやへなだしかよね'])

/**
 * Chinese and Japanese terms without a dictionary: the substrings (2 to 16 characters) the article repeats in
 * two sentences or more, kept only where no longer substring is repeated as often ("国家人工智能产业投资基金",
 * not also "人工智能产业"). Word segmenters cut names and compounds into pieces ("英伟" + "达"); repetition
 * finds the units the article itself uses.
 */
function repeatedCjk(sentences: CjkSentence[], lang: string): { term: string; at: { weight: number; sentence: number }[] }[] {
  const l = lang === 'ja' ? 'ja' : 'zh'
  const seen = new Map<string, Map<number, number>>()
  for (const s of sentences) {
    for (const run of s.runs) {
      const chars = [...run]
      for (let i = 0; i < chars.length; i++) {
        for (let n = 2; n <= 16 && i + n <= chars.length; n++) {
          const term = trimEdges(chars.slice(i, i + n))
          if ([...term].length < 2 || isCommonWord(term, l)) continue
          const at = seen.get(term) ?? new Map<number, number>()
          at.set(s.sentence, s.weight)
          seen.set(term, at)
        }
      }
    }
  }
  const repeated = [...seen].filter(([, at]) => at.size >= 2)
  return repeated
    .filter(([term, at]) => !repeated.some(([other, o]) => other !== term && other.includes(term) && o.size >= at.size))
    .map(([term, at]) => ({ term, at: [...at].map(([sentence, weight]) => ({ sentence, weight })) }))
}

function trimEdges(chars: string[]): string {
  let a = 0
  let b = chars.length
  while (a < b && EDGE.has(chars[a]!)) a++
  while (b > a && EDGE.has(chars[b - 1]!)) b--
  return chars.slice(a, b).join('')
}
