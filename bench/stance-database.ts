/*
 * A large synthetic database for the stance-query benchmark: posts and their topic rows written straight
 * into the schema in one transaction of prepared inserts (the collectors would take hours for millions).
 * Streaming: one day of timestamps in memory at a time, never an array of post objects.
 */
import type { Db } from '../src/store/db.js'
import { seededRandom } from '../tools/synthetic/random.js'

export const TOPIC = 'china-ai-fund'
const OTHER_TOPIC = 'other-topic'
const DAY_MS = 86_400_000
const THEMES = ['fund', 'chips', 'open-models', 'talent', 'regulation', 'energy', 'data-labour', 'state-vs-market']
const LANGS: [string, number][] = [
  ['en', 0.46],
  ['zh', 0.3],
  ['ja', 0.12],
  ['fr', 0.12],
]
const LABELS: [string | null, number][] = [
  ['concern', 0.3],
  ['praise', 0.3],
  ['neutral', 0.33],
  ['uncertain', 0.05],
  [null, 0.02],
]
const THEME_COUNTS: [number, number][] = [
  [0, 0.3],
  [1, 0.45],
  [2, 0.2],
  [3, 0.05],
]

export interface SyntheticSpan {
  posts: number
  days: number
  /** The first day, UTC midnight. */
  start: number
}

export const random = seededRandom

function pick<T>(r: number, weighted: [T, number][]): T {
  let acc = 0
  for (const [v, w] of weighted) if (r < (acc += w)) return v
  return weighted.at(-1)![0]
}

/**
 * Posts per day: a weekly rhythm, a slow rise, and a few news spikes; within a day, an afternoon peak and
 * a night trough (UTC), as the sample shows.
 */
function postsPerDay(span: SyntheticSpan, rnd: () => number): number[] {
  const weights = Array.from(
    { length: span.days },
    (_, d) => (1 + 0.25 * Math.sin((2 * Math.PI * d) / 7)) * (0.7 + (0.6 * d) / span.days) * (rnd() < 0.05 ? 3 : 1),
  )
  const sum = weights.reduce((a, b) => a + b, 0)
  const counts = weights.map((w) => Math.floor((w / sum) * span.posts))
  counts[counts.length - 1]! += span.posts - counts.reduce((a, b) => a + b, 0)
  return counts
}

const HOUR_WEIGHTS = Array.from({ length: 24 }, (_, h) => 1 + 0.8 * Math.sin((2 * Math.PI * (h - 8)) / 24))
const HOUR_SUM = HOUR_WEIGHTS.reduce((a, b) => a + b, 0)

function timeInDay(day: number, rnd: () => number): number {
  let r = rnd() * HOUR_SUM
  let h = 0
  while (h < 23 && (r -= HOUR_WEIGHTS[h]!) > 0) h++
  return day + h * 3_600_000 + Math.floor(rnd() * 3_600_000)
}

/**
 * Fill a migrated database with `span.posts` posts in creation order: two platforms, four languages, three
 * labels with some uncertain and unclassified, 1% labelled by a person, 1% deleted, 0–3 themes each, and 5%
 * also on a second topic. Texts are short and there is no raw payload, which if anything flatters a query
 * that reads posts.
 */
export function fillDatabase(db: Db, span: SyntheticSpan, seed = 1, onProgress?: (done: number) => void): void {
  const rnd = random(seed)
  const insertPost = db.prepare(`INSERT INTO posts (platform, platform_id, url, author_id, author_handle, text, lang, lang_detected, created_at,
    created_at_source, first_seen_at, last_seen_at, deleted_at, links, topics, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'platform', ?, ?, ?, '[]', ?, '{}')`)
  const insertTopic =
    db.prepare(`INSERT INTO post_topics (topic_id, created_at, post_id, rules, themes, source, query, matched_at, stance_label, stance_confidence, stance_source)
    VALUES (?, ?, ?, '["keyword:fund-en"]', ?, ?, NULL, ?, ?, ?, ?)`)
  const both = JSON.stringify([TOPIC, OTHER_TOPIC])
  const one = JSON.stringify([TOPIC])
  let id = 0
  db.transaction(() => {
    postsPerDay(span, rnd).forEach((count, d) => {
      const day = span.start + d * DAY_MS
      const times = new Float64Array(count)
      for (let i = 0; i < count; i++) times[i] = timeInDay(day, rnd)
      times.sort()
      for (const at of times) {
        id++
        const x = rnd() < 0.55
        const author = `a${Math.floor(rnd() * 200_000)}`
        const lang = pick(rnd(), LANGS)
        const deleted = rnd() < 0.01 ? at + 3_600_000 : null
        const second = rnd() < 0.05
        const platformId = x ? String(1_900_000_000_000_000_000n + BigInt(id)) : `at://did:plc:${author}/app.bsky.feed.post/3l${id.toString(36)}`
        const url = x ? `https://x.com/${author}/status/${platformId}` : `https://bsky.app/profile/did:plc:${author}/post/3l${id.toString(36)}`
        const rowId = Number(
          insertPost.run(
            x ? 'x' : 'bluesky',
            platformId,
            url,
            author,
            author,
            `post ${id} on the state AI fund and what it means for chips and talent`,
            lang,
            lang,
            at,
            at,
            at,
            deleted,
            second ? both : one,
          ).lastInsertRowid,
        )
        for (const topic of second ? [TOPIC, OTHER_TOPIC] : [TOPIC]) {
          const label = pick(rnd(), LABELS)
          const human = label !== null && rnd() < 0.01
          const themes = new Set<string>()
          for (let k = pick(rnd(), THEME_COUNTS); themes.size < k;) themes.add(THEMES[Math.floor(rnd() * THEMES.length)]!)
          insertTopic.run(
            topic,
            at,
            rowId,
            JSON.stringify([...themes]),
            x ? 'x' : 'bluesky',
            at,
            label,
            label && !human ? 0.5 + rnd() / 2 : null,
            label === null ? null : human ? 'human' : 'model',
          )
        }
        if (id % 250_000 === 0) onProgress?.(id)
      }
    })
  })()
}
