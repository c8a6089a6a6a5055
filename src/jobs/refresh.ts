import type { AppContext } from '../context.js'
import type { PostDeletion } from '../domain/post.js'
import { normalizePayload } from '../normalize/index.js'
import { arr, isObj, str } from '../normalize/shape.js'
import { archivePayload } from '../sources/archive.js'
import { StoppedError } from '../util/wait.js'
import { RateLimitedError, UnavailableError } from '../sources/errors.js'
import { addReads, readsSoFar } from '../store/reads.js'
import { postsToRefresh } from '../store/refresh.js'
import { bskyApi } from './collect-bluesky.js'
import { xApi } from './collect-x.js'
import { refreshObserved } from './ingest.js'
import { RunRecorder, type RunResult } from './run-recorder.js'

const X_LOOKUP_BATCH = 100
const BSKY_LOOKUP_BATCH = 25

/**
 * Fresh engagement counts for the posts the digests show: each topic's most engaged recent posts whose
 * counts are older than `every_hours`. X through tweet lookup (billed, within the topic's budget), Bluesky
 * through the public getPosts. A post the platform no longer returns is marked deleted, not dropped.
 */
export async function refreshEngagement(ctx: AppContext, platform: 'x' | 'bluesky', signal?: AbortSignal, onlyTopic?: string): Promise<RunResult> {
  const cfg = ctx.config.sources[platform].refresh
  const run = new RunRecorder(ctx, `${platform}-refresh`, [`top ${cfg.top_posts} posts of the last ${cfg.days} days per topic`])
  const now = ctx.now().getTime()
  const x = platform === 'x' ? xApi(ctx, signal) : null
  const bsky = platform === 'bluesky' ? bskyApi(ctx, signal) : null
  try {
    for (const topic of ctx.config.topics.filter((t) => onlyTopic === undefined || t.id === onlyTopic)) {
      const ids = postsToRefresh(ctx.db, topic.id, platform, now - cfg.days * 86_400_000, now - cfg.every_hours * 3_600_000, cfg.top_posts)
      const size = platform === 'x' ? X_LOOKUP_BATCH : BSKY_LOOKUP_BATCH
      for (let i = 0; i < ids.length; i += size) {
        if (signal?.aborted) throw new StoppedError()
        const batch = ids.slice(i, i + size)
        const day = ctx.now().toISOString().slice(0, 10)
        if (x) {
          const used = readsSoFar(ctx.db, day, topic.id, 'x')
          const left = Math.min(topic.budget.x_daily_post_reads - used.day, topic.budget.x_monthly_post_reads - used.month)
          if (left < batch.length) {
            run.note(`${topic.id}: engagement refresh stopped at the post-read budget`)
            break
          }
        }
        const body = x ? await x.lookup(batch) : (await bsky!.getPosts(batch)).body
        archivePayload(ctx.config.sources.archive_dir, platform, body, ctx.now().getTime())
        const normalized = normalizePayload(body)
        if (!normalized) {
          run.skip(`${platform}: unreadable lookup response`)
          continue
        }
        const returned = new Set(normalized.posts.map((p) => p.platformId))
        const gone: PostDeletion[] = missing(platform, body, batch, returned).map((id) => ({ platform, platformId: id, deletedAt: ctx.now().toISOString() }))
        const reads = platform === 'x' ? normalized.posts.length : 0
        const r = refreshObserved(ctx, [normalized], gone, { source: `${platform}-refresh`, query: null }, (db) => addReads(db, day, topic.id, 'x', reads))
        run.page(
          {
            fetched: normalized.posts.length,
            newPosts: 0,
            duplicates: r.updated,
            offTopic: 0,
            skipped: normalized.skipped.length,
            ignored: 0,
            deletions: r.deleted,
            edits: 0,
            skipReasons: {},
          },
          reads,
        )
      }
    }
    run.setApi((x ?? bsky)!.stats, platform === 'x' ? ctx.config.sources.x.cost_per_post_usd : 0)
    return run.finish('ok', run.notes.join('; ') || null)
  } catch (e) {
    run.setApi((x ?? bsky)!.stats, platform === 'x' ? ctx.config.sources.x.cost_per_post_usd : 0)
    if (e instanceof StoppedError || e instanceof RateLimitedError || e instanceof UnavailableError) return run.finish('partial', e.message)
    run.fail(e)
    throw e
  }
}

/**
 * Which requested posts are gone. X names them in `errors` (resource-not-found); Bluesky leaves them out.
 * An X post withheld for other reasons (suspended author, protected) is not called deleted.
 */
function missing(platform: 'x' | 'bluesky', body: unknown, requested: string[], returned: Set<string>): string[] {
  if (platform === 'bluesky') return requested.filter((id) => !returned.has(id))
  const notFound = new Set(
    arr(isObj(body) ? body.errors : undefined)
      .filter(isObj)
      .filter((e) => (str(e.type) ?? '').endsWith('resource-not-found') || e.title === 'Not Found Error')
      .map((e) => str(e.resource_id) ?? str(e.value))
      .filter((id): id is string => !!id),
  )
  return requested.filter((id) => !returned.has(id) && notFound.has(id))
}
