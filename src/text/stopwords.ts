import { createRequire } from 'node:module'

/*
 * Function words per language, from natural's lists (English, French, Chinese, Japanese): words that say
 * nothing about what a text is about. Loaded through require because natural ships these lists as CommonJS
 * without types.
 */
const load = createRequire(import.meta.url)
const list = (file: string): string[] => (load(`natural/lib/natural/util/${file}`) as { words: string[] }).words

let cache: Map<string, ReadonlySet<string>> | null = null

/** The stopwords of a language (lower case); an empty set for one natural has no list for. */
export function stopwordsFor(lang: string): ReadonlySet<string> {
  cache ??= new Map([
    ['en', new Set(list('stopwords.js'))],
    ['fr', new Set(list('stopwords_fr.js'))],
    ['zh', new Set(list('stopwords_zh.js'))],
    ['ja', new Set(list('stopwords_ja.js'))],
  ])
  return cache.get(lang) ?? new Set()
}
