import { PorterStemmer, PorterStemmerFr } from 'natural/lib/natural/stemmers/index.js'
import type { DetectedLang } from './detect-lang.js'
import { prepareText, preparedWordTokens } from './tokenize.js'

/** Stemming is the slowest step of tokenising and posts repeat their words: each stemmer remembers its answers. */
function cached(stemmer: (w: string) => string): (w: string) => string {
  const memo = new Map<string, string>()
  return (w) => {
    let out = memo.get(w)
    if (out === undefined) {
      if (memo.size >= 100_000) memo.clear()
      out = stemmer(w)
      memo.set(w, out)
    }
    return out
  }
}
const stemEn = cached((w) => PorterStemmer.stem(w))
const stemFr = cached((w) => PorterStemmerFr.stem(w))
const unchanged = (w: string): string => w

/** natural's stemmer for English and French; words of other languages stay as they are. */
export function stemmerFor(lang: DetectedLang): (word: string) => string {
  return lang === 'fr' ? stemFr : lang === 'en' ? stemEn : unchanged
}

/** Word tokens with negation scope marked (`NOT_good`), stemmed for English and French. */
export function wordTokens(text: string, lang: DetectedLang): string[] {
  return preparedWordTokens(prepareText(text), lang, stemmerFor(lang))
}
