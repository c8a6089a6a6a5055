import type { AppContext } from '../context.js'
import { digestDays } from '../store/digests.js'
import { finishJobRun, startJobRun } from '../store/runs.js'
import { checkAlerts, deliverAlerts } from './alerts.js'
import { classify } from './classify.js'
import { collect, type SourceName } from './collect.js'
import { deliverDigests, makeDigests, yesterday } from './digest.js'
import { refreshEngagement } from './refresh.js'
import { retryPending } from '../notify/deliver.js'
import type { DeliveryResult } from '../notify/message.js'
import { DateTime } from 'luxon'

export const JOBS = ['collect', 'classify', 'alerts', 'digest'] as const
export type JobName = (typeof JOBS)[number]

/** Why a source cannot run here (missing credentials, not built), or null when it can. */
export function sourceUnavailable(ctx: AppContext, source: SourceName): string | null {
  switch (source) {
    case 'replay':
      return ctx.config.sources.replay_files.length ? null : 'no sources.replay_files configured'
    case 'x':
      return ctx.env.x.bearerToken ? null : 'X_BEARER_TOKEN is not set'
    case 'bluesky':
      return ctx.env.bluesky.identifier && ctx.env.bluesky.appPassword ? null : 'BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set'
    case 'jetstream':
      return null
    default: {
      const never: never = source
      return `unknown source ${String(never)}`
    }
  }
}

/** How many missed daily digests the daemon writes after downtime. */
const DIGEST_CATCH_UP_DAYS = 7

/**
 * One scheduled job, the same code path the CLI uses, recorded in job_runs so downtime and failures are
 * visible in `status` and the daemon can catch up.
 */
export async function runJob(ctx: AppContext, job: JobName, signal?: AbortSignal): Promise<unknown> {
  const id = startJobRun(ctx.db, job, ctx.now().getTime())
  try {
    const detail = await jobBody(ctx, job, signal)
    finishJobRun(ctx.db, id, 'ok', detail, ctx.now().getTime())
    return detail
  } catch (e) {
    finishJobRun(ctx.db, id, 'failed', { error: (e as Error).message }, ctx.now().getTime())
    throw e
  }
}

async function jobBody(ctx: AppContext, job: JobName, signal?: AbortSignal): Promise<unknown> {
  switch (job) {
    case 'collect': {
      const out: Record<string, unknown> = {}
      for (const source of ctx.config.sources.enabled) {
        // Jetstream is a stream, not a poll: the daemon keeps it running alongside the schedules. Its posts
        // carry no counts: they come from the public getPosts, which needs no login.
        if (source === 'jetstream') {
          if (!ctx.config.sources.enabled.includes('bluesky') || sourceUnavailable(ctx, 'bluesky')) {
            const refresh = await refreshEngagement(ctx, 'bluesky', signal)
            out['bluesky-refresh'] = { run: refresh.runId, status: refresh.status, updated: refresh.stats.duplicates, deleted: refresh.stats.deletions }
          }
          continue
        }
        const why = sourceUnavailable(ctx, source)
        if (why) {
          out[source] = { skipped: why }
          continue
        }
        const r = await collect(ctx, { source, signal })
        out[source] = { run: r.runId, status: r.status, new: r.stats.newPosts }
        // Fresh counts for the posts the digests show; cheap when nothing is stale.
        if (source === 'x' || source === 'bluesky') {
          const refresh = await refreshEngagement(ctx, source, signal)
          out[`${source}-refresh`] = { run: refresh.runId, status: refresh.status, updated: refresh.stats.duplicates, deleted: refresh.stats.deletions }
        }
      }
      return out
    }
    case 'classify':
      return await classify(ctx, { signal })
    case 'alerts': {
      const fired = checkAlerts(ctx)
      const sent = await deliverAlerts(ctx, fired, { signal })
      // Deliveries that failed earlier (alerts or digests) come due here: every alert check is also a retry round.
      const retried = await retryPending(ctx, { signal })
      return { alerts: fired.map((a) => a.id), deliveries: sent.map(summary), retried: retried.map(summary) }
    }
    case 'digest': {
      const out = []
      for (const date of missingDigestDays(ctx)) {
        let made = makeDigests(ctx, { date })
        if (ctx.config.digest.deliver) made = await deliverDigests(ctx, made, { signal })
        out.push(made.map((d) => ({ topic: d.topic, date: d.date, files: d.files, deliveries: d.deliveries.map(summary) })))
      }
      return out
    }
    default: {
      const never: never = job
      throw new Error(`unknown job ${String(never)}`)
    }
  }
}

const summary = (d: DeliveryResult) => `${d.key} ${d.channel}:${d.status}`

/** Yesterday, plus any of the previous days whose digest was never written (the daemon was down). */
export function missingDigestDays(ctx: AppContext): string[] {
  const zone = ctx.config.timezone
  const last = yesterday(ctx.now(), zone)
  const done = new Set(ctx.config.topics.flatMap((t) => digestDays(ctx.db, t.id)))
  const days: string[] = []
  for (let i = DIGEST_CATCH_UP_DAYS - 1; i >= 0; i--) {
    const d = DateTime.fromISO(last, { zone }).minus({ days: i }).toISODate()!
    if (i === 0 || (!done.has(d) && done.size > 0)) days.push(d)
  }
  return days
}
