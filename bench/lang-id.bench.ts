/*
 * Language identification on short social posts (bench/data/lang-id.tsv: hand-written posts, 45–48 in each of
 * en, zh, ja, fr, es, de, it, pt, ko, ru; hashtags, mentions, links, emoji, loanwords, Latin product names in
 * CJK text, kanji-only headlines). Accuracy per language and overall, and posts/s on one core, for the
 * word-list detector stancewatch had before, npm identifiers on their own, and the script check followed by
 * an identifier for Latin-script text (what src/text/detect-lang.ts does). Every candidate reads the text with
 * links, mentions and hashtags removed, as detectLang does. Goal: ≥ 0.95 overall. The column "other" is the
 * share of posts in other languages (bench/data/lang-id-other.tsv) that a candidate does not claim for one of
 * the ten: those must not be read as a language the model knows.
 *
 * `npx tsx bench/run.ts lang-id`
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { loadModule } from 'cld3-asm'
import { eld as eldLarge } from 'eld/large'
import { eld as eldMedium } from 'eld/medium'
import { eld as eldSmall } from 'eld/small'
import { eld as eldExtraSmall } from 'eld/extrasmall'
import { franc } from 'franc-min'
import LanguageDetect from 'languagedetect'
import { detect as tinyld } from 'tinyld'
import { DETECTED_LANGS, detectLang, scriptLang, stripEntities } from '../src/text/detect-lang.js'
import { legacyDetectLang } from './lang-id-legacy.js'

const DATA = path.join(import.meta.dirname, 'data/lang-id.tsv')
/** Posts in languages outside the ten (Dutch, Polish, Turkish, Ukrainian, Arabic…): none of ours is the right answer. */
const OTHER = path.join(import.meta.dirname, 'data/lang-id-other.tsv')
const TEN = new Set<string>(DETECTED_LANGS)
const ISO3: Record<string, string> = { eng: 'en', cmn: 'zh', jpn: 'ja', kor: 'ko', fra: 'fr', spa: 'es', deu: 'de', ita: 'it', por: 'pt', rus: 'ru' }
const MIN_ROUND_MS = 400
const ROUNDS = 5

export function readLangIdSet(file = DATA): { lang: string; text: string }[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim())
    .map((l) => {
      const [lang, text] = l.split('\t') as [string, string]
      return { lang, text }
    })
}

/** Any answer outside the ten (or a regional variant) counts as what it is: wrong. */
const norm = (l: string): string => (l.startsWith('zh') ? 'zh' : l)

/** The script decides CJK, Hangul and Cyrillic; `latin` decides the rest. */
const hybrid =
  (latin: (clean: string) => string) =>
  (text: string): string => {
    const clean = stripEntities(text)
    const s = scriptLang(clean)
    return s === 'latin' ? latin(clean) : s
  }

export async function run(): Promise<void> {
  const rows = readLangIdSet()
  const others = readLangIdSet(OTHER)
  const cld = (await loadModule()).create(0, 1000)
  const ld = new LanguageDetect()
  ld.setLanguageType('iso2')
  const candidates: [string, (text: string) => string][] = [
    ['word lists (before)', legacyDetectLang],
    ['eld large', (t) => eldLarge.detect(stripEntities(t)).language],
    ['eld medium', (t) => eldMedium.detect(stripEntities(t)).language],
    ['eld small', (t) => eldSmall.detect(stripEntities(t)).language],
    ['eld extrasmall', (t) => eldExtraSmall.detect(stripEntities(t)).language],
    ['franc-min', (t) => ISO3[franc(stripEntities(t), { minLength: 1 })] ?? 'und'],
    ['tinyld', (t) => tinyld(stripEntities(t))],
    ['cld3-asm', (t) => cld.findLanguage(stripEntities(t)).language],
    ['languagedetect', (t) => ld.detect(stripEntities(t), 1)[0]?.[0] ?? 'und'],
    ['script + franc-min', hybrid((c) => ISO3[franc(c, { minLength: 1 })] ?? 'und')],
    ['script + tinyld', hybrid((c) => tinyld(c))],
    ['script + eld medium', hybrid((c) => eldMedium.detect(c).language)],
    ['script + eld small', hybrid((c) => eldSmall.detect(c).language)],
    ['script + eld extrasmall = detectLang', detectLang],
  ]
  const langs = [...TEN]
  const header = ['candidate'.padEnd(36), ...langs.map((l) => l.padStart(5)), '  all', 'other', '   posts/s']
  console.log(
    `${rows.length} posts (and ${others.length} in other languages); accuracy per language (${langs.map((l) => `${l} ${rows.filter((r) => r.lang === l).length}`).join(', ')})`,
  )
  console.log(header.join(' '))
  const mistakes: string[] = []
  for (const [name, detect] of candidates) {
    const right = new Map<string, number>()
    for (const r of rows) {
      const got = norm(detect(r.text))
      if (got === r.lang) right.set(r.lang, (right.get(r.lang) ?? 0) + 1)
      else if (detect === detectLang) mistakes.push(`  ${r.lang} → ${got}: ${r.text}`)
    }
    const acc = (l: string) => (right.get(l) ?? 0) / rows.filter((r) => r.lang === l).length
    const all = [...right.values()].reduce((a, b) => a + b, 0) / rows.length
    const other = others.filter((r) => !TEN.has(norm(detect(r.text)))).length / others.length
    console.log(
      [
        name.padEnd(36),
        ...langs.map((l) => acc(l).toFixed(2).padStart(5)),
        all.toFixed(3).padStart(5),
        other.toFixed(2).padStart(5),
        speed(rows, detect).padStart(10),
      ].join(' '),
    )
  }
  console.log(`detectLang's mistakes:\n${mistakes.join('\n') || '  none'}`)
  cld.dispose()
}

/** Posts/s on one core: the median of several rounds over the whole set, each at least MIN_ROUND_MS long. */
function speed(rows: readonly { text: string }[], detect: (text: string) => string): string {
  let sink = 0
  const rates: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    let n = 0
    const t0 = performance.now()
    while (performance.now() - t0 < MIN_ROUND_MS) {
      for (const row of rows) sink += detect(row.text).length
      n += rows.length
    }
    rates.push(n / ((performance.now() - t0) / 1000))
  }
  return Math.round(rates.sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]! + (sink < 0 ? 1 : 0)).toLocaleString('en')
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
