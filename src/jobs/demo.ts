import { existsSync, rmSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { stanceOverTime } from '../aggregate/stance-over-time.js'
import type { AppContext } from '../context.js'
import { topicBreakdown, topicSpan, topicStanceMix } from '../store/summary.js'
import type { FiredAlert } from '../alerts/alert-run.js'
import { checkAlertsOverRange } from './alerts.js'
import { classify } from './classify.js'
import { collect, type CollectResult } from './collect.js'
import type { Progress } from '../domain/progress.js'
import { makeDigests } from './digest.js'

/** The bundled, synthetic sample: raw X and Bluesky payloads, one per line. */
export const SAMPLE_FILE = fileURLToPath(new URL('../../config/sample/sample.jsonl.gz', import.meta.url))
export const DEMO_DB = 'db/demo.sqlite'
export const DEMO_OUT = 'digests/demo'

export interface DemoSummary {
  database: string
  sample: string
  collect: Pick<CollectResult, 'pages' | 'stats'>
  topic: string
  timezone: string
  posts: number
  byPlatform: Record<string, number>
  byLanguage: Record<string, number>
  stance: Record<string, number>
  model: string
  alerts: Pick<FiredAlert, 'kind' | 'platform' | 'window_start' | 'window_end' | 'observed' | 'expected' | 'score'>[]
  digest: { date: string; posts: number; files: string[] }
  seconds: number
}

/** Remove a database and its WAL files, so the demo always starts from nothing. */
export function removeDatabase(file: string): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) rmSync(f)
}

/**
 * The whole pipeline on the bundled sample: replay → match → store → classify → alerts (checked hour by
 * hour as the daemon would have) → digest of the busiest day.
 */
export async function runDemo(ctx: AppContext, opts: { outDir: string; onProgress?: (p: Progress) => void }): Promise<DemoSummary> {
  const started = performance.now()
  const collected = await collect(ctx, { source: 'replay', files: [SAMPLE_FILE], restart: true, onProgress: opts.onProgress })
  const [classified] = await classify(ctx, {})
  const topic = ctx.config.topics[0]!
  const span = topicSpan(ctx.db, topic.id)
  const first = span.first ?? 0
  const last = span.last ?? 0
  const alerts = checkAlertsOverRange(ctx, first, last + 3_600_000)
  const daily = stanceOverTime(ctx.db, { topic, from: first, to: last + 1, bucket: 'day', zone: ctx.config.timezone })
  const busiest = daily.buckets.reduce((a, b) => (b.total > a.total ? b : a), daily.buckets[0]!)
  const [digest] = makeDigests(ctx, { date: busiest.start.slice(0, 10), topic: topic.id, outDir: opts.outDir })

  const breakdown = topicBreakdown(ctx.db, topic.id)
  const sumBy = (key: 'platform' | 'lang') => breakdown.reduce<Record<string, number>>((m, r) => ((m[r[key]] = (m[r[key]] ?? 0) + r.n), m), {})
  return {
    database: ctx.db.name,
    sample: path.relative(process.cwd(), SAMPLE_FILE),
    collect: { pages: collected.pages, stats: collected.stats },
    topic: topic.id,
    timezone: ctx.config.timezone,
    posts: breakdown.reduce((s, r) => s + r.n, 0),
    byPlatform: sumBy('platform'),
    byLanguage: sumBy('lang'),
    stance: Object.fromEntries(topicStanceMix(ctx.db, topic.id).map((r) => [r.label, r.n])),
    model: classified?.model ?? '',
    alerts: alerts.map(({ kind, platform, window_start, window_end, observed, expected, score }) => ({
      kind,
      platform,
      window_start,
      window_end,
      observed,
      expected,
      score,
    })),
    digest: { date: digest!.date, posts: digest!.posts, files: digest!.files },
    seconds: (performance.now() - started) / 1000,
  }
}
