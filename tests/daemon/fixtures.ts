/**
 * What the daemon tests share: a test config (loopback only, explicit sources and schedules), credentials
 * for the loopback servers, and the ground truth of what the X and Bluesky servers hold on topic.
 */
import path from 'node:path'
import { loadConfig } from '../../src/config/load.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { compileBskyQueries } from '../../src/sources/bluesky/queries.js'
import { openDb } from '../../src/store/db.js'
import { writeTestConfig } from '../helpers.js'
import type { BskyServer } from '../servers/bluesky.js'
import type { XServer } from '../servers/x-api.js'
import { searchAllPages } from '../servers/x-search-all.js'

export const BEARER = 'daemon-test-bearer'
export const ACCOUNT = { identifier: 'daemon.test', password: 'aaaa-bbbb-cccc-dddd', did: 'did:plc:daemondaemondaemondaemo', handle: 'daemon.test' }
export const READER = { identifier: 'reader.test', password: 'eeee-ffff-gggg-hhhh', did: 'did:plc:readerreaderreaderreade', handle: 'reader.test' }

/** A cron expression that does not fire during a test (1 January, midnight). */
export const NEVER = '0 0 0 1 1 *'

export type Schedules = Partial<Record<'collect' | 'classify' | 'alerts' | 'digest' | 'maintenance', string>>

/**
 * The shipped config with explicit sources (never the shipped default, whose Jetstream is the real network),
 * the given schedules (every other job: never), and the outputs inside `dir`.
 */
export function daemonConfig(dir: string, name: string, o: { enabled: string[]; schedules?: Schedules; edit?: (c: Record<string, any>) => void }): string {
  return writeTestConfig(
    dir,
    (c) => {
      c.sources.enabled = o.enabled
      c.schedules = { collect: NEVER, classify: NEVER, alerts: NEVER, digest: NEVER, maintenance: NEVER, ...o.schedules }
      c.topics[0].budget = { x_daily_post_reads: 10_000_000, x_monthly_post_reads: 100_000_000 }
      o.edit?.(c)
    },
    name,
  )
}

/** The platform ids a config's topics match in an API payload. */
export function onTopic(configFile: string): (payload: unknown) => string[] {
  const { config } = loadConfig(configFile)
  const topics = compileTopics(config.topics)
  return (payload) => (normalizePayload(payload)?.posts ?? []).filter((p) => matchPost(p, canonicalLinks(p), topics).length).map((p) => p.platformId)
}

/**
 * The posts a complete read of a Jetstream stream stores, by the documented rules: a post on topic by its
 * own words; a reply (or quote) joining the topic of a post already kept; an edit whose new text is on
 * topic. Deletions mark posts, they do not remove them.
 */
export function jetstreamTruth(configFile: string, events: readonly unknown[]): Set<string> {
  const { config } = loadConfig(configFile)
  const topics = compileTopics(config.topics)
  const kept = new Set<string>()
  for (const e of events) {
    const n = normalizePayload(e)
    if (!n) continue
    for (const p of n.posts) {
      if (matchPost(p, canonicalLinks(p), topics).length || (p.replyTo && kept.has(p.replyTo)) || (p.quoteOf && kept.has(p.quoteOf))) kept.add(p.platformId)
    }
    for (const p of n.edits) if (matchPost(p, canonicalLinks(p), topics).length) kept.add(p.platformId)
  }
  return kept
}

/** Every on-topic post the X server answers for the config's queries since `sinceMs`: the complete read. */
export async function xTruth(server: XServer, configFile: string, sinceMs: number): Promise<Set<string>> {
  const keep = onTopic(configFile)
  const truth = new Set<string>()
  for await (const body of searchAllPages(server, configFile, BEARER, { start: sinceMs })) for (const id of keep(body)) truth.add(id)
  return truth
}

/** Every on-topic post the Bluesky server answers for the config's queries since `sinceMs`. */
export async function bskyTruth(server: BskyServer, configFile: string, sinceMs: number): Promise<Set<string>> {
  const keep = onTopic(configFile)
  const truth = new Set<string>()
  const session = (await (
    await fetch(`${server.url}/xrpc/com.atproto.server.createSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: READER.identifier, password: READER.password }),
    })
  ).json()) as { accessJwt: string }
  const { config } = loadConfig(configFile)
  for (const q of compileBskyQueries(config.topics[0]!)) {
    let cursor: string | undefined
    do {
      const u = new URL(`${server.url}/xrpc/app.bsky.feed.searchPosts`)
      for (const [k, v] of Object.entries({ ...q.params, sort: 'latest', since: new Date(sinceMs).toISOString(), limit: '100' }))
        for (const x of [v].flat()) u.searchParams.append(k, String(x))
      if (cursor) u.searchParams.set('cursor', cursor)
      const body = (await (await fetch(u, { headers: { authorization: `Bearer ${session.accessJwt}` } })).json()) as { cursor?: string }
      for (const id of keep(body)) truth.add(id)
      cursor = body.cursor
    } while (cursor)
  }
  return truth
}

/** Read the database the daemon writes (a separate connection; WAL lets it read beside the writer). */
export function readDb<T>(file: string, fn: (db: ReturnType<typeof openDb>) => T): T {
  const db = openDb(file)
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

/** What is stored for a platform: distinct ids, rows, and post_topics rows (duplicates show as rows > ids). */
export function stored(file: string, platform: string): { ids: string[]; rows: number; topicRows: number; distinctTopicRows: number } {
  return readDb(file, (d) => ({
    ids: d.prepare('SELECT DISTINCT platform_id FROM posts WHERE platform = ? ORDER BY platform_id').pluck().all(platform) as string[],
    rows: d.prepare('SELECT count(*) FROM posts WHERE platform = ?').pluck().get(platform) as number,
    topicRows: d.prepare('SELECT count(*) FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.platform = ?').pluck().get(platform) as number,
    distinctTopicRows: d
      .prepare('SELECT count(*) FROM (SELECT DISTINCT pt.post_id, pt.topic_id FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.platform = ?)')
      .pluck()
      .get(platform) as number,
  }))
}

export function dbPath(dir: string, name: string): string {
  return path.join(dir, name)
}
