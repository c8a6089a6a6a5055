import { UsageError } from '../domain/errors.js'
import { rankCandidates, type Candidate } from './keywords.js'
import { urlRules } from './url-rules.js'

/*
 * A topic proposed from one article: URL rules, keyword rules, themes, languages and stance labels, in the
 * shape of a `topics[]` entry of the config file (what `topic add` writes). Rules follow the shipped
 * topic's pattern: specific terms (names of several words, product and model names, repeated phrases) match
 * alone; single names and distinctive words match only together with a context term (the broad names the
 * article uses, or its most specific terms), so "Nvidia" alone does not pull in every post about Nvidia.
 */

export interface ArticleFacts {
  url: string
  canonical: string | null
  ampUrl: string | null
  headline: string | null
  description: string | null
  text: string
  keywords: string[]
  lang: string | null
}

export interface LabelSpec {
  id: string
  name: string
  definition: string
}

export interface ProposedTopic {
  id: string
  name: string
  articles: string[]
  keywords: { id: string; lang?: string; any: string[]; with?: string[] }[]
  themes: { id: string; name: string; any: string[] }[]
  stance: { labels: LabelSpec[]; seeds: string }
}

export interface Proposal {
  topic: ProposedTopic
  /** Spellings of the article the URL rules catch. */
  urlVariants: string[]
  /** The page's language (two letters) and English: the languages to watch. */
  languages: string[]
  /** The labels are the neutral default set, to be reviewed. */
  labelsNeedReview: boolean
  /** The ranked candidates, best first (for the person reading the proposal). */
  candidates: { term: string; kind: string; score: number }[]
  notes: string[]
}

/** Languages keyword rules can be pinned to (the collectors ask the platforms for these). */
const RULE_LANGS = new Set(['en', 'zh', 'fr', 'ja'])

export const DEFAULT_LABELS: LabelSpec[] = [
  { id: 'support', name: 'Support', definition: 'Agrees with or welcomes what the article reports (the decision, the people or the plan it describes).' },
  { id: 'oppose', name: 'Oppose', definition: 'Disagrees with, criticises or worries about what the article reports.' },
  { id: 'neutral', name: 'Neutral or other', definition: 'Shares or summarises the news, asks questions, or comments without taking either side.' },
]

export function proposeTopic(a: ArticleFacts, opts: { id?: string; labels?: string; existingIds: readonly string[] }): Proposal {
  const notes: string[] = []
  const lang = (a.lang ?? '').toLowerCase().split(/[-_]/)[0] || 'en'
  const ruleLang = RULE_LANGS.has(lang) ? lang : undefined
  if (!ruleLang)
    notes.push(`the page's language "${lang}" cannot be asked of the platforms (only en, zh, fr, ja): its rules carry no lang and match in any language`)
  const ranked = rankCandidates({ headline: a.headline ?? '', description: a.description ?? '', text: a.text, publisher: a.keywords, lang })
  if (!a.text) notes.push('the page gives no article text (paywall or script-built page): keywords come from the headline, description and metadata only')

  // Specific: match alone. Single names, the publisher's tags and words the article keeps coming back to
  // (three sentences or more): only with a context term.
  const specific = ranked.filter((c) => !c.broad && (c.kind === 'product' || c.kind === 'phrase' || (c.kind === 'name' && c.term.includes(' '))))
  const single = ranked.filter((c) => !c.broad && !specific.includes(c) && (c.kind === 'name' || c.kind === 'publisher' || c.sentences.size >= 3))
  const broad = ranked.filter((c) => c.broad)
  const core = take(specific, 10)
  const context = take(single, 12)
  const withTerms = unique([...take(broad, 6), ...take(specific, 4)])

  const id = opts.id ?? uniqueSlug(slugFrom(a), opts.existingIds)
  if (opts.id !== undefined) checkNewId(opts.id, opts.existingIds)
  const keywords: ProposedTopic['keywords'] = []
  const rule = (suffix: string, any: string[], withList?: string[], l = ruleLang) => {
    if (any.length === 0) return
    keywords.push({ id: `${id}-${suffix}${l ? `-${l}` : ''}`, ...(l ? { lang: l } : {}), any, ...(withList?.length ? { with: withList } : {}) })
  }
  rule('names', core)
  rule(
    'context',
    context.filter((t) => !withTerms.includes(t)),
    withTerms,
  )
  // Posts in English about a foreign article name its people and products as the article does (Latin-script
  // names travel); translations of its phrases need a person (or, later, the assistant).
  if (lang !== 'en') {
    const names = specific.filter((c) => c.kind !== 'phrase' && /^[\p{Script=Latin}\p{N}\s$.&-]+$/u.test(c.term) && /\p{L}/u.test(c.term))
    rule('names', take(names, 10), undefined, 'en')
  }
  if (keywords.length === 0) notes.push('no distinctive terms found: the topic matches the article link only; add keyword rules by hand')

  const urls = urlRules(a)
  const labels = opts.labels === undefined ? DEFAULT_LABELS : parseLabels(opts.labels)
  return {
    topic: {
      id,
      name: (a.headline ?? id).slice(0, 100),
      articles: urls.articles,
      keywords,
      themes: themesOf(ranked.filter((c) => !c.broad && (c.kind !== 'word' || c.sentences.size >= 2)).slice(0, 24)),
      stance: { labels, seeds: `seeds/${id}.jsonl` },
    },
    urlVariants: urls.variants,
    languages: unique([lang, 'en']),
    labelsNeedReview: opts.labels === undefined,
    candidates: ranked.slice(0, 30).map((c) => ({ term: c.term, kind: c.kind, score: Math.round(c.score * 10) / 10 })),
    notes,
  }
}

/** `support:Agrees…;oppose:Disagrees…` → labels; every id a slug, every definition one line, at least two. */
export function parseLabels(spec: string): LabelSpec[] {
  const labels = spec
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const colon = item.indexOf(':')
      const id = (colon < 0 ? item : item.slice(0, colon)).trim()
      const definition = colon < 0 ? '' : item.slice(colon + 1).trim()
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(id))
        throw new UsageError(
          `--labels: "${id}" is not a label id (lower-case letters, digits, "-" or "_"), e.g. --labels "support:Agrees with the plan;oppose:Criticises it"`,
        )
      if (!definition) throw new UsageError(`--labels: label "${id}" has no definition: write it as ${id}:one line saying which posts get it`)
      return { id, name: id.charAt(0).toUpperCase() + id.slice(1).replace(/[-_]/g, ' '), definition }
    })
  if (labels.length < 2) throw new UsageError('--labels: give at least two labels, separated by ";" (e.g. "support:…;oppose:…")')
  const ids = labels.map((l) => l.id)
  const twice = ids.find((x, i) => ids.indexOf(x) !== i)
  if (twice) throw new UsageError(`--labels: label "${twice}" is given twice`)
  if (ids.includes('uncertain')) throw new UsageError('--labels: "uncertain" is reserved for posts the model cannot decide; rename that label')
  return labels
}

export function checkNewId(id: string, existing: readonly string[]): void {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(id)) throw new UsageError(`--id "${id}" is not a slug: use lower-case letters, digits, "-" or "_" (e.g. china-ai-fund)`)
  if (existing.includes(id)) throw new UsageError(`a topic "${id}" already exists: choose another --id (topics: ${existing.join(', ')})`)
}

/** Up to three themes: the best candidate not yet placed, with the candidates that share sentences with it. */
function themesOf(candidates: Candidate[]): ProposedTopic['themes'] {
  const themes: ProposedTopic['themes'] = []
  const placed = new Set<Candidate>()
  for (const seed of candidates) {
    if (themes.length === 3) break
    if (placed.has(seed) || seed.sentences.size === 0) continue
    const members = candidates.filter((c) => c !== seed && !placed.has(c) && [...c.sentences].some((s) => s !== 0 && seed.sentences.has(s))).slice(0, 7)
    if (members.length < 2) continue
    for (const c of [seed, ...members]) placed.add(c)
    const id = slug(seed.term) || `theme-${themes.length + 1}`
    themes.push({
      id: themes.some((t) => t.id === id) ? `${id}-${themes.length + 1}` : id,
      name: seed.term,
      any: unique([seed.term, ...members.map((m) => m.term)]),
    })
  }
  return themes
}

function take(cs: Candidate[], n: number): string[] {
  return unique(cs.map((c) => c.term)).slice(0, n)
}

function unique(xs: string[]): string[] {
  const seen = new Set<string>()
  return xs.filter((x) => {
    const k = x.toLowerCase()
    return seen.has(k) ? false : (seen.add(k), true)
  })
}

function slug(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
}

/** A short id from the headline's first words, else from the URL's last path segment. */
function slugFrom(a: ArticleFacts): string {
  const words = slug(a.headline ?? '')
    .split('-')
    .filter((w) => w.length > 2 && !['the', 'and', 'for', 'with', 'its', 'are', 'was', 'how', 'why', 'what'].includes(w))
  if (words.length >= 2) return words.slice(0, 4).join('-')
  const last = new URL(a.canonical ?? a.url).pathname.split('/').filter(Boolean).pop() ?? ''
  return slug(last.replace(/\.\w+$/, '')).slice(0, 40) || 'article'
}

function uniqueSlug(base: string, existing: readonly string[]): string {
  let id = base
  for (let n = 2; existing.includes(id); n++) id = `${base}-${n}`
  return id
}
