import type { DetectedLang } from './detect-lang.js'
import { aligned, alignedFold, alignedReplace, type Aligned } from './align.js'
import { foldForMatch } from './fold.js'

/*
 * Language-aware tokens. natural's default tokenizer drops every non-ASCII character, so Chinese and
 * Japanese go through Intl.Segmenter and Latin-script text through a Unicode word regex. Stemming is in
 * stem.ts, so that callers counting words as written (alert terms) do not load natural's stemmers.
 */

const segmenters = {
  zh: new Intl.Segmenter('zh', { granularity: 'word' }),
  ja: new Intl.Segmenter('ja', { granularity: 'word' }),
}

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  'nothing',
  'nobody',
  'nor',
  'neither',
  'without',
  'hardly',
  'cannot',
  'cant',
  'dont',
  'doesnt',
  'didnt',
  'isnt',
  'arent',
  'wasnt',
  'wont',
  'wouldnt',
  'shouldnt',
  'aint',
  'ne',
  'pas',
  'jamais',
  'rien',
  'aucun',
  'aucune',
  'sans',
  'ni',
  'personne',
  'guere',
])
const NEGATION_SCOPE = 3
const PUNCTUATION = new Set(['.', '!', '?', ';', ',', ':'])
const DIGITS = /^\d+$/
// Chinese and Japanese negation: the word itself is a token, and the next tokens are marked.
const CJK_NEGATORS = new Set(['不', '没', '没有', '别', '无', '非', '未', 'ない', 'ず', 'ません', 'なく', 'じゃない'])
// Words that contain a negator character but negate nothing (不过 "but", 非常 "very", 未来 "future"…).
const NOT_NEGATION = new Set(['不过', '不仅', '不断', '不少', '不错', '不得不', '不管', '无论', '无数', '无人机', '非常', '未来', '别人', '别的', '并非常'])

/**
 * URLs, mentions and hashtags, replaced by tokens that generalise across posts: a link by `xurl <site>`, a
 * mention by `xmention`, a hashtag by `xhashtag` and its words. Applied in this order, each only when its
 * marker is in the text (most posts have none of them).
 */
const ENTITIES: readonly { kind: 'link' | 'mention' | 'hashtag'; marker: string; re: RegExp; replace: (match: string, ...groups: string[]) => string }[] = [
  {
    kind: 'link',
    marker: '://',
    re: /https?:\/\/([^\s/]+)\S*/gi,
    replace: (_, host) =>
      ` xurl ${
        host
          .replace(/^www\./i, '')
          .split('.')
          .slice(-2, -1)[0] ?? ''
      } `,
  },
  { kind: 'mention', marker: '@', re: /(^|[^\p{L}\p{N}_])@[\p{L}\p{N}_.-]+/gu, replace: (_, before) => `${before} xmention ` },
  { kind: 'hashtag', marker: '#', re: /#([\p{L}\p{N}_]+)/gu, replace: (_, tag) => ` xhashtag ${splitHashtag(tag)} ` },
]

/** Replace URLs, mentions and hashtags with tokens that generalise across posts. */
export function normaliseEntities(text: string): string {
  let out = text
  for (const e of ENTITIES) if (out.includes(e.marker)) out = out.replace(e.re, e.replace)
  return out
}

/** `#DeepSeekR1` → `Deep Seek R 1`; `#中国AI` → `中国 AI` (lower-cased later, with the rest of the text). */
export function splitHashtag(tag: string): string {
  return tag
    .replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2')
    .replace(/(\p{Lu})(\p{Lu}\p{Ll})/gu, '$1 $2')
    .replace(/(\p{L})(\p{N})/gu, '$1 $2')
    .replace(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])([A-Za-z])/gu, '$1 $2')
    .replace(/([A-Za-z])([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}])/gu, '$1 $2')
    .replace(/_/g, ' ')
}

/** Entities normalised and the text folded (case, width, accents): what both tokens and character n-grams read. */
export function prepareText(text: string): string {
  return foldForMatch(normaliseEntities(text))
}

/**
 * `prepareText` with where each of its characters came from in `text` (for explanations): the same text,
 * except where folding a character alone differs from folding it in context (Greek final sigma), which then
 * reads as its own.
 */
export function prepareTextAligned(text: string): Aligned {
  let a = aligned(text)
  for (const e of ENTITIES) if (a.text.includes(e.marker)) a = alignedReplace(a, e.re, e.replace, e.kind)
  return alignedFold(a)
}

/**
 * Word tokens of prepared text, with negation scope marked (`NOT_good`); `stem` applies to Latin-script words.
 * With `spans`, the [start, end) in `prepared` each token was read from is appended to it (for explanations).
 */
export function preparedWordTokens(prepared: string, lang: DetectedLang, stem: (word: string) => string = (w) => w, spans?: number[]): string[] {
  if (lang === 'zh' || lang === 'ja') return cjkTokens(prepared, lang, spans)
  const out: string[] = []
  let negate = 0
  for (const m of prepared.matchAll(/[\p{L}\p{N}]+(?:['’][\p{L}]+)?|[.!?;,:]/gu)) {
    const raw = m[0]
    if (raw.length === 1 && PUNCTUATION.has(raw)) {
      negate = 0
      continue
    }
    const apostrophe = raw.includes("'") || raw.includes('’')
    const word = apostrophe ? raw.replace(/['’]/g, '') : raw
    if (NEGATORS.has(word)) {
      out.push(word)
      spans?.push(m.index, m.index + raw.length)
      negate = NEGATION_SCOPE
      continue
    }
    // French elision: l'état → état, qu'il → il; n'est opens a negation like "ne".
    const elided = apostrophe ? /^(?:[ldjmnst]|qu)['’]/.exec(raw) : null
    const base = elided ? raw.slice(elided[0].length) : word
    if (elided?.[0].startsWith('n')) {
      out.push('ne')
      spans?.push(m.index, m.index + raw.length)
      negate = NEGATION_SCOPE
    }
    const token = base.length > 2 && !DIGITS.test(base) ? stem(base) : base
    out.push(negate > 0 ? `NOT_${token}` : token)
    spans?.push(m.index, m.index + raw.length)
    if (negate > 0) negate--
  }
  return out
}

function cjkTokens(text: string, lang: 'zh' | 'ja', spans?: number[]): string[] {
  const out: string[] = []
  let negate = 0
  for (const s of segmenters[lang].segment(text)) {
    const seg = s.segment
    if (!s.isWordLike) {
      if (/[。！？!?，,；;]/.test(seg)) negate = 0
      continue
    }
    if (CJK_NEGATORS.has(seg)) {
      out.push(seg)
      spans?.push(s.index, s.index + seg.length)
      negate = 2
      continue
    }
    // The segmenter glues 不 to its verb (不好, 不会): split it off so the scope is marked.
    const at = lang === 'zh' && !NOT_NEGATION.has(seg) ? seg.search(/[不没别未无非]/) : -1
    if (at >= 0) {
      if (at > 0) {
        out.push(negate > 0 ? `NOT_${seg.slice(0, at)}` : seg.slice(0, at))
        spans?.push(s.index, s.index + at)
      }
      out.push(seg[at]!)
      spans?.push(s.index + at, s.index + at + 1)
      const rest = seg.slice(at + 1)
      if (rest) {
        out.push(`NOT_${rest}`)
        spans?.push(s.index + at + 1, s.index + seg.length)
      }
      negate = rest ? 1 : 2
      continue
    }
    out.push(negate > 0 ? `NOT_${seg}` : seg)
    spans?.push(s.index, s.index + seg.length)
    if (negate > 0) negate--
  }
  return out
}

/** Character n-grams over the folded text, spaces collapsed: robust to spelling, segmentation and script. */
export function charNgrams(text: string, min: number, max: number): string[] {
  const s = ` ${foldForMatch(normaliseEntities(text)).replace(/\s+/g, ' ').trim()} `
  const chars = [...s]
  const out: string[] = []
  for (let n = min; n <= max; n++) {
    for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''))
  }
  return out
}
