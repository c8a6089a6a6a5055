/*
 * The bar: stance over time, 90 days by day, on a database of 5,000,000 posts, in ≤ 100 ms, from the
 * aggregates migration 0007 keeps; against the plain GROUP BY over posts in the same run. Also what keeping
 * them costs: storing and classifying posts with and without the triggers.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DateTime } from 'luxon'
import { stanceOverTime, type StanceQuery } from '../src/aggregate/stance-over-time.js'
import { loadConfig } from '../src/config/load.js'
import type { Post } from '../src/domain/post.js'
import { saveClassifications } from '../src/store/classifications.js'
import { openDb, type Db } from '../src/store/db.js'
import { migrate, readMigrations } from '../src/store/migrate.js'
import { saveActiveModel } from '../src/store/models.js'
import { savePage, type PostToStore } from '../src/store/posts.js'
import { fillDatabase, random, TOPIC } from './stance-database.js'

const POSTS = Number(process.env.STANCE_BENCH_POSTS ?? 5_000_000)
const DAYS = 120
const START = Date.parse('2025-07-04T00:00:00Z')
const ZONE = 'America/New_York'
const INGEST_POSTS = 100_000

const beforeAggregates = () => readMigrations().filter((m) => m.version < '0007')
/** The same, plus what today's writer needs besides the aggregates (0010: the posts' payload column). */
const withoutAggregates = () => readMigrations().filter((m) => m.version < '0007' || m.name === '0010_payloads.sql')

export function run(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'stancewatch-stance-bench-'))
  try {
    const file = path.join(dir, 'stance.sqlite')
    buildDatabase(file)
    queries(file)
    ingestCost(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Posts written without the triggers, then the migration fills the aggregates, as on an existing database. */
function buildDatabase(file: string): void {
  const db = openDb(file)
  migrate(db, beforeAggregates())
  let t = performance.now()
  process.stdout.write(`building ${POSTS.toLocaleString('en')} posts over ${DAYS} days:`)
  fillDatabase(db, { posts: POSTS, days: DAYS, start: START }, 1, (n) => process.stdout.write(` ${(n / 1e6).toFixed(2)}M`))
  const topicRows = db.prepare('SELECT count(*) FROM post_topics').pluck().get() as number
  console.log(`\n  ${topicRows.toLocaleString('en')} topic rows in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  t = performance.now()
  migrate(db)
  const slots = db.prepare('SELECT count(*) FROM stance_slots').pluck().get() as number
  const themed = db.prepare('SELECT count(*) FROM stance_theme_slots').pluck().get() as number
  console.log(
    `  migration 0007 filled the aggregates in ${((performance.now() - t) / 1000).toFixed(1)} s: ${slots.toLocaleString('en')} + ${themed.toLocaleString('en')} (by theme) rows`,
  )
  db.close()
}

function queries(file: string): void {
  const db = openDb(file)
  const topic = loadConfig(path.join(import.meta.dirname, '../config/stancewatch.yaml')).config.topics.find((t) => t.id === TOPIC)!
  const to = DateTime.fromMillis(START, { zone: ZONE }).plus({ days: DAYS }).startOf('day')
  const base: StanceQuery = { topic, from: to.minus({ days: 90 }).toMillis(), to: to.toMillis(), bucket: 'day', zone: ZONE }
  const posts = stanceOverTime(db, { ...base, counts: 'posts' }).totals.total

  console.log(`\n90 days by day (${posts.toLocaleString('en')} posts in range), stanceOverTime, median of runs:`)
  const agg = median(time(7, () => stanceOverTime(db, base)))
  const plain = median(time(3, () => stanceOverTime(db, { ...base, counts: 'posts' })))
  const same = sameSeries(db, base)
  console.log(`  aggregates:         ${agg.toFixed(1).padStart(8)} ms   (bar: ≤ 100 ms: ${agg <= 100 ? 'met' : 'NOT met'})`)
  console.log(`  plain GROUP BY:     ${plain.toFixed(1).padStart(8)} ms`)
  console.log(`  ratio: ${(plain / agg).toFixed(0)}× faster; identical series: ${same ? 'yes' : 'NO'}`)

  console.log('\nother questions, 90 days by day (aggregates median of 5 | plain GROUP BY once):')
  const shapes: [string, Partial<StanceQuery>][] = [
    ['--platform x', { platform: 'x' }],
    ['--split platform', { split: 'platform' }],
    ['--split lang', { split: 'lang' }],
    ['--theme chips', { theme: 'chips' }],
    ['--split theme', { split: 'theme' }],
    ['--bucket hour (2,160 buckets)', { bucket: 'hour' }],
  ]
  for (const [name, extra] of shapes) {
    const q = { ...base, ...extra }
    const a = median(time(5, () => stanceOverTime(db, q)))
    const p = time(1, () => stanceOverTime(db, { ...q, counts: 'posts' }))[0]!
    console.log(
      `  ${name.padEnd(30)} ${a.toFixed(1).padStart(8)} ms | ${p.toFixed(0).padStart(6)} ms  (${(p / a).toFixed(0)}×${sameSeries(db, q) ? '' : ', DIFFERENT'})`,
    )
  }
  db.close()
}

function sameSeries(db: Db, q: StanceQuery): boolean {
  return JSON.stringify(stanceOverTime(db, q)) === JSON.stringify(stanceOverTime(db, { ...q, counts: 'posts' }))
}

/**
 * What the triggers cost the writers: the same posts stored (savePage, pages of 500) and then classified
 * (saveClassifications, every label new) in a database without and with migration 0007.
 */
function ingestCost(dir: string): void {
  console.log(`\nwhat keeping the aggregates costs, ${INGEST_POSTS.toLocaleString('en')} posts (median of 3 rounds):`)
  const runs = { without: { store: [] as number[], classify: [] as number[] }, with: { store: [] as number[], classify: [] as number[] } }
  for (let round = 0; round < 3; round++) {
    for (const variant of ['without', 'with'] as const) {
      const db = openDb(path.join(dir, `ingest-${variant}-${round}.sqlite`))
      migrate(db, variant === 'with' ? readMigrations() : withoutAggregates())
      const modelId = saveActiveModel(db, {
        topicId: TOPIC,
        version: 'bench@1',
        algorithm: 'bench',
        params: '{}',
        metrics: null,
        trainingSize: 0,
        trainedAt: 0,
        weights: Buffer.alloc(0),
      })
      const rnd = random(round + 1)
      let t = performance.now()
      for (let i = 0; i < INGEST_POSTS; i += 500) savePage(db, { items: pageOfPosts(i, 500, rnd), source: 'x', query: null, observedAt: START })
      runs[variant].store.push(performance.now() - t)
      const rows = db.prepare('SELECT post_id AS postId, created_at AS createdAt FROM post_topics').all() as { postId: number; createdAt: number }[]
      t = performance.now()
      for (let i = 0; i < rows.length; i += 1000) {
        saveClassifications(
          db,
          TOPIC,
          modelId,
          rows.slice(i, i + 1000).map((r) => ({ ...r, label: ['concern', 'praise', 'neutral'][Math.floor(rnd() * 3)]!, confidence: 0.8, scores: {} })),
          START,
        )
      }
      runs[variant].classify.push(performance.now() - t)
      db.close()
    }
  }
  for (const step of ['store', 'classify'] as const) {
    const without = median(runs.without[step])
    const withTriggers = median(runs.with[step])
    const rate = (ms: number) =>
      `${Math.round(INGEST_POSTS / (ms / 1000))
        .toLocaleString('en')
        .padStart(7)} posts/s`
    console.log(`  ${step.padEnd(9)} without triggers ${rate(without)}, with ${rate(withTriggers)}: ${(withTriggers / without).toFixed(2)}× the time`)
  }
}

const THEMES = ['fund', 'chips', 'open-models', 'talent', 'regulation', 'energy', 'data-labour', 'state-vs-market']

function pageOfPosts(first: number, n: number, rnd: () => number): PostToStore[] {
  return Array.from({ length: n }, (_, k) => {
    const i = first + k
    const x = rnd() < 0.55
    const post: Post = {
      platform: x ? 'x' : 'bluesky',
      platformId: x ? String(1_950_000_000_000_000_000n + BigInt(i)) : `at://did:plc:bench${i % 5000}/app.bsky.feed.post/3l${i.toString(36)}`,
      url: `https://example.com/${i}`,
      author: { id: `a${i % 5000}`, handle: `user${i % 5000}`, name: null, followers: 100 },
      text: `post ${i} on the state AI fund and what it means for chips and talent`,
      lang: 'en',
      createdAt: new Date(START + i * 6000).toISOString(),
      createdAtSource: 'platform',
      replyTo: null,
      quoteOf: null,
      conversationId: null,
      metrics: { likes: 1, reposts: 0, replies: 0, quotes: 0 },
      links: [],
      hashtags: [],
      mentions: [],
      raw: { id: i },
    }
    const themes = THEMES.filter(() => rnd() < 0.15)
    return {
      post,
      langDetected: ['en', 'zh', 'ja', 'fr'][Math.floor(rnd() * 4)]!,
      links: [],
      matches: [{ topicId: TOPIC, rules: ['keyword:fund-en'], themes }],
    }
  })
}

function time(runs: number, f: () => unknown): number[] {
  return Array.from({ length: runs }, () => {
    const t = performance.now()
    f()
    return performance.now() - t
  })
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
