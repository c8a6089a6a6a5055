import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'
import { scrubSecrets } from '../util/secrets.js'
import { sleep } from '../util/wait.js'
import {
  beginDelivery,
  dueDeliveries,
  findDelivery,
  markFailed,
  markSent,
  markSkipped,
  recordAttempt,
  saveProgress,
  type Delivery,
} from '../store/deliveries.js'
import { ChannelError, type Channel } from './channel.js'
import { buildChannels } from './channels/index.js'
import type { DeliveryResult, Message } from '../domain/message.js'
import { leaseMs, MAX_INLINE_WAIT_MS, nextRoundAt, pauseBeforeRetry } from './retry.js'

export interface DeliverOptions {
  /** Only these channel ids (each must be configured); default: every channel that takes this kind. */
  channels?: string[]
  /** Send even where this key was already sent. */
  force?: boolean
  /** Stops waiting between tries; what was recorded stays, and the daemon retries the rest later. */
  signal?: AbortSignal
}

/**
 * Send a message through the configured channels, all at once, and record each outcome. A channel that
 * already sent this key is skipped (unless `force`), one whose secret is not set is recorded as skipped
 * with the reason. Otherwise up to `notify.retry.attempts` tries with backoff (a 429's Retry-After
 * honoured); a round that still fails is left `failed` with a time for retryPending. Never throws for a
 * channel's failure: the results say what happened. `attempts` in a result counts this call's tries.
 */
export async function deliver(ctx: AppContext, message: Message, opts: DeliverOptions = {}): Promise<DeliveryResult[]> {
  const all = buildChannels(ctx)
  let chosen = all.filter((c) => c.accepts.has(message.kind))
  if (opts.channels) {
    const unknown = opts.channels.filter((id) => !all.some((c) => c.id === id))
    if (unknown.length) {
      throw new UsageError(
        `no notify channel ${unknown.map((id) => `"${id}"`).join(', ')} in ${ctx.configFile}; configured: ${all.map((c) => c.id).join(', ') || '(none)'}`,
      )
    }
    chosen = all.filter((c) => opts.channels!.includes(c.id))
  }
  return Promise.all(chosen.map((c) => deliverTo(ctx, c, message, opts)))
}

async function deliverTo(ctx: AppContext, channel: Channel, message: Message, opts: DeliverOptions): Promise<DeliveryResult> {
  const result = (status: DeliveryResult['status'], attempts: number, error?: string): DeliveryResult => ({
    channel: channel.id,
    key: message.key,
    status,
    attempts,
    ...(error ? { error } : {}),
  })
  if (!channel.accepts.has(message.kind)) return result('skipped', 0, `this channel does not take ${message.kind}s (its \`send\` setting)`)
  const now = ctx.now().getTime()
  const prior = findDelivery(ctx.db, message.key, channel.id)
  if (prior && !opts.force) {
    if (prior.status === 'sent') return result('skipped', 0, `already sent ${new Date(prior.deliveredAt ?? prior.updatedAt).toISOString()}`)
    if (prior.status === 'pending' && (prior.nextAttemptAt ?? 0) > now) return result('skipped', 0, 'being delivered by another run')
  }
  if (channel.unavailable) {
    markSkipped(ctx.db, { message, channelId: channel.id, at: now, reason: channel.unavailable })
    ctx.log.warn({ channel: channel.id, key: message.key, reason: channel.unavailable }, 'notify channel skipped')
    return result('skipped', 0, channel.unavailable)
  }
  // A thread half-posted by a failed round is continued, not posted again; a new delivery starts afresh.
  const keepProgress = prior?.status === 'failed' || prior?.status === 'pending'
  const row = beginDelivery(ctx.db, { message, channelId: channel.id, at: now, leaseUntil: now + lease(ctx), keepProgress })
  return runRound(ctx, channel, row, message, opts.signal)
}

/**
 * Retry every failed delivery whose time has come (and any a crash left pending), from the stored
 * payload. A channel that fails again in this pass is not tried for its other messages until the next
 * pass: one dead receiver costs one round, not one per message. The daemon calls this on a schedule.
 */
export async function retryPending(ctx: AppContext, opts: { signal?: AbortSignal; limit?: number } = {}): Promise<DeliveryResult[]> {
  const channels = new Map(buildChannels(ctx).map((c) => [c.id, c]))
  const failing = new Set<string>()
  const results: DeliveryResult[] = []
  for (const d of dueDeliveries(ctx.db, ctx.now().getTime(), opts.limit ?? 100)) {
    if (opts.signal?.aborted) break
    if (failing.has(d.channelId)) continue
    const now = ctx.now().getTime()
    const channel = channels.get(d.channelId)
    const reason = channel ? channel.unavailable : `channel "${d.channelId}" is no longer in the config`
    if (!channel || reason) {
      markSkipped(ctx.db, { message: d.message, channelId: d.channelId, at: now, reason: reason! })
      results.push({ channel: d.channelId, key: d.messageKey, status: 'skipped', attempts: 0, error: reason! })
      continue
    }
    const row = beginDelivery(ctx.db, { message: d.message, channelId: d.channelId, at: now, leaseUntil: now + lease(ctx), keepProgress: true })
    const r = await runRound(ctx, channel, row, d.message, opts.signal)
    if (r.status === 'failed') failing.add(d.channelId)
    results.push(r)
  }
  return results
}

function lease(ctx: AppContext): number {
  return leaseMs(ctx.config.notify.retry, ctx.config.notify.timeout_seconds * 1000)
}

/** Up to `retry.attempts` tries, each recorded; ends sent, or failed with the time of the next round. */
async function runRound(ctx: AppContext, channel: Channel, row: Delivery, message: Message, signal?: AbortSignal): Promise<DeliveryResult> {
  const { retry, timeout_seconds } = ctx.config.notify
  const log = ctx.log.child({ channel: channel.id, key: message.key })
  let progress = row.progress
  let tries = 0
  let lastError: string
  let retryAfterMs: number | undefined
  for (;;) {
    tries++
    const stopOrTimeout = signal ? AbortSignal.any([signal, AbortSignal.timeout(timeout_seconds * 1000)]) : AbortSignal.timeout(timeout_seconds * 1000)
    let failure: ChannelError | null = null
    try {
      await channel.send(message, {
        signal: stopOrTimeout,
        progress,
        saveProgress: (p) => {
          progress = p
          saveProgress(ctx.db, row.id, p, ctx.now().getTime())
        },
        log,
      })
    } catch (e) {
      failure = e instanceof ChannelError ? e : new ChannelError(`${channel.type} ${channel.id}: ${e instanceof Error ? e.message : String(e)}`)
    }
    const at = ctx.now().getTime()
    if (!failure) {
      const n = recordAttempt(ctx.db, row.id, { at, ok: true, error: null })
      markSent(ctx.db, row.id, at)
      log.info({ attempt: n }, 'delivered')
      return { channel: channel.id, key: message.key, status: 'sent', attempts: tries }
    }
    lastError = scrubSecrets(failure.message)
    retryAfterMs = failure.retryAfterMs
    const n = recordAttempt(ctx.db, row.id, { at, ok: false, error: lastError })
    log.warn({ attempt: n, error: lastError, status: failure.status }, 'delivery attempt failed')
    if (failure.permanent || tries >= retry.attempts || signal?.aborted) break
    const pause = retryAfterMs ?? pauseBeforeRetry(tries - 1, retry)
    if (pause > MAX_INLINE_WAIT_MS) break
    try {
      await sleep(pause, signal)
    } catch {
      break // asked to stop: the next retry pass takes over
    }
  }
  const now = ctx.now().getTime()
  const fresh = findDelivery(ctx.db, message.key, channel.id)
  const next = signal?.aborted ? now : nextRoundAt({ now, failingSince: fresh?.failingSince ?? null, retry, retryAfterMs })
  markFailed(ctx.db, row.id, { at: now, error: lastError, nextAttemptAt: next })
  log.error(
    { attempts: tries, error: lastError, nextAttemptAt: next === null ? null : new Date(next).toISOString() },
    next === null ? 'delivery failed; giving up' : 'delivery failed; will retry later',
  )
  return { channel: channel.id, key: message.key, status: 'failed', attempts: tries, error: lastError }
}
