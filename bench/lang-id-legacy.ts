/*
 * The word-list detector that src/text/detect-lang.ts had before it used a maintained identifier, kept
 * here only as the baseline of bench/lang-id.bench.ts. Its lists hold the topic's own words.
 */
import { foldForMatch } from '../src/text/fold.js'

export type LegacyLang = 'en' | 'zh' | 'fr' | 'ja' | 'ko' | 'und'

const FR_WORDS = new Set(
  'le la les des du de un une et est sont pas que qui pour dans sur avec ce cette ces au aux leur leurs nous vous ils elles on mais ou donc car ne plus tres fait faire etre avoir chine chinois chinoise etat fonds milliards puces ia selon cest quil quelle deja aussi comme tout tous'.split(
    ' ',
  ),
)
const EN_WORDS = new Set(
  'the a an and is are was were not that which who for in on with this these those to of it its they their we you but or so because be have has had will would can could just very more china chinese state fund billion chips ai about from what how why'.split(
    ' ',
  ),
)

const URLISH = /https?:\/\/\S+|(?:[\w-]+\.)+[a-z]{2,}\/\S*|[@#][\p{L}\p{N}_.-]+/giu
const FRENCH_ACCENTS = /[éèêàçùœâîôû]/i

/**
 * A small script-and-stopword detector for the languages stancewatch reads. Platform language tags are
 * wrong about a quarter of the time, so every post is detected again from its text. Links (with or
 * without a scheme), mentions and hashtags are ignored: "必读 nytimes.com/2025/…" is Chinese.
 */
export function legacyDetectLang(text: string): LegacyLang {
  // Links, mentions and hashtags need a '/', '@' or '#': most posts without them skip the replace.
  const clean = text.includes('/') || text.includes('@') || text.includes('#') ? text.replace(URLISH, ' ') : text
  let kana = 0
  let han = 0
  let hangul = 0
  let latin = 0
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i)
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) latin++
    } else if (c >= 0xc0 && c <= 0x24f) {
      if (c !== 0xd7 && c !== 0xf7) latin++
    } else if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0xff66 && c <= 0xff9f)) kana++
    else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) han++
    else if (c >= 0xd840 && c <= 0xd87f) {
      // A high surrogate of planes 2–3: CJK extension ideographs (𠮷).
      han++
      i++
    } else if (c >= 0xac00 && c <= 0xd7af) hangul++
  }
  const cjk = kana + han + hangul
  // A CJK character carries about as much as a short Latin word, so weigh it up against letters.
  if (cjk > 0 && cjk * 3 >= latin * 0.5) {
    if (hangul > kana + han) return 'ko'
    // Japanese sentences nearly always carry kana; a few kana inside Chinese (の as a loan) do not make it Japanese.
    return kana >= 2 || (kana >= 1 && han < 8) ? 'ja' : 'zh'
  }
  if (latin === 0) return 'und'
  let fr = FRENCH_ACCENTS.test(clean) ? 1.5 : 0
  let en = 0
  let words = 0
  // Words are runs of a–z in the folded text, apostrophes dropped (c'est → cest); scanned, not split.
  const folded = foldForMatch(clean)
  let start = -1
  let word = ''
  for (let i = 0; i <= folded.length; i++) {
    const c = i < folded.length ? folded.charCodeAt(i) : 32
    if (c >= 0x61 && c <= 0x7a) {
      if (start < 0) start = i
      continue
    }
    if (start >= 0 && (c === 0x27 || c === 0x2019)) {
      word += folded.slice(start, i)
      start = -1
      continue
    }
    if (start >= 0 || word) {
      const w = start >= 0 ? word + folded.slice(start, i) : word
      words++
      if (FR_WORDS.has(w)) fr++
      if (EN_WORDS.has(w)) en++
      start = -1
      word = ''
    }
  }
  if (fr === 0 && en === 0) return words >= 1 ? 'en' : 'und'
  return fr > en ? 'fr' : 'en'
}
