/*
 * Topic matching whatever language a platform claims (bench/data/matcher.jsonl: 420 hand-written posts for
 * the shipped topic china-ai-fund, about 105 in each of en, zh, fr, ja; on-topic, off-topic and near-misses
 * (the same words in other senses, names alone, mixed languages); a quarter carry a wrong or missing
 * language tag, as platforms give them). Recall and precision of the local matcher alone, and of what the
 * compiled platform queries return and the matcher then keeps, for the compilers before (every term pinned
 * to its rule's language) and now; by language and by tag status. "near" counts as off-topic. The X queries
 * are evaluated by the loopback server's query evaluator (tests/servers/x-query.ts), the Bluesky ones as the
 * loopback Bluesky server does (terms as substrings, `lang` against the post's declared languages).
 * Reads: posts the queries return, summed over queries as X's counts endpoint (and so `collect --dry-run`)
 * sums them, on this set and on the loopback X server's synthetic dataset with the set added.
 *
 * `npx tsx bench/run.ts matcher`
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { loadConfig } from '../src/config/load.js'
import type { TopicConfig } from '../src/config/schema.js'
import { canonicalLinks, compileTopics, matchPost } from '../src/match/matcher.js'
import { compileBskyQueries, type BskyQueryParams } from '../src/sources/bluesky/queries.js'
import { compileXQueries } from '../src/sources/x/queries.js'
import { foldForMatch } from '../src/text/fold.js'
import { makePost } from '../tests/post.js'
import { startXServer } from '../tests/servers/x-api.js'
import { arrivingTweet, makeXDataset, type XTweet, type XUser } from '../tests/servers/x-data.js'
import { matchesXQuery, parseXQuery, type XQueryTarget } from '../tests/servers/x-query.js'
import { legacyCompileBskyQueries } from './bsky-queries-legacy.js'
import { legacyCompileXQueries } from './x-queries-legacy.js'

const DATA = path.join(import.meta.dirname, 'data/matcher.jsonl')
const CONFIG = path.join(import.meta.dirname, '../config/stancewatch.yaml')
const LANGS = ['en', 'zh', 'fr', 'ja'] as const

export interface MatcherRow {
  /** The language the post is written in. */
  lang: (typeof LANGS)[number]
  /** What the platform claims (null: no tag). */
  lang_tag: string | null
  truth: 'on' | 'off' | 'near'
  text: string
}

export function readMatcherSet(file = DATA): MatcherRow[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as MatcherRow)
}

const tagStatus = (r: MatcherRow): 'tag right' | 'tag wrong' | 'tag missing' =>
  r.lang_tag === null ? 'tag missing' : r.lang_tag === r.lang ? 'tag right' : 'tag wrong'

/** A post as the X server flattens it; X tags a post it cannot place `und`. */
function xTarget(r: MatcherRow): XQueryTarget {
  return {
    text: r.text,
    lang: r.lang_tag ?? 'und',
    authorId: '1',
    conversationId: '1',
    hashtags: [...r.text.matchAll(/[#＃]([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!),
    mentions: [],
    urls: [],
    referencedTypes: [],
    hasMedia: false,
  }
}

/** searchPosts as the loopback server answers it: every query word inside the text, `lang` among the post's languages. */
function bskyHit(p: BskyQueryParams, r: MatcherRow): boolean {
  if (p.url || p.author) return false
  if (p.tag && !p.tag.every((t) => xTarget(r).hashtags.some((h) => h.toLowerCase() === t.toLowerCase()))) return false
  if (p.lang && r.lang_tag !== p.lang) return false
  const text = foldForMatch(r.text)
  const words = p.q === '*' ? [] : (p.q.match(/"[^"]*"|\S+/g) ?? []).map((w) => foldForMatch(w.replace(/"/g, '')))
  return words.every((w) => text.includes(w))
}

interface Variant {
  name: string
  queries: number
  /** Per row: whether some query returns it. */
  reached: boolean[]
  /** Posts returned, summed over queries. */
  reads: number
  /** Per row: how many queries return it. */
  hits: number[]
}

function xVariant(name: string, queries: readonly string[], rows: readonly MatcherRow[]): Variant {
  const parsed = queries.map(parseXQuery)
  const hits = rows.map((r) => parsed.filter((q) => matchesXQuery(q, xTarget(r))).length)
  return { name, queries: queries.length, reached: hits.map((n) => n > 0), reads: hits.reduce((a, b) => a + b, 0), hits }
}

function bskyVariant(name: string, queries: readonly BskyQueryParams[], rows: readonly MatcherRow[]): Variant {
  const hits = rows.map((r) => queries.filter((q) => bskyHit(q, r)).length)
  return { name, queries: queries.length, reached: hits.map((n) => n > 0), reads: hits.reduce((a, b) => a + b, 0), hits }
}

function score(rows: readonly MatcherRow[], kept: readonly boolean[], which: (r: MatcherRow) => boolean): string {
  let tp = 0
  let fp = 0
  let on = 0
  rows.forEach((r, i) => {
    if (!which(r)) return
    if (r.truth === 'on') on++
    if (kept[i] && r.truth === 'on') tp++
    else if (kept[i]) fp++
  })
  const recall = on ? (tp / on).toFixed(2) : '  - '
  const precision = tp + fp ? (tp / (tp + fp)).toFixed(2) : '  - '
  return `${recall} ${precision}`
}

/** Reads the counts endpoint reports for each query, summed: what `collect --source x --dry-run` estimates. */
async function loopbackEstimate(tweets: XTweet[], users: XUser[], queries: readonly string[]): Promise<number> {
  const server = await startXServer({ tweets, users, bearer: 'bench', rateLimit: { limit: 1e6, windowMs: 900_000 } })
  let total = 0
  try {
    for (const q of queries) {
      const u = new URL(`${server.url}/2/tweets/counts/recent`)
      u.searchParams.set('query', q)
      u.searchParams.set('start_time', new Date(Date.now() - 6.5 * 86_400_000).toISOString())
      const body = (await (await fetch(u, { headers: { authorization: 'Bearer bench' } })).json()) as { meta?: { total_tweet_count?: number } }
      total += body.meta?.total_tweet_count ?? 0
    }
  } finally {
    await server.close()
  }
  return total
}

export async function run(): Promise<void> {
  const rows = readMatcherSet()
  const { config } = loadConfig(CONFIG)
  const topic = config.topics.find((t) => t.id === 'china-ai-fund')!
  const topics = compileTopics([topic])
  const accepted = rows.map((r) => matchPost(makePost({ text: r.text, lang: r.lang_tag }), canonicalLinks({ links: [], text: r.text }), topics).length > 0)
  // For reference only: no `lang` anywhere (the most a query can reach; not what is compiled).
  const noLang: TopicConfig = { ...topic, keywords: topic.keywords.map(({ lang: _lang, ...r }) => r) }
  const variants: Variant[] = [
    xVariant(
      'X before',
      legacyCompileXQueries(topic).map((q) => q.query),
      rows,
    ),
    xVariant(
      'X now',
      compileXQueries(topic).map((q) => q.query),
      rows,
    ),
    xVariant(
      'X no lang',
      compileXQueries(noLang).map((q) => q.query),
      rows,
    ),
    bskyVariant(
      'Bsky before',
      legacyCompileBskyQueries(topic).map((q) => q.params),
      rows,
    ),
    bskyVariant(
      'Bsky now',
      compileBskyQueries(topic).map((q) => q.params),
      rows,
    ),
  ]
  const groups: [string, (r: MatcherRow) => boolean][] = [
    ['all', () => true],
    ...LANGS.map((l): [string, (r: MatcherRow) => boolean] => [l, (r) => r.lang === l]),
    ...(['tag right', 'tag wrong', 'tag missing'] as const).map((s): [string, (r: MatcherRow) => boolean] => [s, (r) => tagStatus(r) === s]),
  ]
  const cols = ['matcher', ...variants.map((v) => v.name)]
  console.log(`${rows.length} posts (${rows.filter((r) => r.truth === 'on').length} on topic); each cell: recall precision`)
  console.log(['set'.padEnd(12), 'posts', ...cols.map((c) => c.padStart(11))].join(' '))
  for (const [name, which] of groups) {
    const cells = [
      score(rows, accepted, which),
      ...variants.map((v) =>
        score(
          rows,
          v.reached.map((x, i) => x && accepted[i]!),
          which,
        ),
      ),
    ]
    console.log([name.padEnd(12), String(rows.filter(which).length).padStart(5), ...cells.map((c) => c.padStart(11))].join(' '))
  }
  console.log('\nqueries, and reads on this set (posts returned, summed over queries): all; of posts the matcher drops; of posts returned again')
  for (const v of variants) {
    const dropped = v.hits.reduce((n, h, i) => n + (accepted[i] ? 0 : h), 0)
    const again = v.hits.reduce((n, h) => n + Math.max(0, h - 1), 0)
    console.log(
      `  ${v.name.padEnd(12)} ${String(v.queries).padStart(4)} queries ${String(v.reads).padStart(5)} reads ${String(dropped).padStart(4)} dropped ${String(again).padStart(4)} again`,
    )
  }
  const now = Date.now()
  const data = makeXDataset({ seed: 5, count: 2000, now })
  const ours = rows.map((r, i) => ({ ...arrivingTweet(now - 3_600_000 - i * 1000, i, r.text, data.users[0]!.id), lang: r.lang_tag ?? 'und' }))
  console.log('\nX dry-run estimate (counts endpoint of the loopback server, summed over queries):')
  console.log(`  ${'compiler'.padEnd(10)} ${'2,000 synthetic posts, tags right'.padStart(34)} ${'this set'.padStart(9)}`)
  for (const [name, t] of [
    ['before', topic],
    ['now', null],
    ['no lang', noLang],
  ] as const) {
    const queries = (name === 'before' ? legacyCompileXQueries(topic) : compileXQueries(t ?? topic)).map((q) => q.query)
    const synthetic = await loopbackEstimate(data.tweets, data.users, queries)
    const set = await loopbackEstimate(ours, data.users, queries)
    console.log(`  ${name.padEnd(10)} ${String(synthetic).padStart(34)} ${String(set).padStart(9)}`)
  }
}
