/**
 * The ground truth of the collector tests: what a complete, uninterrupted read of the loopback servers (or of
 * a Jetstream stream) holds on topic, by the config's own rules.
 */
import { loadConfig } from '../../src/config/load.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { compileBskyQueries } from '../../src/sources/bluesky/queries.js'
import type { BskyServer } from './bluesky.js'
import type { XServer } from './x-api.js'
import { searchAllPages } from './x-search-all.js'

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
export async function xTruth(server: XServer, configFile: string, bearer: string, sinceMs: number): Promise<Set<string>> {
  const keep = onTopic(configFile)
  const truth = new Set<string>()
  for await (const body of searchAllPages(server, configFile, bearer, { start: sinceMs })) for (const id of keep(body)) truth.add(id)
  return truth
}

/** Every on-topic post the Bluesky server answers for the config's queries since `sinceMs`. */
export async function bskyTruth(
  server: BskyServer,
  configFile: string,
  reader: { identifier: string; password: string },
  sinceMs: number,
): Promise<Set<string>> {
  const keep = onTopic(configFile)
  const truth = new Set<string>()
  const session = (await (
    await fetch(`${server.url}/xrpc/com.atproto.server.createSession`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: reader.identifier, password: reader.password }),
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
