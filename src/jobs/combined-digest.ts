import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import type { AppContext } from '../context.js'
import { buildCombinedFacts, type CombinedFacts } from '../digest/combined.js'
import { renderCombinedHtml } from '../digest/combined-html.js'
import { renderCombinedMarkdown } from '../digest/combined-markdown.js'
import { COMBINED_ID, combinedMessage, combinedUrl } from '../digest/combined-message.js'
import { renderCombinedPlain } from '../digest/combined-text.js'
import { ConfigError } from '../domain/errors.js'
import type { DeliveryResult } from '../domain/message.js'
import { deliver } from '../notify/deliver.js'
import { digestDeliveredAt, markDigestDelivered, saveDigest, storedDigests, type DigestListing } from '../store/digests.js'

export const COMBINED_DIR = 'combined'

export interface CombinedResult {
  date: string
  posts: number
  files: string[]
  deliveries: DeliveryResult[]
  facts: CombinedFacts
}

/**
 * Write the combined digest of a day beside the topics' own (combined/digest-DATE.*), from the topics'
 * digests of that day as stored: write those first. A topic without one that day is listed as such.
 */
export function makeCombinedDigest(ctx: AppContext, o: { date: string; outDir?: string }): CombinedResult {
  if (ctx.config.topics.some((t) => t.id === COMBINED_DIR)) {
    throw new ConfigError([
      {
        file: ctx.configFile,
        key: 'topics[].id',
        message: `a topic is called "${COMBINED_DIR}", the name of the combined digest's folder`,
        fix: `rename the topic, or set digest.combined: false and leave out --combined`,
      },
    ])
  }
  const dir = path.join(path.resolve(o.outDir ?? ctx.config.digest.out_dir), COMBINED_DIR)
  const facts = buildCombinedFacts(ctx.db, ctx.config.topics, o.date, ctx.config.timezone, ctx.now(), dir)
  mkdirSync(dir, { recursive: true })
  const files = ctx.config.digest.formats.map((format) => {
    const file = path.join(dir, `digest-${o.date}.${format}`)
    const content = format === 'md' ? renderCombinedMarkdown(facts) : format === 'html' ? renderCombinedHtml(facts) : `${JSON.stringify(facts, null, 2)}\n`
    writeFileSync(file, content)
    return file
  })
  // Recorded like a topic's digest (under an id no topic can have): the dashboard lists it from the database.
  saveDigest(ctx.db, { topicId: COMBINED_ID, day: o.date, timezone: ctx.config.timezone, generatedAt: ctx.now().getTime(), facts, files })
  ctx.log.info({ date: o.date, files }, 'combined digest written')
  return { date: o.date, posts: facts.posts, files, deliveries: [], facts }
}

/** Send the combined digest as a digest through the channels; a channel that already sent that day's sends it again only when forced. */
export async function deliverCombinedDigest(ctx: AppContext, r: CombinedResult, o: { force?: boolean; signal?: AbortSignal } = {}): Promise<CombinedResult> {
  const f = r.facts
  const title = `All topics: digest for ${f.date}`
  const message = combinedMessage(
    f,
    { html: renderCombinedHtml(f), text: renderCombinedPlain(f, title), markdown: renderCombinedMarkdown(f) },
    combinedUrl(ctx.config.notify.public_url, f.date),
  )
  r.deliveries = await deliver(ctx, message, { force: o.force, signal: o.signal })
  if (r.deliveries.some((d) => d.status === 'sent') && (o.force || digestDeliveredAt(ctx.db, COMBINED_ID, f.date) === null))
    markDigestDelivered(ctx.db, COMBINED_ID, f.date, ctx.now().getTime(), f)
  return r
}

/** The combined digests written, newest day first: the dashboard's "All topics" archive. */
export function storedCombinedDigests(ctx: AppContext): DigestListing[] {
  return storedDigests(ctx.db, COMBINED_ID)
}
