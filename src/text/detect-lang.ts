import { loadEld, type Eld } from './eld-table.js'

/** The languages stancewatch tells apart; anything else is 'und' (undetermined). */
export const DETECTED_LANGS = ['en', 'zh', 'ja', 'ko', 'fr', 'es', 'de', 'it', 'pt', 'ru'] as const
export type DetectedLang = (typeof DETECTED_LANGS)[number] | 'und'
const DETECTED = new Set<string>([...DETECTED_LANGS, 'und'])
const LATIN_LANGS = new Set<string>(['en', 'fr', 'es', 'de', 'it', 'pt'])

/** English names of the detected languages, for digests, alerts and reports. */
export const LANGUAGE_NAMES: Readonly<Record<string, string>> = {
  en: 'English',
  zh: 'Chinese',
  ja: 'Japanese',
  ko: 'Korean',
  fr: 'French',
  es: 'Spanish',
  de: 'German',
  it: 'Italian',
  pt: 'Portuguese',
  ru: 'Russian',
  und: 'undetermined',
}

export function isDetectedLang(s: string | null | undefined): s is DetectedLang {
  return s != null && DETECTED.has(s)
}

const URLISH = /https?:\/\/\S+|(?:[\w-]+\.)+[a-z]{2,}\/\S*|[@#][\p{L}\p{N}_.-]+/giu
// Letters of Cyrillic alphabets other than Russian's (Ukrainian, Belarusian, Serbian, Macedonian…).
const NOT_RUSSIAN = /[іїєґўђћљњџјѓќѕІЇЄҐЎЂЋЉЊЏЈЃЌЅ]/

/** Links, mentions and hashtags are not the post's language: "必读 nytimes.com/2025/…" is Chinese. */
export function stripEntities(text: string): string {
  // They need a '/', '@' or '#': most posts without them skip the replace.
  return text.includes('/') || text.includes('@') || text.includes('#') ? text.replace(URLISH, ' ') : text
}

/**
 * The language that the script alone settles, or 'latin' when the text is Latin-script and needs a
 * language identifier. Hangul is Korean; kana make Han text Japanese; Cyrillic is Russian unless it has
 * letters Russian lacks; other scripts (Greek, Arabic, Thai…) are none of our languages.
 */
export function scriptLang(clean: string): DetectedLang | 'latin' {
  let kana = 0
  let han = 0
  let hangul = 0
  let latin = 0
  let cyrillic = 0
  let other = 0
  for (let i = 0; i < clean.length; i++) {
    const c = clean.charCodeAt(i)
    if (c < 0x80) {
      if ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) latin++
    } else if (c >= 0xc0 && c <= 0x24f) {
      if (c !== 0xd7 && c !== 0xf7) latin++
    } else if (c >= 0x400 && c <= 0x52f) cyrillic++
    else if ((c >= 0x3040 && c <= 0x30ff) || (c >= 0xff66 && c <= 0xff9f)) kana++
    else if ((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x3400 && c <= 0x4dbf) || (c >= 0xf900 && c <= 0xfaff)) han++
    else if (c >= 0xd840 && c <= 0xd87f) {
      // A high surrogate of planes 2–3: CJK extension ideographs (𠮷).
      han++
      i++
    } else if ((c >= 0xac00 && c <= 0xd7af) || (c >= 0x1100 && c <= 0x11ff) || (c >= 0x3130 && c <= 0x318f)) hangul++
    else if (
      (c >= 0x370 && c <= 0x3ff) ||
      (c >= 0x530 && c <= 0x8ff) ||
      (c >= 0x900 && c <= 0xdff) ||
      (c >= 0xe00 && c <= 0xeff) ||
      (c >= 0x10a0 && c <= 0x10ff)
    )
      other++
  }
  const cjk = kana + han + hangul
  // A CJK character carries about as much as a short word, so it weighs six letters: "用了一周 iPhone 16 Pro" is Chinese.
  if (cjk > 0 && cjk * 6 >= latin + cyrillic) {
    if (hangul > kana + han) return 'ko'
    // Japanese sentences nearly always carry kana; a few kana inside Chinese (の as a loan) do not make it Japanese.
    return kana >= 2 || (kana >= 1 && han < 8) ? 'ja' : 'zh'
  }
  if (other > latin + cyrillic) return 'und'
  if (cyrillic > latin) return NOT_RUSSIAN.test(clean) ? 'und' : 'ru'
  return latin === 0 ? 'und' : 'latin'
}

/** How close one of our languages must come to a winner outside them to be taken instead (short posts). */
const NEAR_WINNER = 0.9
const LATIN_SAMPLE = 60
let eld: Eld | undefined

/**
 * eld (Efficient Language Detector, n-grams of 60 languages) for Latin-script text, chosen by
 * bench/lang-id.bench.ts. Loaded on first use, synchronously: its table takes ~0.3 s and ~30 MB
 * (`eld-table.ts`), which commands that never detect a Latin-script post should not pay. The 'extrasmall'
 * table is as accurate as the larger ones on short posts once the script has settled CJK and Cyrillic text.
 */
function latinIdentifier(): Eld {
  return (eld ??= loadEld())
}

/**
 * Loads eld's tables now instead of at the first Latin-script post. A daemon calls it at start: its memory
 * should be flat from the first minute (a soak reads growth from it), and the first collection should not
 * wait half a second inside a write.
 */
export function preloadLanguageIdentifier(): void {
  latinIdentifier()
}

/**
 * The language of a post from its text: the script first (Chinese, Japanese, Korean, Russian), then eld for
 * Latin-script text. A Latin-script language outside the ten (Dutch, Polish…) is 'und', not a guess among
 * ours. Platform language tags are wrong about a quarter of the time, so every post is detected again from its
 * text; links, mentions and hashtags are ignored.
 */
export function detectLang(text: string): DetectedLang {
  const clean = stripEntities(text)
  const script = scriptLang(clean)
  if (script !== 'latin') return script
  // 60 characters (about ten words) name the same language as 1,000 (eld's own cap) for every Latin-script post
  // of the sample and lose none of bench/data/lang-id.tsv, at 60% of the cost of reading 100.
  const result = latinIdentifier().detect(clean.length > LATIN_SAMPLE ? clean.slice(0, LATIN_SAMPLE) : clean)
  if (LATIN_LANGS.has(result.language)) return result.language as DetectedLang
  if (!result.language) return 'und'
  // On a few words eld's winner is often a near neighbour ("so proud" → Slovenian, English a close second):
  // one of ours within NEAR_WINNER of it is taken; a clear winner outside them (Dutch, Polish…) is 'und'.
  const scores = result.getScores()
  const top = scores[result.language] ?? 0
  let best: string | undefined
  for (const l of LATIN_LANGS) if ((scores[l] ?? 0) >= NEAR_WINNER * top && (!best || scores[l]! > scores[best]!)) best = l
  return (best as DetectedLang | undefined) ?? 'und'
}
