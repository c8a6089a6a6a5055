import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { DateTime } from 'luxon'
import type { AppContext } from '../context.js'
import { buildDigestFacts, type DigestFacts } from '../digest/facts.js'
import { renderHtml } from '../digest/html.js'
import { renderMarkdown } from '../digest/markdown.js'
import { digestMessage, digestUrl } from '../digest/message.js'
import { renderPlainText } from '../digest/plain.js'
import { deliver } from '../notify/deliver.js'
import type { DeliveryResult } from '../domain/message.js'
import { digestDeliveredAt, markDigestDelivered, saveDigest } from '../store/digests.js'
import { stanceState } from './stance-state.js'
import { topicById } from './topics.js'

export interface DigestResult {
  topic: string
  date: string
  empty: boolean
  posts: number
  files: string[]
  /** When the day was first delivered (ISO), if it was. */
  deliveredAt: string | null
  deliveries: DeliveryResult[]
  facts: DigestFacts
}

export interface DigestOptions {
  /** YYYY-MM-DD in the configured zone; default: yesterday there. */
  date?: string
  topic?: string
  outDir?: string
}

/** The day before `now` in the zone: what the morning digest covers. */
export function yesterday(now: Date, zone: string): string {
  return DateTime.fromJSDate(now, { zone }).minus({ days: 1 }).toISODate()!
}

/**
 * Build the digest of a day for each topic and write it as Markdown, HTML and JSON. Rebuilding a day
 * overwrites its files and record (numbers may have changed since); it delivers nothing by itself.
 */
export function makeDigests(ctx: AppContext, opts: DigestOptions = {}): DigestResult[] {
  const zone = ctx.config.timezone
  const date = opts.date ?? yesterday(ctx.now(), zone)
  const topics = topicById(ctx, opts.topic)
  const outDir = path.resolve(opts.outDir ?? ctx.config.digest.out_dir)
  const several = ctx.config.topics.length > 1
  return topics.map((topic) => {
    const state = stanceState(ctx, topic)
    const awaiting = state.status === 'awaiting-labels' ? { counts: state.counts, floor: state.floor } : null
    const facts = buildDigestFacts(ctx.db, topic, date, zone, ctx.now(), ctx.config.digest.top_posts, awaiting)
    const dir = several ? path.join(outDir, topic.id) : outDir
    mkdirSync(dir, { recursive: true })
    const files: string[] = []
    for (const format of ctx.config.digest.formats) {
      const file = path.join(dir, `digest-${date}.${format}`)
      const content = format === 'md' ? renderMarkdown(facts) : format === 'html' ? renderHtml(facts) : `${JSON.stringify(facts, null, 2)}\n`
      writeFileSync(file, content)
      files.push(file)
    }
    saveDigest(ctx.db, { topicId: topic.id, day: date, timezone: zone, generatedAt: ctx.now().getTime(), facts, files })
    ctx.log.info({ topic: topic.id, date, files }, 'digest written')
    const delivered = digestDeliveredAt(ctx.db, topic.id, date)
    return {
      topic: topic.id,
      date,
      empty: facts.empty,
      posts: facts.volume.total,
      files,
      deliveredAt: delivered ? new Date(delivered).toISOString() : null,
      deliveries: [],
      facts,
    }
  })
}

/**
 * Send built digests through the configured channels. A day already delivered is not sent again unless
 * `force` (each channel remembers what it sent); every attempt is recorded by notify, failures retried.
 */
export async function deliverDigests(ctx: AppContext, results: DigestResult[], o: { force?: boolean; signal?: AbortSignal } = {}): Promise<DigestResult[]> {
  const several = ctx.config.topics.length > 1
  for (const r of results) {
    const f = r.facts
    const message = digestMessage(
      f,
      { html: renderHtml(f), text: renderPlainText(f), markdown: renderMarkdown(f) },
      digestUrl(ctx.config.notify.public_url, r.topic, r.date, several),
    )
    r.deliveries = await deliver(ctx, message, { force: o.force, signal: o.signal })
    if (r.deliveries.some((d) => d.status === 'sent')) {
      const at = ctx.now().getTime()
      if (!r.deliveredAt || o.force) markDigestDelivered(ctx.db, r.topic, r.date, at, f)
      r.deliveredAt ??= new Date(at).toISOString()
    }
  }
  return results
}
