/**
 * Reads a sample (gzip of JSONL, one raw payload a line) back through the pipeline's own code: every line
 * through normalizePayload, every distinct post through canonicalLinks and matchPost with the topics of
 * config/stancewatch.yaml. Prints what a replay would see and checks the sample's targets.
 *
 *   npx tsx tools/sample/check.ts [sample.jsonl.gz] [config.yaml]
 */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { DateTime } from 'luxon'
import { CID } from 'multiformats/cid'
import { loadConfig } from '../../src/config/load.js'
import type { Post, PostMetrics } from '../../src/domain/post.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { detectPayloadKind, normalizePayload } from '../../src/normalize/index.js'
import { detectLang } from '../../src/text/detect-lang.js'
import { msFromSnowflake, tidMicros } from '../synthetic/ids.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const NY = 'America/New_York'

type Rec = Record<string, unknown>
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v)

interface Seen {
  post: Post
  copies: number
  kinds: Set<string>
  metrics: PostMetrics | null
  updated: boolean
}

function bump(m: Map<string, number>, k: string, n = 1): void {
  m.set(k, (m.get(k) ?? 0) + n)
}

function sorted(m: Map<string, number>): [string, number][] {
  return [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
}

function table(rows: [string, string | number][]): string {
  const w = Math.max(0, ...rows.map(([k]) => k.length))
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n')
}

export function runCheck(file: string, configFile = path.join(ROOT, 'config/stancewatch.yaml')): boolean {
  const { config } = loadConfig(configFile)
  const topics = compileTopics(config.topics)

  const gz = readFileSync(file)
  const lines = gunzipSync(gz).toString('utf8').split('\n')
  if (lines.at(-1) === '') lines.pop()

  const lineKinds = new Map<string, number>()
  const skips = new Map<string, number>()
  const seen = new Map<string, Seen>()
  const deletions: string[] = []
  let occurrences = 0
  let ignored = 0
  let metricRegressions = 0
  const integrity = new Map<string, number>()
  const fail = (what: string): void => bump(integrity, what)

  for (const [i, line] of lines.entries()) {
    let payload: unknown
    try {
      payload = JSON.parse(line)
    } catch {
      bump(lineKinds, 'invalid JSON')
      bump(skips, 'line: invalid JSON (truncated write)')
      continue
    }
    const kind = detectPayloadKind(payload)
    let n
    try {
      n = normalizePayload(payload)
    } catch (e) {
      bump(skips, `line: normalizer THREW (${(e as Error).message})`)
      console.error(`line ${i + 1}: normalizePayload threw`, e)
      continue
    }
    if (!n || !kind || !isRec(payload)) {
      bump(lineKinds, 'unknown shape')
      bump(skips, 'line: unknown payload shape')
      continue
    }
    let label: string = kind
    if (kind === 'x-page') label = Array.isArray(payload.data) ? 'x-page' : 'x-page (empty)'
    else if (kind === 'bluesky-posts') label = (payload.posts as unknown[]).length ? 'bluesky searchPosts' : 'bluesky searchPosts (empty)'
    else if (kind === 'jetstream') {
      const c = isRec(payload.commit) ? payload.commit : null
      label = c ? `jetstream ${String(c.collection).replace('app.bsky.feed.', '')} ${String(c.operation)}` : `jetstream ${String(payload.kind)}`
    }
    bump(lineKinds, label)
    for (const s of n.skipped) bump(skips, `item: ${s.reason}`)
    ignored += n.ignored
    for (const d of n.deletions) deletions.push(`${d.platform}|${d.platformId}`)
    const operation = kind === 'jetstream' && isRec(payload.commit) ? payload.commit.operation : null
    for (const post of n.posts) {
      occurrences++
      const key = `${post.platform}|${post.platformId}`
      const prev = seen.get(key)
      if (prev) {
        prev.copies++
        prev.kinds.add(label)
        if (prev.metrics && post.metrics) {
          const a = prev.metrics
          const b = post.metrics
          if (b.likes < a.likes || b.reposts < a.reposts || b.replies < a.replies || b.quotes < a.quotes) metricRegressions++
        }
        // An edit replaces the text; a later search copy refreshes the counts.
        if (operation === 'update' || prev.post.metrics === null || post.metrics !== null) prev.post = { ...post, metrics: post.metrics ?? prev.post.metrics }
        if (operation === 'update') prev.updated = true
        if (post.metrics) prev.metrics = post.metrics
      } else {
        seen.set(key, { post, copies: 1, kinds: new Set([label]), metrics: post.metrics, updated: operation === 'update' })
      }
      checkIntegrity(post, fail)
    }
  }

  // ---- Per distinct post ----
  const byPlatformLang = new Map<string, number>()
  const created = new Map<string, number>()
  const matchedDay = new Map<string, Map<string, number>>()
  const matchedHour = new Map<string, number>()
  const ruleKinds = new Map<string, number>()
  let matched = 0
  let viaArticle = 0
  let onlyViaArticle = 0
  const matchedLang = new Map<string, number>()
  // Links that point at the article (any spelling, or its nyti.ms short link) but that the matcher did not take as it.
  const ARTICLE_PATH = 'nytimes.com/2025/07/16/technology/china-ai'
  let withArticleLink = 0
  const unrecognised = new Map<string, number>()
  for (const { post } of seen.values()) {
    const lang = detectLang(post.text)
    bump(byPlatformLang, `${post.platform} ${lang}`)
    bump(created, `createdAt from ${post.createdAtSource}`)
    const links = canonicalLinks(post)
    const m = matchPost(post, links, topics)
    const pointsAtArticle = post.links.some((l) => l.includes(ARTICLE_PATH) || l.startsWith('https://nyti.ms/'))
    if (pointsAtArticle) withArticleLink++
    if (pointsAtArticle && !m.some((t) => t.rules.some((r) => r.startsWith('article')))) {
      for (const l of post.links)
        if (l.includes(ARTICLE_PATH) || l.startsWith('https://nyti.ms/'))
          bump(unrecognised, `${l}  ->  ${canonicalLinks({ links: [l], text: '' })[0] ?? '(none)'}`)
    }
    if (m.length === 0) continue
    matched++
    bump(matchedLang, `${post.platform} ${lang}`)
    const rules = m.flatMap((t) => t.rules)
    if (rules.some((r) => r.startsWith('article'))) viaArticle++
    if (rules.every((r) => r.startsWith('article'))) onlyViaArticle++
    for (const kind of new Set(rules.map((r) => r.split(':')[0]!))) bump(ruleKinds, kind)
    const dt = DateTime.fromISO(post.createdAt, { zone: NY })
    const day = dt.toISODate()!
    if (!matchedDay.has(day)) matchedDay.set(day, new Map())
    bump(matchedDay.get(day)!, post.platform)
    bump(matchedHour, dt.toFormat("yyyy-MM-dd HH':00'"))
  }

  const distinct = seen.size
  const dupX = [...seen.values()].filter((s) => s.post.platform === 'x' && s.copies > 1).length
  const dupBskyBoth = [...seen.values()].filter(
    (s) => s.post.platform === 'bluesky' && s.kinds.has('bluesky searchPosts') && [...s.kinds].some((k) => k.startsWith('jetstream')),
  ).length
  const updated = [...seen.values()].filter((s) => s.updated).length
  const knownDeletions = deletions.filter((d) => seen.has(d)).length

  const out: string[] = []
  out.push(`Sample ${path.relative(process.cwd(), file) || file}: ${lines.length} lines, ${(gz.length / 1e6).toFixed(2)} MB gzipped`)
  out.push('\nLines by payload kind:')
  out.push(table(sorted(lineKinds)))
  out.push('\nDistinct posts by platform x detected language (detectLang on the text):')
  out.push(table(sorted(byPlatformLang)))
  out.push(
    table([
      ['total distinct posts', distinct],
      ['post items read (with copies)', occurrences],
    ]),
  )
  out.push('\nTopic matching (china-ai-fund):')
  out.push(
    table([
      ['distinct posts matching the topic', matched],
      ['  through the article link', viaArticle],
      ['  only through the article link', onlyViaArticle],
      ...sorted(ruleKinds).map(([k, v]) => [`  with a ${k} rule`, v] as [string, number]),
      ['not matching', distinct - matched],
      ['posts whose links point at the article', withArticleLink],
    ]),
  )
  if (unrecognised.size) {
    out.push('  article links NOT recognised as the article (link  ->  canonical form):')
    out.push(table([...unrecognised].sort((a, b) => b[1] - a[1]).map(([k, v]) => [`  ${k}`, v])))
  }
  out.push(
    '  matching, by platform x detected language: ' +
      sorted(matchedLang)
        .map(([k, v]) => `${k} ${v}`)
        .join(', '),
  )
  out.push('\nDuplicates across payloads:')
  out.push(
    table([
      ['extra copies (items read - distinct)', occurrences - distinct],
      ['X posts in two or more pages', dupX],
      ['Bluesky posts from both search and Jetstream', dupBskyBoth],
      ['Bluesky posts edited (Jetstream update)', updated],
      ['later copy with lower counts', metricRegressions],
    ]),
  )
  out.push('\nSkipped (counted, not fatal):')
  out.push(table(sorted(skips)))
  out.push(table([['ignored items (likes, identity, account, reposts)', ignored]]))
  const likes = [...seen.values()].flatMap((x) => (x.metrics ? [x.metrics.likes] : [])).sort((a, b) => a - b)
  const q = (f: number): number => likes[Math.min(likes.length - 1, Math.floor(f * likes.length))] ?? 0
  out.push(
    `\nLikes at the latest copy (${likes.length} posts with counts): ${((100 * likes.filter((l) => l <= 10).length) / Math.max(1, likes.length)).toFixed(1)}% <= 10, ` +
      `median ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${likes.at(-1) ?? 0}`,
  )
  out.push(`\nDeletions: ${deletions.length} (${knownDeletions} of posts seen earlier in the sample)`)
  out.push('\nCreation times:')
  out.push(table(sorted(created)))
  out.push('\nMatched posts per New York day (by createdAt):  total  [x / bluesky]')
  const dayRows = [...matchedDay].sort(([a], [b]) => (a < b ? -1 : 1))
  for (const [day, per] of dayRows) {
    const total = [...per.values()].reduce((a, b) => a + b, 0)
    out.push(`  ${day}  ${String(total).padStart(4)}  [${per.get('x') ?? 0} / ${per.get('bluesky') ?? 0}]  ${'#'.repeat(Math.round(total / 8))}`)
  }
  const topHours = [...matchedHour].sort((a, b) => b[1] - a[1]).slice(0, 6)
  out.push(`  busiest hours (NY): ${topHours.map(([h, n]) => `${h} ${n}`).join(', ')}`)
  const h20 = ['14', '15', '16'].reduce((n, h) => n + (matchedHour.get(`2025-07-22 ${h}:00`) ?? 0), 0)
  const day22 = [...(matchedDay.get('2025-07-22')?.values() ?? [])].reduce((a, b) => a + b, 0)
  const day16 = [...(matchedDay.get('2025-07-16')?.values() ?? [])].reduce((a, b) => a + b, 0)
  out.push(`  2025-07-22 14:00-17:00: ${h20} posts (${(h20 / 3).toFixed(1)}/h against ${(day22 / 24).toFixed(1)}/h for the whole day)`)
  out.push('\nPayload integrity (0 everywhere is expected):')
  out.push(integrity.size ? table(sorted(integrity)) : '  no problems found')

  // ---- Targets ----
  const dayTotals = dayRows.map(([d, per]) => [d, [...per.values()].reduce((a, b) => a + b, 0)] as const)
  const maxDay = dayTotals.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0] as const)
  const langs = new Set([...byPlatformLang.keys()].map((k) => k.split(' ')[1]))
  const checks: [string, boolean][] = [
    ['>= 2,000 distinct posts match the topic', matched >= 2000],
    ['both platforms present', [...seen.values()].some((s) => s.post.platform === 'x') && [...seen.values()].some((s) => s.post.platform === 'bluesky')],
    ['all four languages detected', ['en', 'zh', 'fr', 'ja'].every((l) => langs.has(l))],
    ['2025-07-16 is the busiest day', maxDay[0] === '2025-07-16' && day16 > 0],
    ['2025-07-22 14:00-17:00 stands out (>= 3x that day’s hourly mean)', h20 / 3 >= (3 * day22) / 24],
    ['invalid JSON line skipped', (skips.get('line: invalid JSON (truncated write)') ?? 0) >= 1],
    ['unknown payload shape skipped', (skips.get('line: unknown payload shape') ?? 0) >= 1],
    ['X tweet without id skipped', (skips.get('item: x: tweet without a valid id') ?? 0) >= 1],
    ['forged Bluesky createdAt replaced by indexedAt', (created.get('createdAt from indexed') ?? 0) >= 2],
    ['nothing threw', ![...skips.keys()].some((k) => k.includes('THREW'))],
    ['later copies never have lower counts', metricRegressions === 0],
    ['entity / facet / id integrity', integrity.size === 0],
    ['sample under 3 MB', gz.length < 3e6],
  ]
  out.push('\nTargets:')
  for (const [name, ok] of checks) out.push(`  ${ok ? 'ok  ' : 'FAIL'}  ${name}`)
  console.log(out.join('\n'))
  return checks.every(([, ok]) => ok)
}

/** Offsets, ids and CIDs as the platforms define them; any mismatch is counted by kind. */
function checkIntegrity(post: Post, fail: (what: string) => void): void {
  const raw = post.raw
  if (post.platform === 'x') {
    const tweet = isRec(raw) && isRec(raw.tweet) ? raw.tweet : null
    if (!tweet) return fail('x: raw tweet missing')
    const checkEntities = (text: string, entities: unknown, where: string): void => {
      if (!isRec(entities)) return
      const cps = [...text]
      const slice = (e: Rec): string => cps.slice(e.start as number, e.end as number).join('')
      for (const e of (entities.urls as Rec[] | undefined) ?? []) if (slice(e) !== e.url) fail(`x: url entity offsets (${where})`)
      for (const e of (entities.hashtags as Rec[] | undefined) ?? []) if (slice(e) !== `#${String(e.tag)}`) fail(`x: hashtag entity offsets (${where})`)
      for (const e of (entities.mentions as Rec[] | undefined) ?? []) if (slice(e) !== `@${String(e.username)}`) fail(`x: mention entity offsets (${where})`)
    }
    checkEntities(String(tweet.text), tweet.entities, 'text')
    if (isRec(tweet.note_tweet)) {
      checkEntities(String(tweet.note_tweet.text), tweet.note_tweet.entities, 'note_tweet')
      if ([...String(tweet.text)].length > 280 || !String(tweet.text).endsWith('…')) fail('x: truncated text over 280 or without …')
    }
    const ms = msFromSnowflake(post.platformId)
    if (Math.abs(ms - Date.parse(post.createdAt)) >= 1000) fail('x: snowflake time differs from created_at')
    return
  }
  const view = isRec(raw) ? raw : {}
  const commit = isRec(view.commit) ? view.commit : null
  const record = commit ? (commit.record as Rec) : (view.record as Rec)
  const cid = commit ? commit.cid : view.cid
  try {
    const c = CID.parse(String(cid))
    if (c.version !== 1 || c.code !== 0x71) fail('bluesky: CID not v1 dag-cbor')
  } catch {
    fail('bluesky: CID does not parse')
  }
  const rkey = post.platformId.split('/').at(-1)!
  const us = tidMicros(rkey)
  if (us === null) fail('bluesky: rkey is not a TID')
  else if (post.createdAtSource === 'claimed' && Math.abs(us / 1000 - Date.parse(post.createdAt)) > 1000) fail('bluesky: TID time differs from createdAt')
  if (!/^did:plc:[a-z2-7]{24}$/.test(post.author.id)) fail('bluesky: DID shape')
  if (post.author.handle && post.author.handle !== 'nytimes.com' && !post.author.handle.endsWith('.test')) fail('bluesky: handle outside .test')
  const bytes = Buffer.from(String(record.text), 'utf8')
  for (const f of (record.facets as Rec[] | undefined) ?? []) {
    const idx = f.index as Rec
    const s = bytes.subarray(idx.byteStart as number, idx.byteEnd as number).toString('utf8')
    const feat = (f.features as Rec[])[0]!
    if (feat.$type === 'app.bsky.richtext.facet#tag' && s !== `#${String(feat.tag)}`) fail('bluesky: tag facet offsets')
    if (feat.$type === 'app.bsky.richtext.facet#mention' && !s.startsWith('@')) fail('bluesky: mention facet offsets')
    if (feat.$type === 'app.bsky.richtext.facet#link') {
      const shown = s.replace(/\.\.\.$/, '')
      if (
        s !== feat.uri &&
        !String(feat.uri)
          .replace(/^https?:\/\//, '')
          .startsWith(shown)
      )
        fail('bluesky: link facet offsets')
    }
  }
  if ([...new Intl.Segmenter('en', { granularity: 'grapheme' }).segment(String(record.text))].length > 300) fail('bluesky: text over 300 graphemes')
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const file = process.argv[2] ?? path.join(ROOT, 'config/sample/sample.jsonl.gz')
  const ok = runCheck(file, process.argv[3])
  if (!ok) process.exitCode = 1
}
