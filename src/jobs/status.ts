import { statSync } from 'node:fs'
import { CronSchedule } from '../config/cron.js'
import type { AppContext } from '../context.js'
import { snowflakeMs } from '../domain/x-ids.js'
import { cursorsOf } from '../store/cursors.js'
import { leasesLike } from '../store/leases.js'
import { activeModel } from '../store/models.js'
import { stanceState } from './stance-state.js'
import { allHealth, type Health } from '../store/ops-health.js'
import { readsSoFar } from '../store/reads.js'
import { lastCollectorRunBySource, lastJobRuns, lastTroubledRun, recentCollectorRuns, type CollectorRun, type JobRun } from '../store/runs.js'
import { lastSlot } from '../store/schedule-slots.js'
import { alertStates, deliveriesByChannel, openGaps, postCounts, topicCounts } from '../store/status.js'
import { firstCollectedAt } from '../store/topic-coverage.js'
import { SOURCES, type SourceName } from './collect.js'
import { stillRunning } from './interrupted-runs.js'
import { currentHolder, DAEMON_LEASE, isGone } from './leases.js'
import { JOBS, sourceUnavailable } from './job-names.js'
import { topicActivity } from './topic-activity.js'
import { topicById } from './topics.js'
import { sharedPosts } from '../store/topic-status.js'

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString())
const DELIVERY_DAYS = 7

/** How a run ended as `status` reports it: a run whose process is gone was interrupted, whatever its row says. */
function shownStatus(r: CollectorRun | JobRun): string {
  return r.status === 'running' && !stillRunning(r) ? 'interrupted' : r.status
}

export interface RunSummary {
  id: number
  status: string
  reason: string | null
  startedAt: string | null
  finishedAt: string | null
  durationMs: number | null
}

function runSummary(r: CollectorRun | JobRun, status: string): RunSummary {
  const reason = 'stopReason' in r ? r.stopReason : r.reason
  return {
    id: r.id,
    status,
    reason,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    durationMs: r.finishedAt === null ? null : r.finishedAt - r.startedAt,
  }
}

/** Where a source stands: the oldest position of its queries (the one furthest behind), or its stream cursor. */
function position(ctx: AppContext, source: SourceName, now: number) {
  if (source === 'jetstream') {
    const c = cursorsOf(ctx.db, 'jetstream')[0]
    if (!c) return { position: null, lagSeconds: null }
    const ms = Math.floor(Number(c.value) / 1000)
    return { position: { cursor: iso(ms), storedAt: iso(c.updatedAt) }, lagSeconds: Math.round((now - ms) / 1000) }
  }
  if (source === 'replay') {
    const files = cursorsOf(ctx.db, 'replay').map((c) => ({ file: c.key, line: Number(c.value), storedAt: iso(c.updatedAt) }))
    return { position: files.length ? { files } : null, lagSeconds: null }
  }
  const queries = cursorsOf(ctx.db, source).map((c) => {
    const s = JSON.parse(c.value) as { since_id?: string; since_time?: string; since?: string; pending?: unknown; backlog?: unknown }
    const mark = s.since_id ? snowflakeMs(s.since_id) : s.since ? Date.parse(s.since) : s.since_time ? Date.parse(s.since_time) : null
    return { query: c.key, watermark: iso(mark), interruptedPass: Boolean(s.pending), historyLeft: Boolean(s.backlog), storedAt: iso(c.updatedAt), mark }
  })
  if (queries.length === 0) return { position: null, lagSeconds: null }
  const marks = queries.map((q) => q.mark).filter((m): m is number => m !== null && Number.isFinite(m))
  const oldest = marks.length ? Math.min(...marks) : null
  return {
    position: { watermark: iso(oldest), queries: queries.map(({ mark: _, ...q }) => q) },
    lagSeconds: oldest === null ? null : Math.round((now - oldest) / 1000),
  }
}

function healthOf(h: Health | undefined) {
  if (!h) return null
  return {
    lastStatus: h.lastStatus,
    consecutiveFailures: h.consecutiveFailures,
    failingSince: iso(h.failingSince),
    lastOkAt: iso(h.lastOkAt),
    lastError: h.lastError,
    alertOpen: h.alertKey !== null,
    alertedAt: iso(h.alertedAt),
  }
}

/**
 * Everything an operator asks of a running bot, read from the database alone (it works beside the daemon
 * and without it): the daemon, each job's last and next run, each source's position, lag, last error,
 * rate-limit state and gaps, budgets, models, the database's size.
 */
export function statusReport(ctx: AppContext, o: { runs: number; topic?: string }) {
  const now = ctx.now().getTime()
  const realNow = Date.now()
  const daemon = currentHolder(ctx, DAEMON_LEASE)
  const running = new Map(
    leasesLike(ctx.db, 'job:')
      .filter((h) => !isGone(h, realNow))
      .map((h) => [h.name.slice(4), h]),
  )
  const health = new Map(allHealth(ctx.db).map((h) => [h.subject, h]))
  const lastRuns = new Map(lastJobRuns(ctx.db).map((r) => [r.job, r]))
  const lastCollector = new Map(lastCollectorRunBySource(ctx.db).map((r) => [r.source, r]))
  const gaps = openGaps(ctx.db).map((g) => ({ ...g, startAt: iso(g.startAt), endAt: iso(g.endAt) }))
  const day = new Date(now).toISOString().slice(0, 10)

  const jobs = JOBS.map((job) => {
    const r = lastRuns.get(job)
    const expr = ctx.config.schedules[job]
    const last = lastSlot(ctx.db, job)
    const holder = running.get(job)
    return {
      job,
      schedule: expr,
      lastRun: r ? { ...runSummary(r, shownStatus(r)), trigger: r.trigger, slot: iso(r.slotAt) } : null,
      nextRun: iso(new CronSchedule(expr, ctx.config.timezone).next(Math.max(now, last ?? now))),
      runningNow: holder ? { pid: holder.pid, command: holder.command, since: iso(holder.acquiredAt) } : null,
      health: healthOf(health.get(`job:${job}`)),
    }
  })

  const sources = SOURCES.map((source) => {
    const r = lastCollector.get(source)
    const troubled = lastTroubledRun(ctx.db, source)
    const h = health.get(`source:${source}`)
    const limited = r?.rateLimitedUntil && r.rateLimitedUntil > now ? r.rateLimitedUntil : null
    return {
      source,
      enabled: ctx.config.sources.enabled.includes(source),
      canRun: sourceUnavailable(ctx, source) === null,
      why: sourceUnavailable(ctx, source),
      ...position(ctx, source, now),
      lastRun: r ? { ...runSummary(r, shownStatus(r)), newPosts: r.newPosts, reads: r.reads, estCostUsd: r.estCostUsd } : null,
      lastError: h?.lastError ?? troubled?.stopReason ?? null,
      rateLimit: limited ? { until: iso(limited) } : null,
      gaps: gaps.filter((g) => g.source === source),
      health: healthOf(h),
    }
  })

  const topics = topicById(ctx, o.topic).map((t) => {
    const c = topicCounts(ctx.db, t.id)
    const m = activeModel(ctx.db, t.id)
    const cv = m?.metrics as { accuracy?: number; macro_f1?: number } | null
    const used = readsSoFar(ctx.db, day, t.id, 'x')
    const price = ctx.config.sources.x.cost_per_post_usd
    return {
      id: t.id,
      ...c,
      ...topicActivity(ctx, t.id, now),
      first: iso(c.first),
      last: iso(c.last),
      firstCollectedAt: iso(firstCollectedAt(ctx.db, t.id)),
      model: m ? { version: m.version, trained_at: iso(m.trainedAt), accuracy: cv?.accuracy ?? null, macro_f1: cv?.macro_f1 ?? null } : null,
      /** measured (by the model above), awaiting labels (a new topic: counts per label against the floor), or ready to train. */
      stance: stanceState(ctx, t),
      budget: {
        x: {
          today: used.day,
          dailyLimit: t.budget.x_daily_post_reads,
          month: used.month,
          monthlyLimit: t.budget.x_monthly_post_reads,
          costTodayUsd: used.day * price,
          costMonthUsd: used.month * price,
        },
      },
    }
  })

  return {
    database: { path: ctx.db.name, bytes: fileBytes(ctx.db.name), walBytes: fileBytes(`${ctx.db.name}-wal`) },
    daemon: daemon
      ? { running: true, pid: daemon.pid, host: daemon.host, since: iso(daemon.acquiredAt), heartbeat: iso(daemon.heartbeatAt) }
      : { running: false },
    jobs,
    sources,
    topics,
    posts: postCounts(ctx.db),
    sharedPosts: sharedPosts(
      ctx.db,
      topics.map((t) => t.id),
    ),
    runs: recentCollectorRuns(ctx.db, o.runs).map(({ pid: _p, host: _h, bootId: _b, ...r }) => ({
      ...r,
      status: shownStatus({ ...r, pid: _p, host: _h, bootId: _b }),
      startedAt: iso(r.startedAt),
      finishedAt: iso(r.finishedAt),
      rateLimitedUntil: iso(r.rateLimitedUntil),
    })),
    gaps,
    alerts: alertStates(ctx.db),
    deliveries: deliveriesByChannel(ctx.db, now - DELIVERY_DAYS * 86_400_000).map((d) => ({ ...d, nextAttemptAt: iso(d.nextAttemptAt) })),
    health: allHealth(ctx.db).map((h) => ({ subject: h.subject, ...healthOf(h) })),
  }
}

export type StatusReport = ReturnType<typeof statusReport>

function fileBytes(file: string): number | null {
  try {
    return statSync(file).size
  } catch {
    return null
  }
}
