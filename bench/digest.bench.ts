/*
 * The bar: the digest of a day with 50,000 posts in a database of 5,000,000 posts in ≤ 2 s (facts,
 * Markdown, HTML and JSON written). The baseline in the same run is the cheapest thing a digest must at
 * least do: read every post of that day once.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DateTime } from 'luxon'
import { readEnv } from '../src/config/env.js'
import { createContext } from '../src/context.js'
import { makeDigests } from '../src/jobs/digest.js'
import { silentLogger } from '../src/logger.js'
import { postsInWindow } from '../src/store/volume.js'
import { fillDatabase, TOPIC } from './stance-database.js'

const POSTS = Number(process.env.DIGEST_BENCH_POSTS ?? 5_000_000)
const DAYS = 120
const START = Date.parse('2025-07-04T00:00:00Z')
const ROOT = path.join(import.meta.dirname, '..')

export function run(): void {
  const dir = mkdtempSync(path.join(tmpdir(), 'stancewatch-digest-bench-'))
  try {
    const dbPath = path.join(dir, 'digest.sqlite')
    const ctx = createContext({
      env: readEnv({}),
      log: silentLogger,
      configPath: path.join(ROOT, 'config/stancewatch.yaml'),
      dbPath,
      now: () => new Date(START + DAYS * 86_400_000),
    })
    const zone = ctx.config.timezone
    let t = performance.now()
    process.stdout.write(`building ${POSTS.toLocaleString('en')} posts over ${DAYS} days:`)
    fillDatabase(ctx.db, { posts: POSTS, days: DAYS, start: START }, 7, (n) => process.stdout.write(` ${(n / 1e6).toFixed(2)}M`))
    console.log(` (${((performance.now() - t) / 1000).toFixed(0)} s)`)
    ctx.db.exec('ANALYZE')

    // The day (in the configured zone) whose post count is nearest above 50,000.
    const counts = ctx.db
      .prepare(`SELECT date((created_at - ?) / 1000, 'unixepoch') AS day, count(*) AS n FROM post_topics WHERE topic_id = ? GROUP BY day`)
      .all(-DateTime.now().setZone(zone).offset * 60_000, TOPIC) as { day: string; n: number }[]
    const day = counts.filter((c) => c.n >= 50_000).sort((a, b) => a.n - b.n)[0] ?? counts.sort((a, b) => b.n - a.n)[0]!
    const from = DateTime.fromISO(day.day, { zone }).toMillis()
    const to = DateTime.fromISO(day.day, { zone }).plus({ days: 1 }).toMillis()

    const readAll = () => postsInWindow(ctx.db, TOPIC, from, to, null).length
    const digest = () => makeDigests(ctx, { date: day.day, outDir: path.join(dir, 'out') })[0]!.posts
    const median = (fn: () => number, runs: number) => {
      const times: number[] = []
      let n = 0
      for (let i = 0; i < runs; i++) {
        t = performance.now()
        n = fn()
        times.push(performance.now() - t)
      }
      return { ms: times.sort((a, b) => a - b)[Math.floor(runs / 2)]!, n }
    }
    digest()
    const base = median(readAll, 5)
    const full = median(digest, 5)
    console.log(`digest of ${day.day} (${full.n.toLocaleString('en')} posts) in a ${POSTS.toLocaleString('en')}-post database, median of 5:`)
    console.log(`  reading the day's posts once   ${base.ms.toFixed(0)} ms`)
    console.log(`  the whole digest (md+html+json) ${full.ms.toFixed(0)} ms (bar ≤ 2,000 ms)`)
    console.log(`ratio digest / reading the day: ${(full.ms / base.ms).toFixed(1)}×`)
    ctx.db.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) run()
