import type { AppContext } from '../context.js'
import { TopicTerms } from '../match/topic-terms.js'
import { normalizePayload, type Normalized } from '../normalize/index.js'
import { frameTimeUs, plainNewPostText } from '../sources/jetstream/frame.js'
import { JetstreamStream } from '../sources/jetstream/stream.js'
import { getCursor, setCursor } from '../store/cursors.js'
import { markGapRepaired, recordGap } from '../store/gaps.js'
import { backfill } from './backfill.js'
import { commitPrepared, prepareBatch } from './ingest.js'
import { RunRecorder, type RunResult } from './run-recorder.js'
import { preloadLanguageIdentifier } from '../text/detect-lang.js'

export const JETSTREAM_CURSOR = { source: 'jetstream', key: 'subscribe' } as const

export interface JetstreamRunOptions {
  /** Stop after this long (seconds); default: until the signal. */
  durationS?: number
  signal?: AbortSignal
  /** Called after each stored batch: for progress lines and tests. */
  onBatch?: (info: { events: number; cursorUs: number | null; lagMs: number | null; buffered: number }) => void
  /** Each connection opened, and each attempt that failed: the daemon's view of the stream's health. */
  onConnect?: () => void
  onConnectFailed?: (error: string) => void
}

export interface JetstreamRunResult extends RunResult {
  events: number
  cursorUs: number | null
  lagMs: number | null
  connections: number
  reconnects: number
  pauses: number
  maxBuffered: number
  gaps: { from: string; to: string; repaired: boolean }[]
}

/**
 * Follow the Bluesky network through Jetstream. Every event is matched locally (Jetstream has no text
 * filter); a batch of events, its posts, deletions and edits, and the cursor that covers them are stored
 * in one transaction. Reconnects resume from the stored cursor minus a margin. An outage longer than the
 * service's lookback is a coverage gap, repaired by a bounded Bluesky search when credentials exist.
 */
export async function consumeJetstream(ctx: AppContext, o: JetstreamRunOptions = {}): Promise<JetstreamRunResult> {
  const cfg = ctx.config.sources.jetstream
  // The stream's on-topic posts get their language from eld: its tables are read before the first event, so
  // their one-off parsing does not land on top of a full stream buffer (the consumer's peak memory).
  preloadLanguageIdentifier()
  const run = new RunRecorder(ctx, 'jetstream', [`${ctx.env.jetstreamUrl} wantedCollections=${cfg.wanted_collections.join(',')}`])
  const stop = new AbortController()
  const onAbort = () => stop.abort()
  o.signal?.addEventListener('abort', onAbort, { once: true })
  const timer = o.durationS !== undefined ? setTimeout(() => stop.abort(), o.durationS * 1000) : null
  const gaps: JetstreamRunResult['gaps'] = []
  const repairs: Promise<void>[] = []
  let cursorUs = storedCursor(ctx)
  let events = 0
  let lagMs: number | null = null

  const stream = new JetstreamStream({
    url: ctx.env.jetstreamUrl,
    wantedCollections: cfg.wanted_collections,
    resumeFrom: () => {
      // Before each (re)connect: a cursor older than the service keeps is a hole that replay cannot fill.
      const stored = storedCursor(ctx)
      const oldest = ctx.now().getTime() * 1000 - cfg.lookback_hours * 3_600_000_000
      if (stored !== null && stored < oldest) {
        const gap = { from: Math.floor(stored / 1000), to: Math.floor(oldest / 1000) }
        // The hole is recorded and the cursor moved to its end together: it is reported once, not per retry.
        const id = ctx.db.transaction(() => {
          setCursor(ctx.db, { ...JETSTREAM_CURSOR, value: String(oldest) }, ctx.now().getTime())
          return recordGap(
            ctx.db,
            { source: 'jetstream', startAt: gap.from, endAt: gap.to, reason: `Jetstream was unreachable for longer than its ${cfg.lookback_hours} h lookback` },
            ctx.now().getTime(),
          )
        })()
        gaps.push({ from: new Date(gap.from).toISOString(), to: new Date(gap.to).toISOString(), repaired: false })
        ctx.log.warn({ from: gaps.at(-1)!.from, to: gaps.at(-1)!.to }, 'Jetstream coverage gap: events older than the lookback are gone')
        repairs.push(repairGap(ctx, id, gap, gaps.at(-1)!, stop.signal))
        return oldest
      }
      return stored
    },
    marginUs: cfg.cursor_margin_seconds * 1_000_000,
    maxBuffered: cfg.max_buffered_events,
    resumeBelow: Math.floor(cfg.max_buffered_events / 4),
    reconnectBaseMs: cfg.reconnect_base_ms,
    reconnectCapMs: cfg.reconnect_cap_ms,
    log: ctx.log,
    signal: stop.signal,
    onConnect: (info) => {
      ctx.log.info({ source: 'jetstream', cursorUs: info.cursorUs, attempt: info.attempt, downMs: info.downMs }, 'Jetstream connected')
      o.onConnect?.()
    },
    onConnectFailed: (info) => o.onConnectFailed?.(info.error),
  })

  const terms = new TopicTerms(ctx.config.topics)
  stream.start()
  try {
    while (!stop.signal.aborted) {
      const batch = await stream.take(cfg.batch_max_events, cfg.batch_max_wait_ms)
      if (batch.length === 0) continue
      const normalized: Normalized[] = []
      let maxUs = cursorUs ?? 0
      let skippedUnread = 0
      for (const text of batch) {
        const plain = plainNewPostText(text)
        if (plain !== null && !terms.mayMatch(plain)) {
          // A new post no topic can match: counted, its time advances the cursor, nothing else to do.
          skippedUnread++
          const t = frameTimeUs(text)
          if (t !== null && t > maxUs) maxUs = t
          continue
        }
        let payload: unknown
        try {
          payload = JSON.parse(text)
        } catch {
          run.skip('jetstream: message is not valid JSON')
          continue
        }
        const n = normalizePayload(payload)
        if (!n || n.kind !== 'jetstream') {
          run.skip('jetstream: message is not a Jetstream event')
          continue
        }
        if (n.streamTimeUs !== null && n.streamTimeUs > maxUs) maxUs = n.streamTimeUs
        normalized.push(n)
      }
      events += batch.length
      // The batch and the cursor that covers it, in one transaction: a crash never separates them.
      const prepared = prepareBatch(ctx.topics, normalized)
      prepared.stats.fetched += skippedUnread
      prepared.stats.offTopic += skippedUnread
      const stats = commitPrepared(ctx, prepared, { source: 'jetstream', query: null }, maxUs > 0 ? { ...JETSTREAM_CURSOR, value: String(maxUs) } : undefined)
      if (maxUs > 0) cursorUs = maxUs
      lagMs = cursorUs === null ? null : Math.max(0, ctx.now().getTime() - Math.floor(cursorUs / 1000))
      run.page(stats)
      o.onBatch?.({ events: batch.length, cursorUs, lagMs, buffered: stream.stats.buffered })
    }
  } catch (e) {
    await stream.stop()
    run.fail(e)
    throw e
  } finally {
    if (timer) clearTimeout(timer)
    o.signal?.removeEventListener('abort', onAbort)
  }
  await stream.stop()
  await Promise.allSettled(repairs)
  if (lagMs !== null && lagMs > 60_000) run.note(`behind the live stream by ${(lagMs / 1000).toFixed(0)} s when it stopped`)
  // A stream that never connected collected nothing: it failed, whatever the reason it stopped.
  const never = stream.stats.connections === 0
  if (never) run.error(`never connected to ${ctx.env.jetstreamUrl} (${stream.stats.failedConnects} attempts; last error: ${stream.stats.lastError ?? 'none'})`)
  const result = never ? run.finish('failed', run.errors.at(-1)!) : run.finish('ok', run.notes.length ? run.notes.join('; ') : null)
  return {
    ...result,
    events,
    cursorUs,
    lagMs,
    connections: stream.stats.connections,
    reconnects: stream.stats.reconnects,
    pauses: stream.stats.pauses,
    maxBuffered: stream.stats.maxBuffered,
    gaps,
  }
}

function storedCursor(ctx: AppContext): number | null {
  const v = getCursor(ctx.db, JETSTREAM_CURSOR.source, JETSTREAM_CURSOR.key)
  return v === null ? null : Number(v)
}

/**
 * Fill a Jetstream gap through Bluesky search: the most recent `repair_max_hours` of it, when credentials
 * exist. The gap stays recorded; it is marked repaired only when the backfill finished.
 */
async function repairGap(
  ctx: AppContext,
  gapId: number,
  gap: { from: number; to: number },
  report: JetstreamRunResult['gaps'][number],
  signal: AbortSignal,
): Promise<void> {
  const cfg = ctx.config.sources.jetstream
  if (!ctx.env.bluesky.identifier || !ctx.env.bluesky.appPassword || cfg.repair_max_hours <= 0) {
    ctx.log.warn({ gap: report }, 'Jetstream gap not repaired: set BSKY_IDENTIFIER and BSKY_APP_PASSWORD to fill gaps through Bluesky search')
    return
  }
  const since = Math.max(gap.from, gap.to - cfg.repair_max_hours * 3_600_000)
  try {
    const r = await backfill(ctx, { source: 'bluesky', since, until: gap.to, signal })
    if (r.status === 'ok' && since === gap.from) {
      markGapRepaired(ctx.db, gapId, ctx.now().getTime())
      report.repaired = true
    }
    ctx.log.info({ gap: report, run: r.runId, status: r.status, newPosts: r.stats.newPosts }, 'Jetstream gap backfilled through Bluesky search')
  } catch (e) {
    ctx.log.warn({ gap: report, error: (e as Error).message }, 'Jetstream gap repair failed; the gap stays recorded')
  }
}
