import type { AppContext } from '../context.js'
import { deliver } from '../notify/deliver.js'
import type { Message } from '../domain/message.js'
import { closeOpsAlert, health, openOpsAlert, recordFailure, recordNonRun, recordSuccess, type Health } from '../store/ops-health.js'
import type { FinalStatus } from '../store/runs.js'

/** What is watched: a source (`source:x`) or a scheduled job (`job:digest`). */
export type Subject = `source:${string}` | `job:${string}`

const NAMES: Record<string, string> = {
  'source:x': 'X collection',
  'source:bluesky': 'Bluesky search',
  'source:jetstream': 'the live Bluesky stream (Jetstream)',
  'source:replay': 'archive replay',
}

export function subjectName(subject: Subject): string {
  return NAMES[subject] ?? `the ${subject.slice(subject.indexOf(':') + 1)} job`
}

/**
 * Record how a run of a source or job ended, and tell the operator once when it keeps failing: after
 * `daemon.alert_after_failures` failed runs in a row (a stream: after it has been unreachable for
 * `alert_after_minutes_disconnected`), and once when it works again. Skipped and interrupted runs neither
 * break nor extend a streak.
 */
export async function noteOutcome(
  ctx: AppContext,
  subject: Subject,
  o: { status: FinalStatus; reason: string | null },
  opts: { stream?: boolean; signal?: AbortSignal } = {},
): Promise<void> {
  const at = ctx.now().getTime()
  if (o.status === 'ok' || o.status === 'partial') {
    const before = recordSuccess(ctx.db, subject, o.status, at)
    if (before?.alertKey) {
      closeOpsAlert(ctx.db, subject)
      await send(ctx, recovered(subject, before, at), opts.signal)
    }
    return
  }
  if (o.status !== 'failed') return recordNonRun(ctx.db, subject, o.status, at)
  const h = recordFailure(ctx.db, subject, at, o.reason ?? 'failed')
  const cfg = ctx.config.daemon
  const due = opts.stream ? at - (h.failingSince ?? at) >= cfg.alert_after_minutes_disconnected * 60_000 : h.consecutiveFailures >= cfg.alert_after_failures
  if (h.alertKey || !due) return
  const message = failing(subject, h, opts.stream ?? false)
  openOpsAlert(ctx.db, subject, message.key, at)
  await send(ctx, message, opts.signal)
}

/**
 * Sources that run but have not succeeded for `alert_after_hours_without_collection` raise one alert too: a
 * silent failure (a stream connected but delivering nothing, runs that never finish). A source whose last
 * run was skipped (budget spent, rate limited, no credentials) is not silent: `status` says why.
 */
export async function checkSilence(ctx: AppContext, subjects: readonly Subject[], signal?: AbortSignal): Promise<void> {
  const at = ctx.now().getTime()
  const limit = ctx.config.daemon.alert_after_hours_without_collection * 3_600_000
  for (const subject of subjects) {
    const h = health(ctx.db, subject)
    if (!h || h.alertKey || h.lastStatus === 'skipped') continue
    const since = h.lastOkAt ?? h.firstSeenAt
    if (at - since < limit) continue
    const message: Message = {
      kind: 'ops',
      key: `ops:${subject}:silent:${since}`,
      topicId: '',
      title: `stancewatch: no successful ${subjectName(subject)} for ${hours(at - since)}`,
      summary: [
        h.lastOkAt ? `Last success ${iso(h.lastOkAt)}.` : `Nothing has succeeded since it was first run, ${iso(h.firstSeenAt)}.`,
        ...(h.lastError ? [`Last error: ${h.lastError}`] : []),
        'Check `stancewatch status` on the server; a recovery is announced once.',
      ],
      posts: [],
      data: h,
    }
    openOpsAlert(ctx.db, subject, message.key, at)
    await send(ctx, message, signal)
  }
}

function failing(subject: Subject, h: Health, stream: boolean): Message {
  const since = h.failingSince ?? h.lastFailureAt ?? 0
  return {
    kind: 'ops',
    key: `ops:${subject}:${since}`,
    topicId: '',
    title: stream
      ? `stancewatch: ${subjectName(subject)} unreachable since ${iso(since)}`
      : `stancewatch: ${subjectName(subject)} failed ${h.consecutiveFailures} times in a row`,
    summary: [
      `Failing since ${iso(since)}.`,
      `Last error: ${h.lastError ?? 'unknown'}`,
      'Check `stancewatch status` on the server; a recovery is announced once.',
    ],
    posts: [],
    data: h,
  }
}

function recovered(subject: Subject, before: Health, at: number): Message {
  return {
    kind: 'ops',
    key: `${before.alertKey}:recovered`,
    topicId: '',
    title: `stancewatch: ${subjectName(subject)} works again`,
    summary: [
      before.failingSince
        ? `It had been failing since ${iso(before.failingSince)} (${before.consecutiveFailures} failed runs).`
        : `Last success before this one: ${before.lastOkAt ? iso(before.lastOkAt) : 'never'}.`,
      `Recovered ${iso(at)}.`,
    ],
    posts: [],
    data: { subject, recoveredAt: iso(at), before },
  }
}

async function send(ctx: AppContext, message: Message, signal?: AbortSignal): Promise<void> {
  ctx.log.warn({ ops: message.key }, message.title)
  await deliver(ctx, message, { signal })
}

const iso = (ms: number) => new Date(ms).toISOString()
const hours = (ms: number) => (ms >= 2 * 3_600_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 60_000)} min`)
