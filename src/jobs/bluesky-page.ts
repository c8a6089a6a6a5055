import type { AppContext } from '../context.js'
import { normalizePayload, type Normalized } from '../normalize/index.js'
import { isObj, parseIsoMs } from '../normalize/shape.js'
import { archivePayload } from '../sources/archive.js'
import type { BskyApi } from '../sources/bluesky/client.js'
import type { BskyPage, BskyPass } from '../sources/bluesky/pagination.js'
import type { BskyQuery } from '../sources/bluesky/queries.js'
import type { RunRecorder } from './run-recorder.js'

export interface BskyPageRead {
  normalized: Normalized
  /** What the page tells pagination: counts, newest and oldest sortAt, the next cursor. */
  page: BskyPage
}

/** One `sort=latest` search page at a pass's position, archived as received; null when it cannot be read. */
export async function readBskyPage(ctx: AppContext, api: BskyApi, q: BskyQuery, run: RunRecorder, pass: BskyPass): Promise<BskyPageRead | null> {
  const res = await api.searchPosts({
    ...q.params,
    sort: 'latest',
    since: pass.since,
    until: pass.until,
    cursor: pass.cursor,
    limit: ctx.config.sources.bluesky.limit,
  })
  archivePayload(ctx.config.sources.archive_dir, 'bluesky', res.raw, ctx.now().getTime())
  if (res.invalid) run.skip('bluesky: post failed lexicon validation', res.invalid)
  const normalized = normalizePayload(res.body)
  if (!normalized) {
    run.skip('bluesky: unreadable search page')
    return null
  }
  const times = res.body.posts.map(sortAt).filter((t): t is number => t !== null)
  return {
    normalized,
    page: {
      posts: res.body.posts.length + res.invalid,
      newest: times.length ? Math.max(...times) : null,
      oldest: times.length ? Math.min(...times) : null,
      cursor: res.body.cursor,
    },
  }
}

/** Bluesky orders search by sortAt: the earlier of the claimed creation time and when the network saw it. */
export function sortAt(view: unknown): number | null {
  if (!isObj(view)) return null
  const indexed = parseIsoMs(view.indexedAt)
  const created = isObj(view.record) ? parseIsoMs(view.record.createdAt) : null
  if (indexed === null) return created
  return created === null ? indexed : Math.min(created, indexed)
}
