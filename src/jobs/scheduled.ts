import { DateTime } from 'luxon'
import type { AppContext } from '../context.js'
import { retryPending } from '../notify/deliver.js'
import type { DeliveryResult } from '../domain/message.js'
import { labelProgressText } from '../domain/stance.js'
import { digestDays } from '../store/digests.js'
import { finishJobRun, startJobRun, type JobTrigger } from '../store/runs.js'
import { firstCollectedAt } from '../store/topic-coverage.js'
import { checkAlerts, deliverAlerts } from './alerts.js'
import { classify } from './classify.js'
import { retrainIfDue } from './retrain.js'
import { collect, type SourceName } from './collect.js'
import { runnableSources, sourceUnavailable, type JobName } from './job-names.js'
import { deliverDigests, makeDigests, yesterday } from './digest.js'
import { COMBINED_DIR, deliverCombinedDigest, makeCombinedDigest } from './combined-digest.js'
import { describeHolder, LeaseBusyError, withJobLease } from './leases.js'
import { checkSilence, noteOutcome, type Subject } from './ops-health.js'
import { combineOutcomes, type JobOutcome, type PartOutcome } from './outcome.js'
import { thisProcess } from './process-identity.js'
import { refreshEngagement } from './refresh.js'
import { rotateArchives } from './rotate-archives.js'

export interface RunJobOptions {
  signal?: AbortSignal
  trigger?: JobTrigger
  /** The scheduled slot this run is for. */
  slotAt?: number | null
}

/**
 * One run of a job, the same code path the CLI uses, recorded in job_runs with how it ended and why. A job
 * another process is running (a person's command, or a second daemon's leftover) is skipped, never
 * overlapped; each source of a collection is locked on its own.
 */
export async function runJob(ctx: AppContext, job: JobName, o: RunJobOptions = {}): Promise<JobOutcome> {
  const id = startJobRun(ctx.db, job, ctx.now().getTime(), thisProcess(), { trigger: o.trigger ?? 'manual', slotAt: o.slotAt ?? null })
  let outcome: JobOutcome
  try {
    outcome =
      job === 'collect'
        ? await collectJob(ctx, o.signal)
        : await withJobLease(ctx, job, { command: `stancewatch start (${job})` }, () => jobBody(ctx, job, o.signal))
  } catch (e) {
    outcome =
      e instanceof LeaseBusyError
        ? { status: 'skipped', reason: `another process is running it: ${describeHolder(e.holder, Date.now())}`, detail: null }
        : { status: 'failed', reason: (e as Error).message ?? String(e), detail: null }
    if (outcome.status === 'failed') ctx.log.error({ job, err: e }, 'job failed')
  }
  finishJobRun(ctx.db, id, outcome.status, outcome.reason, outcome.detail, ctx.now().getTime())
  if (job !== 'collect') await noteOutcome(ctx, `job:${job}`, outcome, { signal: o.signal })
  return outcome
}

async function jobBody(ctx: AppContext, job: Exclude<JobName, 'collect'>, signal?: AbortSignal): Promise<JobOutcome> {
  switch (job) {
    case 'classify': {
      // Enough new people's labels since the model: retrain first, and this run re-scores with the new model.
      const retrained = retrainIfDue(ctx).filter((c) => c.trained)
      const results = await classify(ctx, { signal })
      const n = results.reduce((s, r) => s + r.classified, 0)
      const note = retrained
        .map((c) =>
          c.trained!.decision.status === 'refused'
            ? `; retraining ${c.topicId} after ${c.newLabels} new labels refused (${c.trained!.decision.problems.join('; ')}): the previous model stays`
            : `; retrained ${c.topicId} after ${c.newLabels} new labels (${c.trained!.version})`,
        )
        .join('')
      // A new topic waiting for people's labels is a normal state: said in the reason, never a failure.
      const waiting = results
        .filter((r) => r.status === 'awaiting-labels')
        .map((r) => `; ${r.topicId}: stance not yet measured (labels so far ${labelProgressText({ counts: r.counts!, floor: r.floor! })})`)
        .join('')
      // A topic whose first model was refused is a failed part: all of them failing raises the operational alert.
      const refused = results.filter((r) => r.refused)
      // Cut short by the daemon's stop: said as every job says it, and the next run classifies the rest.
      const stopped = signal?.aborted ? '; stopped on request, the next run classifies the rest' : ''
      if (refused.length === 0) return { status: stopped ? 'partial' : 'ok', reason: `${n} posts classified${note}${waiting}${stopped}`, detail: results }
      return {
        status: refused.length === results.filter((r) => r.status !== 'awaiting-labels').length ? 'failed' : 'partial',
        reason: `${n} posts classified${note}${waiting}; ${refused.map((r) => `${r.topicId} has no model: its first model was refused (${r.refused!.join('; ')})`).join('; ')}`,
        detail: results,
      }
    }
    case 'alerts': {
      const fired = checkAlerts(ctx)
      const sent = await deliverAlerts(ctx, fired, { signal })
      // Deliveries that failed earlier (alerts, digests, operational alerts) come due here: every check is a retry round.
      const retried = await retryPending(ctx, { signal })
      await checkSilence(
        ctx,
        runnableSources(ctx).map((s): Subject => `source:${s}`),
        signal,
      )
      return withDeliveries(
        {
          status: 'ok',
          reason: `${fired.length} alert${fired.length === 1 ? '' : 's'} fired`,
          detail: { alerts: fired.map((a) => a.id), deliveries: sent.map(summary), retried: retried.map(summary) },
        },
        [...sent, ...retried],
      )
    }
    case 'digest':
      return digestJob(ctx, signal)
    case 'maintenance':
      return maintenanceJob(ctx)
    default: {
      const never: never = job
      throw new Error(`unknown job ${String(never)}`)
    }
  }
}

/**
 * Collect from every enabled source in turn. Each source's run ends on its own terms (a source without
 * credentials is skipped and says so) and feeds that source's health; the job's outcome combines them.
 */
async function collectJob(ctx: AppContext, signal?: AbortSignal): Promise<JobOutcome> {
  const parts: PartOutcome[] = []
  const enabled = ctx.config.sources.enabled
  for (const source of enabled) {
    if (signal?.aborted) break
    // Jetstream is a stream, not a poll: the daemon keeps it running beside the schedules. Its posts carry no
    // counts; they come from the public getPosts, which needs no login.
    if (source === 'jetstream') {
      if (!enabled.includes('bluesky') || sourceUnavailable(ctx, 'bluesky')) parts.push(await refreshPart(ctx, 'bluesky', signal))
      continue
    }
    const why = sourceUnavailable(ctx, source)
    const part = why ? { name: source, status: 'skipped' as const, reason: why } : await collectPart(ctx, source, signal)
    parts.push(part)
    await noteOutcome(ctx, `source:${source}`, part, { signal })
    // Fresh counts for the posts the digests show; cheap when nothing is stale.
    if ((source === 'x' || source === 'bluesky') && (part.status === 'ok' || part.status === 'partial')) parts.push(await refreshPart(ctx, source, signal))
  }
  return combineOutcomes(parts)
}

async function collectPart(ctx: AppContext, source: SourceName, signal?: AbortSignal): Promise<PartOutcome> {
  try {
    const r = await withJobLease(ctx, `collect:${source}`, { command: `stancewatch start (collect ${source})` }, () => collect(ctx, { source, signal }))
    return { name: source, status: r.status, reason: r.stopReason, run: r.runId, newPosts: r.stats.newPosts }
  } catch (e) {
    if (e instanceof LeaseBusyError)
      return { name: source, status: 'skipped', reason: `another process is collecting it: ${describeHolder(e.holder, Date.now())}` }
    ctx.log.error({ source, err: e }, 'collection failed')
    return { name: source, status: 'failed', reason: (e as Error).message ?? String(e) }
  }
}

async function refreshPart(ctx: AppContext, platform: 'x' | 'bluesky', signal?: AbortSignal): Promise<PartOutcome> {
  const name = `${platform}-refresh`
  try {
    const r = await withJobLease(ctx, `refresh:${platform}`, { command: 'stancewatch start (engagement refresh)' }, () =>
      refreshEngagement(ctx, platform, signal),
    )
    return { name, status: r.status, reason: r.stopReason, run: r.runId, updated: r.stats.duplicates, deleted: r.stats.deletions }
  } catch (e) {
    if (e instanceof LeaseBusyError) return { name, status: 'skipped', reason: 'another process is refreshing it' }
    return { name, status: 'failed', reason: (e as Error).message ?? String(e) }
  }
}

async function digestJob(ctx: AppContext, signal?: AbortSignal): Promise<JobOutcome> {
  const written: { topic: string; date: string; files: string[]; deliveries: string[] }[] = []
  const deliveries: DeliveryResult[] = []
  const waiting: string[] = []
  for (const topic of ctx.config.topics) {
    const days = missingDigestDays(ctx, topic.id)
    if (days === null) waiting.push(topic.id)
    for (const date of days ?? []) {
      let made = makeDigests(ctx, { date, topic: topic.id })
      if (ctx.config.digest.deliver) made = await deliverDigests(ctx, made, { signal })
      for (const d of made) {
        deliveries.push(...d.deliveries)
        written.push({ topic: d.topic, date: d.date, files: d.files, deliveries: d.deliveries.map(summary) })
      }
    }
  }
  // The combined digest of each day written, from the topics' digests of that day as now stored.
  const days = ctx.config.digest.combined ? [...new Set(written.map((w) => w.date))].sort() : []
  for (const date of days) {
    let c = makeCombinedDigest(ctx, { date })
    if (ctx.config.digest.deliver) c = await deliverCombinedDigest(ctx, c, { signal })
    deliveries.push(...c.deliveries)
    written.push({ topic: COMBINED_DIR, date, files: c.files, deliveries: c.deliveries.map(summary) })
  }
  if (written.length === 0) {
    const reason = waiting.length
      ? `nothing collected yet for ${waiting.join(', ')}: no digest before a topic's first collection`
      : 'every day is already written'
    return { status: 'skipped', reason, detail: [] }
  }
  return withDeliveries({ status: 'ok', reason: `${written.length} digest${written.length === 1 ? '' : 's'} written`, detail: written }, deliveries)
}

/** Compress yesterday's-and-older archive files and delete those past the retention (failures reported per file). */
async function maintenanceJob(ctx: AppContext): Promise<JobOutcome> {
  const { archive_dir: dir, archive_compress_after_days: compressAfterDays, archive_retention_days: retentionDays } = ctx.config.sources
  if (!dir) return { status: 'skipped', reason: 'sources.archive_dir is off', detail: null }
  const r = await rotateArchives(dir, ctx.now().getTime(), { compressAfterDays, retentionDays })
  for (const e of r.errors) ctx.log.warn({ dir }, e)
  const reason = `${r.compressed.length} archive file(s) compressed, ${r.deleted.length} deleted${r.errors.length ? `, ${r.errors.length} could not be handled` : ''}`
  return { status: r.errors.length ? 'partial' : 'ok', reason, detail: r }
}

/** A delivery that failed this round makes the run partial: it is retried at the next alerts check. */
function withDeliveries(o: JobOutcome, deliveries: DeliveryResult[]): JobOutcome {
  const failed = deliveries.filter((d) => d.status === 'failed')
  if (failed.length === 0) return o
  return {
    ...o,
    status: 'partial',
    reason: `${o.reason}; delivery failed on ${[...new Set(failed.map((d) => d.channel))].join(', ')} (retried at the next alerts check)`,
  }
}

const summary = (d: DeliveryResult) => `${d.key} ${d.channel}:${d.status}`

/**
 * The days whose digest the daemon writes for a topic: yesterday, and the days before it (up to
 * `daemon.digest_catch_up_days`) whose digest was never written because the daemon was down, but never a
 * day before the topic was first collected. Null while the topic has never been collected.
 */
export function missingDigestDays(ctx: AppContext, topicId: string): string[] | null {
  const first = firstCollectedAt(ctx.db, topicId)
  if (first === null) return null
  const zone = ctx.config.timezone
  const firstDay = DateTime.fromMillis(first, { zone }).toISODate()!
  const last = yesterday(ctx.now(), zone)
  const done = new Set(digestDays(ctx.db, topicId))
  const days: string[] = []
  for (let i = ctx.config.daemon.digest_catch_up_days - 1; i >= 0; i--) {
    const d = DateTime.fromISO(last, { zone }).minus({ days: i }).toISODate()!
    if (d >= firstDay && (i === 0 || !done.has(d))) days.push(d)
  }
  return days
}
