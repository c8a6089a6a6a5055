import { arr, isObj, nonEmpty, parseIsoMs, str, type Obj } from './shape.js'

/** Bluesky opened to the public in February 2023; a claimed creation time before that is forged or broken. */
const EARLIEST_PLAUSIBLE_MS = Date.UTC(2023, 1, 1)
/** Clocks drift: allow a claimed time a little after the network saw the post. */
const CLOCK_SKEW_MS = 5 * 60_000

export interface RecordFields {
  text: string
  lang: string | null
  links: string[]
  hashtags: string[]
  mentions: string[]
  replyTo: string | null
  rootUri: string | null
  quoteOf: string | null
}

/** The parts of an `app.bsky.feed.post` record stancewatch uses; tolerant of unknown embed and facet types. */
export function readPostRecord(record: Obj): RecordFields | null {
  // Reposts, likes and other records can carry a `text`-like field; only a post is a post.
  if (record.$type !== undefined && record.$type !== 'app.bsky.feed.post') return null
  const text = str(record.text)
  if (text === null) return null
  const links = new Set<string>()
  const hashtags = new Set<string>()
  const mentions = new Set<string>()
  for (const facet of arr(record.facets)) {
    if (!isObj(facet)) continue
    for (const f of arr(facet.features)) {
      if (!isObj(f)) continue
      if (f.$type === 'app.bsky.richtext.facet#link' && nonEmpty(f.uri)) links.add(f.uri as string)
      else if (f.$type === 'app.bsky.richtext.facet#tag' && nonEmpty(f.tag)) hashtags.add(f.tag as string)
      else if (f.$type === 'app.bsky.richtext.facet#mention' && nonEmpty(f.did)) mentions.add(f.did as string)
    }
  }
  for (const t of arr(record.tags)) if (nonEmpty(t)) hashtags.add(t as string)
  const embed = isObj(record.embed) ? record.embed : null
  const external = embedExternalUri(embed) ?? (isObj(embed?.media) ? embedExternalUri(embed.media) : null)
  if (external) links.add(external)

  const reply = isObj(record.reply) ? record.reply : null
  const langs = arr(record.langs)
    .map(str)
    .filter((l): l is string => !!l)
  return {
    text,
    lang: langs[0]?.toLowerCase() ?? null,
    links: [...links],
    hashtags: [...hashtags],
    mentions: [...mentions],
    replyTo: refUri(reply?.parent),
    rootUri: refUri(reply?.root),
    quoteOf: quotedPostUri(embed),
  }
}

/** Links from a PostView's hydrated embed (`#view` types), which can carry what the record lacks. */
export function viewEmbedLinks(embed: unknown): string[] {
  if (!isObj(embed)) return []
  const out: string[] = []
  if (embed.$type === 'app.bsky.embed.external#view' && isObj(embed.external) && nonEmpty(embed.external.uri)) out.push(embed.external.uri as string)
  if (embed.$type === 'app.bsky.embed.recordWithMedia#view' && isObj(embed.media)) out.push(...viewEmbedLinks(embed.media))
  return out
}

function embedExternalUri(embed: Obj | null): string | null {
  if (!embed || embed.$type !== 'app.bsky.embed.external' || !isObj(embed.external)) return null
  return nonEmpty(embed.external.uri)
}

function quotedPostUri(embed: Obj | null): string | null {
  if (!embed) return null
  let ref: unknown = null
  if (embed.$type === 'app.bsky.embed.record') ref = embed.record
  else if (embed.$type === 'app.bsky.embed.recordWithMedia' && isObj(embed.record)) ref = embed.record.record
  const uri = refUri(ref)
  // Records can embed lists, feeds and starter packs too; only a post is a quote.
  return uri && uri.includes('/app.bsky.feed.post/') ? uri : null
}

function refUri(ref: unknown): string | null {
  return isObj(ref) ? nonEmpty(ref.uri) : null
}

/**
 * The creation time to believe. The client writes `createdAt`, so a claim before Bluesky existed or after
 * the network saw the post is replaced by that sighting time.
 */
export function trustedCreatedAt(claimed: unknown, seenMs: number | null): { ms: number; source: 'claimed' | 'indexed' } | null {
  const c = parseIsoMs(claimed)
  const plausible = c !== null && c >= EARLIEST_PLAUSIBLE_MS && (seenMs === null || c <= seenMs + CLOCK_SKEW_MS)
  if (plausible) return { ms: c, source: 'claimed' }
  if (seenMs !== null) return { ms: seenMs, source: 'indexed' }
  return null
}

export function parseAtUri(uri: string): { did: string; collection: string; rkey: string } | null {
  const m = /^at:\/\/(did:[a-z]+:[A-Za-z0-9._:%-]+)\/([a-zA-Z0-9.-]+)\/([A-Za-z0-9._:~-]{1,512})$/.exec(uri)
  return m ? { did: m[1]!, collection: m[2]!, rkey: m[3]! } : null
}

export function bskyWebUrl(did: string, rkey: string): string {
  // The DID survives handle changes; bsky.app resolves it.
  return `https://bsky.app/profile/${did}/post/${rkey}`
}
