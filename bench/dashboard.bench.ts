/*
 * The dashboard's bars on the 5,000,000-post benchmark database (bench/stance-database.ts, as the stance
 * query benchmark builds it): the chart's data for 90 days in ≤ 200 ms and a posts page of 50 in ≤ 300 ms,
 * each measured through the HTTP API as the page asks for it (and the same call without HTTP beside it).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { DateTime } from 'luxon'
import { readEnv } from '../src/config/env.js'
import { closeContext, createContext, type AppContext } from '../src/context.js'
import { silentLogger } from '../src/logger.js'
import { openDb } from '../src/store/db.js'
import { migrate, readMigrations } from '../src/store/migrate.js'
import { readFilters } from '../src/web/filters.js'
import { startDashboard } from '../src/web/server.js'
import { postsView, stanceView } from '../src/web/views.js'
import { fillDatabase } from './stance-database.js'

const POSTS = Number(process.env.STANCE_BENCH_POSTS ?? 5_000_000)
const DAYS = 120
const START = Date.parse('2025-07-04T00:00:00Z')
const CONFIG = path.join(import.meta.dirname, '../config/stancewatch.yaml')

export async function run(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'stancewatch-dashboard-bench-'))
  try {
    const file = path.join(dir, 'dashboard.sqlite')
    build(file)
    const ctx = createContext({ env: readEnv({}), log: silentLogger, configPath: CONFIG, dbPath: file })
    try {
      await measure(ctx)
    } finally {
      closeContext(ctx)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Posts first, then the migrations that fill the aggregates, as on an existing database (the stance bench's way). */
function build(file: string): void {
  const db = openDb(file)
  migrate(
    db,
    readMigrations().filter((m) => m.version < '0007'),
  )
  const t = performance.now()
  process.stdout.write(`building ${POSTS.toLocaleString('en')} posts over ${DAYS} days:`)
  fillDatabase(db, { posts: POSTS, days: DAYS, start: START }, 1, (n) => process.stdout.write(` ${(n / 1e6).toFixed(2)}M`))
  migrate(db)
  console.log(` (${((performance.now() - t) / 1000).toFixed(0)} s with the aggregates)`)
  db.close()
}

async function measure(ctx: AppContext): Promise<void> {
  const zone = ctx.config.timezone
  const end = DateTime.fromMillis(START, { zone }).plus({ days: DAYS - 1 })
  const range = `from=${end.minus({ days: 89 }).toISODate()}&to=${end.toISODate()}`
  const lastDay = `from=${end.toISODate()}&to=${end.toISODate()}`
  const dashboard = await startDashboard(ctx, { host: '127.0.0.1', port: 0, token: null })
  try {
    const cases: [name: string, route: string, bar: number | null][] = [
      ['chart data, 90 days by day', `/api/stance?${range}`, 200],
      ['chart data, 90 days by day, --platform x --lang en', `/api/stance?${range}&platform=x&lang=en`, 200],
      ['chart data, 90 days by day, theme chips', `/api/stance?${range}&theme=chips`, 200],
      ['chart data, 90 days by hour (2,160 buckets)', `/api/stance?${range}&bucket=hour`, null],
      ['posts page 1 of 50, 90 days, newest first', `/api/posts?${range}`, 300],
      ['posts page 20 of 50, 90 days, newest first', `/api/posts?${range}&page=19`, 300],
      ['posts page, stance concern, confidence ≥ 0.9, X, ja', `/api/posts?${range}&label=concern&min_confidence=0.9&platform=x&lang=ja`, 300],
      ['posts page, theme data-labour', `/api/posts?${range}&theme=data-labour`, 300],
      ['posts page, search "post 4999" (90 days)', `/api/posts?${range}&q=${encodeURIComponent('post 4999')}`, null],
      ['posts page, most engaged, last day', `/api/posts?${lastDay}&sort=engagement`, null],
      ['posts page, most engaged, 90 days', `/api/posts?${range}&sort=engagement`, null],
    ]
    console.log('\nthrough HTTP (median of runs after one warm-up) | the same view without HTTP:')
    for (const [name, route, bar] of cases) {
      const runs = bar === null ? 3 : 7
      const http = median(await timeAsync(runs, async () => (await fetch(`${dashboard.url}${route}`)).arrayBuffer()))
      const url = new URL(route, dashboard.url)
      const f = readFilters(ctx, url.searchParams)
      const direct = median(time(runs, () => (url.pathname === '/api/stance' ? stanceView(ctx, f) : postsView(ctx, f))))
      const verdict = bar === null ? '' : `  (bar ≤ ${bar} ms: ${http <= bar ? 'met' : 'NOT met'})`
      console.log(`  ${name.padEnd(54)} ${http.toFixed(1).padStart(8)} ms | ${direct.toFixed(1).padStart(8)} ms${verdict}`)
    }
  } finally {
    await dashboard.close()
  }
}

function time(runs: number, f: () => unknown): number[] {
  f()
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    f()
    out.push(performance.now() - t)
  }
  return out
}

async function timeAsync(runs: number, f: () => Promise<unknown>): Promise<number[]> {
  await f()
  const out: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    await f()
    out.push(performance.now() - t)
  }
  return out
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}
