/**
 * A loopback X API v2 server for end-to-end tests of the X collector: recent search (with a query-language
 * subset), recent counts and tweet lookup, in the real wire format, with per-endpoint rate-limit windows on an
 * injectable clock and injectable faults. Binds 127.0.0.1 only; nothing leaves the machine.
 *
 * Point twitter-api-v2 at it with
 * `const c = new TwitterApi(bearer, { httpAgent: new http.Agent() }); c.v2.setPrefix(`${server.url}/2/`)`.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { msFromSnowflake, snowflakeFromMs } from '../../tools/synthetic/ids.js'
import { seededRandom } from '../../tools/synthetic/random.js'
import type { XTweet, XUser } from './x-data.js'
import { matchesXQuery, parseXQuery, XQueryError, type XQueryNode, type XQueryTarget } from './x-query.js'

export type { XTweet, XUser } from './x-data.js'

export interface XServerOptions {
  /** Ground truth: v2 tweet objects (stored whole; responses carry only the requested fields). */
  tweets: XTweet[]
  /** v2 user objects (authors, mentioned and replied-to users). */
  users: XUser[]
  /** The accepted bearer token; any other `Authorization` gets a 401. */
  bearer: string
  /** Clock (ms) for rate-limit windows and the 7-day search window; default `Date.now`. */
  now?: () => number
  /** Per-endpoint request budget per window (default 450 per 15 min, X's app limit for recent search). */
  rateLimit?: { limit: number; windowMs: number }
  /** Answer `/2/tweets/counts/recent` with 403 client-not-enrolled, as X does on lower tiers. */
  countsForbidden?: boolean
}

/** One request as the server saw it (pushed on arrival; `status` is set when answered, 0 for a dropped socket). */
export interface XRequestRecord {
  /** `now()` when the request arrived. */
  at: number
  method: string
  path: string
  /** Query parameters (first value of each). */
  query: Record<string, string>
  status: number
  /** The fault applied to this request, injected or random. */
  fault?: XFault
}

export interface XServer {
  /** API root, e.g. `http://127.0.0.1:PORT`; endpoints are under `${url}/2/`. */
  url: string
  /** Every request, in arrival order. */
  requests: XRequestRecord[]
  /** Queue faults for the next requests (any endpoint), in order, one per request. */
  inject(...faults: XFault[]): void
  /** Random faults on a share `p` of requests (5xx, 429 with near reset, dropped socket, malformed body); 0 disables. */
  setFaultRate(p: number, seed?: number): void
  /** Posts arriving while a collector runs (and their authors). */
  addTweets(tweets: XTweet[], users?: XUser[]): void
  /** Posts deleted: gone from search and counts; lookups omit them and list them in `errors`. */
  deleteTweets(ids: string[]): void
  close(): Promise<void>
}

export type XFault =
  /** 429 Too Many Requests with x-rate-limit-* headers (reset = now + resetInSeconds, epoch s); remaining > 0 is X's hidden 1 req/s limit. */
  | { kind: 'rate-limit'; resetInSeconds: number; remaining?: number }
  /** 5xx with a JSON problem body (default 503). */
  | { kind: 'server-error'; status?: 500 | 502 | 503 | 504 }
  /** 200 whose JSON body is cut in half. */
  | { kind: 'malformed' }
  /** 200 with valid JSON of the wrong shape (default `{"data":"oops"}`). */
  | { kind: 'wrong-shape'; body?: unknown }
  /** 401, as for an expired or revoked token. */
  | { kind: 'unauthorized' }
  /** The socket is destroyed without any response. */
  | { kind: 'drop' }
  /** The normal response, sent after `ms`. */
  | { kind: 'slow'; ms: number }

const WEEK_MS = 7 * 86_400_000
const NOT_FOUND_TYPE = 'https://api.twitter.com/2/problems/resource-not-found'

const TWEET_FIELDS = [
  'article',
  'attachments',
  'author_id',
  'card_uri',
  'community_id',
  'context_annotations',
  'conversation_id',
  'created_at',
  'display_text_range',
  'edit_controls',
  'edit_history_tweet_ids',
  'entities',
  'geo',
  'id',
  'in_reply_to_user_id',
  'lang',
  'media_metadata',
  'non_public_metrics',
  'note_tweet',
  'organic_metrics',
  'possibly_sensitive',
  'promoted_metrics',
  'public_metrics',
  'referenced_tweets',
  'reply_settings',
  'scopes',
  'source',
  'suggested_source_links',
  'text',
  'withheld',
]
const USER_FIELDS = [
  'affiliation',
  'connection_status',
  'created_at',
  'description',
  'entities',
  'id',
  'is_identity_verified',
  'location',
  'most_recent_tweet_id',
  'name',
  'parody',
  'pinned_tweet_id',
  'profile_banner_url',
  'profile_image_url',
  'protected',
  'public_metrics',
  'receives_your_dm',
  'subscription',
  'subscription_type',
  'url',
  'username',
  'verified',
  'verified_followers_count',
  'verified_type',
  'withheld',
]
const EXPANSIONS = [
  'article.cover_media',
  'article.media_entities',
  'attachments.media_keys',
  'attachments.media_source_tweet',
  'attachments.poll_ids',
  'author_id',
  'edit_history_tweet_ids',
  'entities.mentions.username',
  'geo.place_id',
  'in_reply_to_user_id',
  'entities.note.mentions.username',
  'referenced_tweets.id',
  'referenced_tweets.id.attachments.media_keys',
  'referenced_tweets.id.author_id',
]
const FIELD_PARAMS = ['expansions', 'tweet.fields', 'user.fields', 'media.fields', 'poll.fields', 'place.fields']
const SEARCH_PARAMS = [
  'query',
  'start_time',
  'end_time',
  'since_id',
  'until_id',
  'max_results',
  'next_token',
  'pagination_token',
  'sort_order',
  ...FIELD_PARAMS,
]
const COUNTS_PARAMS = ['query', 'start_time', 'end_time', 'since_id', 'until_id', 'granularity', 'next_token', 'pagination_token', 'search_count.fields']
const LOOKUP_PARAMS = ['ids', ...FIELD_PARAMS]
const SINGLE_PARAMS = FIELD_PARAMS

type Endpoint = 'tweets/search/recent' | 'tweets/counts/recent' | 'tweets' | 'tweets/:id'

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`)
  }
}

/** X's 400 body: `{errors:[{parameters,message}], title:"Invalid Request", ...}`. */
function invalid(message: string, parameters: Record<string, string[]> = {}): HttpError {
  return new HttpError(400, {
    errors: [{ parameters, message }],
    title: 'Invalid Request',
    detail: 'One or more parameters to your request was invalid.',
    type: 'https://api.twitter.com/2/problems/invalid-request',
  })
}

function problem(status: number, title: string): { title: string; detail: string; type: string; status: number } {
  return { title, detail: title, type: 'about:blank', status }
}

const UNAUTHORIZED_BODY = { title: 'Unauthorized', type: 'about:blank', status: 401, detail: 'Unauthorized' }
const STATUS_TITLES: Record<number, string> = {
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

function fnv(s: string): string {
  let h = 0x811c9dc5
  for (const b of Buffer.from(s)) {
    h ^= b
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, '0')
}

/** Opaque lowercase base-36 token (X's look), carrying a checksummed payload. */
function encodeToken(payload: string): string {
  let n = 0n
  for (const b of Buffer.from(`${fnv(payload)}|${payload}`)) n = (n << 8n) | BigInt(b)
  return n.toString(36)
}

function decodeToken(tok: string): string | null {
  if (!/^[0-9a-z]{1,400}$/.test(tok)) return null
  let n = 0n
  for (const c of tok) n = n * 36n + BigInt(parseInt(c, 36))
  let hex = n.toString(16)
  if (hex.length % 2) hex = `0${hex}`
  const body = Buffer.from(hex, 'hex').toString('utf8')
  const bar = body.indexOf('|')
  if (bar < 0) return null
  const payload = body.slice(bar + 1)
  return fnv(payload) === body.slice(0, bar) ? payload : null
}

/** X's minute-precision timestamps in error messages, e.g. 2025-07-10T12:34Z. */
function isoMinute(ms: number): string {
  return new Date(Math.floor(ms / 60_000) * 60_000).toISOString().slice(0, 16) + 'Z'
}

const ID_RE = /^[0-9]{1,19}$/
const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/

interface Stored {
  t: XTweet
  big: bigint
  ms: number
  score: number
  isRetweet: boolean
}

interface SearchBounds {
  startMs?: number
  endMs?: number
  sinceId?: bigint
  untilId?: bigint
}

/** Start the server on 127.0.0.1 with an OS-assigned port. */
export async function startXServer(opts: XServerOptions): Promise<XServer> {
  const now = opts.now ?? Date.now
  const limit = opts.rateLimit?.limit ?? 450
  const windowMs = opts.rateLimit?.windowMs ?? 15 * 60_000
  const tweets = new Map<string, Stored>()
  const users = new Map<string, XUser>()
  const usersByName = new Map<string, XUser>()
  const deleted = new Set<string>()
  let sorted: Stored[] = []
  const faults: XFault[] = []
  let faultRate = 0
  let faultRng = seededRandom(1)
  const windows = new Map<Endpoint, { resetAt: number; used: number }>()
  const requests: XRequestRecord[] = []
  const timers = new Set<NodeJS.Timeout>()
  const queryCache = new Map<string, XQueryNode>()

  const addUsers = (us: XUser[]) => {
    for (const u of us) {
      users.set(u.id, u)
      usersByName.set(u.username.toLowerCase(), u)
    }
  }
  const addTweets = (ts: XTweet[]) => {
    for (const t of ts) {
      const pm = t.public_metrics
      tweets.set(t.id, {
        t,
        big: BigInt(t.id),
        ms: Date.parse(t.created_at),
        score: pm.like_count + 2 * pm.retweet_count + 3 * pm.quote_count + pm.reply_count,
        isRetweet: !!t.referenced_tweets?.some((r) => r.type === 'retweeted'),
      })
      deleted.delete(t.id)
    }
    sorted = [...tweets.values()].sort((a, b) => (a.big > b.big ? -1 : a.big < b.big ? 1 : 0))
  }
  addUsers(opts.users)
  addTweets(opts.tweets)

  /** A tweet anyone can see at this moment: not deleted, already posted. */
  const live = (id: string): Stored | undefined => {
    const s = tweets.get(id)
    return s && !deleted.has(id) && s.ms <= now() ? s : undefined
  }

  // ---------- rate limits ----------
  const peekWindow = (ep: Endpoint) => {
    const t = now()
    const w = windows.get(ep)
    if (!w || t >= w.resetAt) return { limit, remaining: limit, reset: Math.ceil((t + windowMs) / 1000) }
    return { limit, remaining: Math.max(0, limit - w.used), reset: Math.ceil(w.resetAt / 1000) }
  }
  /** Spend one request of the endpoint's window; null when the budget is spent. */
  const consume = (ep: Endpoint) => {
    const t = now()
    let w = windows.get(ep)
    if (!w || t >= w.resetAt) {
      w = { resetAt: t + windowMs, used: 0 }
      windows.set(ep, w)
    }
    if (w.used >= limit) return null
    w.used++
    return { limit, remaining: limit - w.used, reset: Math.ceil(w.resetAt / 1000) }
  }
  const rlHeaders = (r: { limit: number; remaining: number; reset: number }) => ({
    'x-rate-limit-limit': String(r.limit),
    'x-rate-limit-remaining': String(r.remaining),
    'x-rate-limit-reset': String(r.reset),
  })

  // ---------- parameters ----------
  const checkParams = (q: Record<string, string>, allowed: string[]) => {
    for (const k of Object.keys(q)) {
      if (!allowed.includes(k)) throw invalid(`The query parameter [${k}] is not one of [${allowed.join(',')}]`, { [k]: [q[k]!] })
    }
  }
  const list = (q: Record<string, string>, name: string, allowedValues: string[]): Set<string> => {
    const v = q[name]
    if (v === undefined) return new Set()
    const items = v.split(',')
    for (const it of items) {
      if (!allowedValues.includes(it))
        throw invalid(`The \`${name}\` query parameter value [${it}] is not one of [${allowedValues.join(',')}]`, { [name]: [v] })
    }
    return new Set(items)
  }
  const fieldSets = (q: Record<string, string>) => ({
    expansions: list(q, 'expansions', EXPANSIONS),
    tweetFields: list(q, 'tweet.fields', TWEET_FIELDS),
    userFields: list(q, 'user.fields', USER_FIELDS),
  })
  const idParam = (q: Record<string, string>, name: string): bigint | undefined => {
    const v = q[name]
    if (v === undefined) return undefined
    if (!ID_RE.test(v)) throw invalid(`The \`${name}\` query parameter value [${v}] does not match ^[0-9]{1,19}$`, { [name]: [v] })
    return BigInt(v)
  }
  const timeParam = (q: Record<string, string>, name: string): number | undefined => {
    const v = q[name]
    if (v === undefined) return undefined
    const ms = Date.parse(v)
    if (!TIME_RE.test(v) || Number.isNaN(ms))
      throw invalid(`Invalid '${name}':'${v}'. '${name}' must be a valid RFC 3339 date-time, e.g. 2025-07-16T12:00:00Z`, { [name]: [v] })
    return ms
  }

  /** query, start/end time and since/until id, validated as X does for recent search and counts. */
  const searchBounds = (q: Record<string, string>): { node: XQueryNode; bounds: SearchBounds } => {
    const query = q.query
    if (query === undefined || query.trim() === '') throw invalid('The `query` query parameter can not be empty', { query: [query ?? ''] })
    if ([...query].length > 512) {
      throw invalid(`There were errors processing your request: Query length ${[...query].length} exceeds the maximum of 512 characters`, { query: [query] })
    }
    const t = now()
    const floor = Math.floor((t - WEEK_MS) / 60_000) * 60_000
    const startMs = timeParam(q, 'start_time')
    const endMs = timeParam(q, 'end_time')
    const sinceId = idParam(q, 'since_id')
    const untilId = idParam(q, 'until_id')
    if (startMs !== undefined && sinceId !== undefined) {
      throw invalid('At most one of start_time, since_id may be specified', { start_time: [q.start_time!], since_id: [q.since_id!] })
    }
    if (endMs !== undefined && untilId !== undefined) {
      throw invalid('At most one of end_time, until_id may be specified', { end_time: [q.end_time!], until_id: [q.until_id!] })
    }
    if (startMs !== undefined && startMs < floor) {
      throw invalid(`Invalid 'start_time':'${q.start_time}'. 'start_time' must be on or after ${isoMinute(floor)}`, { start_time: [q.start_time!] })
    }
    if (endMs !== undefined && endMs > t - 10_000) {
      throw invalid(`Invalid 'end_time':'${q.end_time}'. 'end_time' must be a minimum of 10 seconds prior to the request time.`, { end_time: [q.end_time!] })
    }
    if (startMs !== undefined && endMs !== undefined && startMs >= endMs) {
      throw invalid(`Invalid 'start_time':'${q.start_time}'. 'start_time' must be before 'end_time':'${q.end_time}'`, { start_time: [q.start_time!] })
    }
    for (const [name, id] of [
      ['since_id', sinceId],
      ['until_id', untilId],
    ] as const) {
      if (id !== undefined && msFromSnowflake(id.toString()) < floor) {
        throw invalid(
          `Invalid '${name}':'${id}'. '${name}' must be a tweet id created after ${isoMinute(floor)}. Please use a '${name}' that is larger than ${snowflakeFromMs(floor)}`,
          { [name]: [id.toString()] },
        )
      }
    }
    let node = queryCache.get(query)
    if (!node) {
      try {
        node = parseXQuery(query)
      } catch (e) {
        if (e instanceof XQueryError) throw invalid(e.message, { query: [query] })
        throw e
      }
      queryCache.set(query, node)
    }
    return { node, bounds: { startMs, endMs, sinceId, untilId } }
  }

  const target = (t: XTweet): XQueryTarget => {
    const author = users.get(t.author_id)
    const replyTo = t.in_reply_to_user_id ? users.get(t.in_reply_to_user_id) : undefined
    const ents = [t.entities, t.note_tweet?.entities]
    const urls: string[] = []
    for (const e of ents) for (const u of e?.urls ?? []) urls.push(...[u.url, u.expanded_url, u.unwound_url, u.display_url].filter((x): x is string => !!x))
    const text = (t.note_tweet?.text ?? t.text).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    return {
      text,
      lang: t.lang,
      authorId: t.author_id,
      authorUsername: author?.username,
      inReplyToUserId: t.in_reply_to_user_id,
      inReplyToUsername: replyTo?.username,
      conversationId: t.conversation_id,
      hashtags: ents.flatMap((e) => e?.hashtags?.map((h) => h.tag) ?? []),
      mentions: ents.flatMap((e) => e?.mentions?.map((m) => m.username) ?? []),
      urls,
      referencedTypes: t.referenced_tweets?.map((r) => r.type) ?? [],
      hasMedia: false,
    }
  }

  /** Searchable posts matching the query and bounds: last 7 days, not deleted, no retweets; newest first. */
  const searchable = (node: XQueryNode, b: SearchBounds): Stored[] => {
    const t = now()
    return sorted.filter(
      (s) =>
        !s.isRetweet &&
        !deleted.has(s.t.id) &&
        s.ms <= t &&
        s.ms >= t - WEEK_MS &&
        (b.sinceId === undefined || s.big > b.sinceId) &&
        (b.untilId === undefined || s.big < b.untilId) &&
        (b.startMs === undefined || s.ms >= b.startMs) &&
        (b.endMs === undefined || s.ms < b.endMs) &&
        matchesXQuery(node, target(s.t)),
    )
  }

  // ---------- formatting ----------
  const formatTweet = (t: XTweet, fields: Set<string>, expansions: Set<string>): Record<string, unknown> => {
    const out: Record<string, unknown> = { id: t.id, text: t.text, edit_history_tweet_ids: t.edit_history_tweet_ids }
    // X adds the field an expansion hangs off even when tweet.fields does not ask for it.
    const want = new Set(fields)
    if (expansions.has('author_id')) want.add('author_id')
    if (expansions.has('referenced_tweets.id') || expansions.has('referenced_tweets.id.author_id')) want.add('referenced_tweets')
    if (expansions.has('in_reply_to_user_id')) want.add('in_reply_to_user_id')
    const rec = t as unknown as Record<string, unknown>
    for (const f of TWEET_FIELDS) if (want.has(f) && rec[f] !== undefined && !(f in out)) out[f] = rec[f]
    return out
  }
  const formatUser = (u: XUser, fields: Set<string>): Record<string, unknown> => {
    const out: Record<string, unknown> = { id: u.id, name: u.name, username: u.username }
    const rec = u as unknown as Record<string, unknown>
    for (const f of USER_FIELDS) if (fields.has(f) && rec[f] !== undefined && !(f in out)) out[f] = rec[f]
    return out
  }
  const notFound = (value: string, parameter: string, resourceType: 'tweet' | 'user', section?: 'includes') => ({
    value,
    detail: `Could not find ${resourceType} with ${parameter}: [${value}].`,
    title: 'Not Found Error',
    resource_type: resourceType,
    parameter,
    resource_id: value,
    ...(section ? { section } : {}),
    type: NOT_FOUND_TYPE,
  })

  /** `data` plus `includes` (users, tweets) and `errors` for expansions, as X builds them. */
  const withIncludes = (primary: XTweet[], q: Record<string, string>) => {
    const { expansions, tweetFields, userFields } = fieldSets(q)
    const data = primary.map((t) => formatTweet(t, tweetFields, expansions))
    const incTweets = new Map<string, XTweet>()
    const incUsers = new Map<string, XUser>()
    const errors: Record<string, unknown>[] = []
    const addUser = (id: string | undefined, parameter: string) => {
      if (!id || incUsers.has(id)) return
      const u = users.get(id)
      if (u) incUsers.set(id, u)
      else errors.push(notFound(id, parameter, 'user', 'includes'))
    }
    if (expansions.has('referenced_tweets.id') || expansions.has('referenced_tweets.id.author_id')) {
      for (const t of primary) {
        for (const r of t.referenced_tweets ?? []) {
          const s = live(r.id)
          if (s) incTweets.set(r.id, s.t)
          else if (expansions.has('referenced_tweets.id')) errors.push(notFound(r.id, 'referenced_tweets.id', 'tweet', 'includes'))
        }
      }
    }
    if (expansions.has('author_id')) for (const t of primary) addUser(t.author_id, 'author_id')
    if (expansions.has('in_reply_to_user_id')) for (const t of primary) addUser(t.in_reply_to_user_id, 'in_reply_to_user_id')
    if (expansions.has('entities.mentions.username')) {
      for (const t of primary) {
        for (const m of t.entities?.mentions ?? []) {
          const u = usersByName.get(m.username.toLowerCase())
          if (u) incUsers.set(u.id, u)
        }
      }
    }
    if (expansions.has('referenced_tweets.id.author_id')) for (const t of incTweets.values()) addUser(t.author_id, 'referenced_tweets.id.author_id')
    const includes: Record<string, unknown[]> = {}
    if (incUsers.size) includes.users = [...incUsers.values()].map((u) => formatUser(u, userFields))
    if (incTweets.size && expansions.has('referenced_tweets.id')) includes.tweets = [...incTweets.values()].map((t) => formatTweet(t, tweetFields, expansions))
    return { data, includes: Object.keys(includes).length ? includes : undefined, errors: errors.length ? errors : undefined }
  }

  // ---------- endpoints ----------
  const search = (q: Record<string, string>): unknown => {
    checkParams(q, SEARCH_PARAMS)
    const { node, bounds } = searchBounds(q)
    let max = 10
    if (q.max_results !== undefined) {
      max = Number(q.max_results)
      if (!/^\d+$/.test(q.max_results) || max < 10 || max > 100) {
        throw invalid(`The \`max_results\` query parameter value [${q.max_results}] is not between 10 and 100`, { max_results: [q.max_results] })
      }
    }
    const sortOrder = q.sort_order ?? 'recency'
    if (sortOrder !== 'recency' && sortOrder !== 'relevancy') {
      throw invalid(`The \`sort_order\` query parameter value [${sortOrder}] is not one of [recency,relevancy]`, { sort_order: [sortOrder] })
    }
    fieldSets(q) // validate before doing the work
    const fp = fnv(JSON.stringify([q.query, q.start_time, q.end_time, q.since_id, q.until_id, sortOrder]))
    let matches = searchable(node, bounds)
    if (sortOrder === 'relevancy') matches = [...matches].sort((a, b) => b.score - a.score || (a.big > b.big ? -1 : a.big < b.big ? 1 : 0))
    const tokenName = q.next_token !== undefined ? 'next_token' : q.pagination_token !== undefined ? 'pagination_token' : undefined
    if (tokenName) {
      // The token is a position (last id and score returned) for this query and these bounds, so posts that
      // arrive between pages neither shift nor repeat what follows.
      const raw = q[tokenName]!
      const payload = decodeToken(raw)
      const parts = payload?.split('|')
      if (!parts || parts.length !== 5 || parts[0] !== 'v1' || parts[1] !== sortOrder || parts[2] !== fp || !ID_RE.test(parts[3]!)) {
        throw invalid(`Invalid pagination token: the \`${tokenName}\` query parameter value [${raw}] is not valid for this request`, { [tokenName]: [raw] })
      }
      const lastId = BigInt(parts[3]!)
      const lastScore = Number(parts[4])
      matches = matches.filter((s) => (sortOrder === 'recency' ? s.big < lastId : s.score < lastScore || (s.score === lastScore && s.big < lastId)))
    }
    const page = matches.slice(0, max)
    if (!page.length) return { meta: { result_count: 0 } }
    const last = page[page.length - 1]!
    const ids = page.map((s) => s.big)
    const newest = ids.reduce((a, b) => (b > a ? b : a))
    const oldest = ids.reduce((a, b) => (b < a ? b : a))
    const { data, includes, errors } = withIncludes(
      page.map((s) => s.t),
      q,
    )
    const meta: Record<string, unknown> = { newest_id: newest.toString(), oldest_id: oldest.toString(), result_count: page.length }
    if (matches.length > max) meta.next_token = encodeToken(['v1', sortOrder, fp, last.t.id, String(last.score)].join('|'))
    return { data, ...(includes ? { includes } : {}), ...(errors ? { errors } : {}), meta }
  }

  const counts = (q: Record<string, string>): unknown => {
    if (opts.countsForbidden) {
      throw new HttpError(403, {
        client_id: '28459347',
        detail:
          'When authenticating requests to the Twitter API v2 endpoints, you must use keys and tokens from a Twitter developer App that is attached to a Project. You can create a project via the developer portal.',
        registration_url: 'https://developer.twitter.com/en/docs/projects/overview',
        title: 'Client Forbidden',
        required_enrollment: 'Appropriate Level of API Access',
        reason: 'client-not-enrolled',
        type: 'https://api.twitter.com/2/problems/client-forbidden',
      })
    }
    checkParams(q, COUNTS_PARAMS)
    const { node, bounds } = searchBounds(q)
    const granularity = q.granularity ?? 'hour'
    const unit = granularity === 'minute' ? 60_000 : granularity === 'hour' ? 3_600_000 : granularity === 'day' ? 86_400_000 : 0
    if (!unit) throw invalid(`The \`granularity\` query parameter value [${granularity}] is not one of [minute,hour,day]`, { granularity: [granularity] })
    const t = now()
    const start = bounds.startMs ?? t - WEEK_MS
    const end = bounds.endMs ?? t
    const hits = searchable(node, bounds).map((s) => s.ms)
    const data: { start: string; end: string; tweet_count: number }[] = []
    let total = 0
    for (let from = start; from < end;) {
      const to = Math.min(end, (Math.floor(from / unit) + 1) * unit)
      const n = hits.filter((ms) => ms >= from && ms < to).length
      data.push({ end: new Date(to).toISOString(), start: new Date(from).toISOString(), tweet_count: n })
      total += n
      from = to
    }
    return { data, meta: { total_tweet_count: total } }
  }

  const lookup = (q: Record<string, string>): unknown => {
    checkParams(q, LOOKUP_PARAMS)
    const raw = q.ids
    if (raw === undefined || raw === '') throw invalid('The `ids` query parameter can not be empty', { ids: [raw ?? ''] })
    const ids = raw.split(',')
    if (ids.length > 100) throw invalid(`The number of values in the \`ids\` query parameter list [${ids.length}] is not between 1 and 100`, { ids: [raw] })
    for (const id of ids) if (!ID_RE.test(id)) throw invalid(`The \`ids\` query parameter value [${id}] does not match ^[0-9]{1,19}$`, { ids: [raw] })
    const found: XTweet[] = []
    const missing: Record<string, unknown>[] = []
    for (const id of new Set(ids)) {
      const s = live(id)
      if (s) found.push(s.t)
      else missing.push(notFound(id, 'ids', 'tweet'))
    }
    if (!found.length) {
      fieldSets(q)
      return { errors: missing }
    }
    const { data, includes, errors } = withIncludes(found, q)
    const allErrors = [...missing, ...(errors ?? [])]
    return { data, ...(includes ? { includes } : {}), ...(allErrors.length ? { errors: allErrors } : {}) }
  }

  const single = (id: string, q: Record<string, string>): unknown => {
    checkParams(q, SINGLE_PARAMS)
    if (!ID_RE.test(id)) throw invalid(`The \`id\` query parameter value [${id}] does not match ^[0-9]{1,19}$`, { id: [id] })
    const s = live(id)
    if (!s) {
      fieldSets(q)
      return { errors: [notFound(id, 'id', 'tweet')] }
    }
    const { data, includes, errors } = withIncludes([s.t], q)
    return { data: data[0], ...(includes ? { includes } : {}), ...(errors ? { errors } : {}) }
  }

  const route = (path: string): Endpoint | undefined => {
    if (path === '/2/tweets/search/recent') return 'tweets/search/recent'
    if (path === '/2/tweets/counts/recent') return 'tweets/counts/recent'
    if (path === '/2/tweets') return 'tweets'
    if (/^\/2\/tweets\/[^/]+$/.test(path)) return 'tweets/:id'
    return undefined
  }

  const run = (ep: Endpoint, path: string, q: Record<string, string>): unknown => {
    switch (ep) {
      case 'tweets/search/recent':
        return search(q)
      case 'tweets/counts/recent':
        return counts(q)
      case 'tweets':
        return lookup(q)
      case 'tweets/:id':
        return single(decodeURIComponent(path.slice('/2/tweets/'.length)), q)
    }
  }

  // ---------- faults ----------
  const randomFault = (): XFault | undefined => {
    if (faultRate <= 0 || faultRng() >= faultRate) return undefined
    const r = faultRng()
    if (r < 0.25) return { kind: 'server-error', status: ([500, 502, 503, 504] as const)[Math.floor(faultRng() * 4)]! }
    if (r < 0.5) {
      const resetInSeconds = 1 + Math.floor(faultRng() * 3)
      return faultRng() < 0.5 ? { kind: 'rate-limit', resetInSeconds } : { kind: 'rate-limit', resetInSeconds, remaining: 1 + Math.floor(faultRng() * 100) }
    }
    if (r < 0.75) return { kind: 'drop' }
    return { kind: 'malformed' }
  }

  // ---------- HTTP ----------
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1')
    const query: Record<string, string> = {}
    for (const [k, v] of u.searchParams) if (!(k in query)) query[k] = v
    const rec: XRequestRecord = { at: now(), method: req.method ?? 'GET', path: u.pathname, query, status: 0 }
    requests.push(rec)
    const ep = route(u.pathname)

    const send = (status: number, body: unknown, headers: Record<string, string> = {}, raw?: string) => {
      rec.status = status
      if (res.destroyed || res.headersSent) return
      const text = raw ?? JSON.stringify(body)
      res.writeHead(status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        ...headers,
      })
      res.end(text)
    }
    const windowHeaders = () => (ep ? rlHeaders(peekWindow(ep)) : {})

    const answer = () => {
      const auth = req.headers.authorization ?? ''
      if (!/^bearer /i.test(auth) || auth.slice(7) !== opts.bearer) return send(401, UNAUTHORIZED_BODY, windowHeaders())
      if (!ep || req.method !== 'GET') return send(404, { errors: [{ message: 'Sorry, that page does not exist', code: 34 }] })
      const budget = consume(ep)
      if (!budget) return send(429, problem(429, 'Too Many Requests'), rlHeaders(peekWindow(ep)))
      try {
        send(200, run(ep, u.pathname, query), rlHeaders(budget))
      } catch (e) {
        if (e instanceof HttpError) send(e.status, e.body, rlHeaders(budget))
        else send(500, problem(500, 'Internal Server Error'), rlHeaders(budget))
      }
    }

    const fault = faults.shift() ?? randomFault()
    if (!fault) return answer()
    rec.fault = fault
    switch (fault.kind) {
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer)
          // A client that gave up (e.g. its timeout) gets nothing and spends no budget; status stays 0.
          if (!req.socket.destroyed) answer()
        }, fault.ms)
        timers.add(timer)
        return
      }
      case 'rate-limit':
        return send(429, problem(429, 'Too Many Requests'), {
          'x-rate-limit-limit': String(limit),
          'x-rate-limit-remaining': String(fault.remaining ?? 0),
          'x-rate-limit-reset': String(Math.floor(now() / 1000) + fault.resetInSeconds),
        })
      case 'server-error': {
        const status = fault.status ?? 503
        return send(status, problem(status, STATUS_TITLES[status]!), windowHeaders())
      }
      case 'unauthorized':
        return send(401, UNAUTHORIZED_BODY, windowHeaders())
      case 'wrong-shape':
        return send(200, fault.body ?? { data: 'oops' }, windowHeaders())
      case 'malformed': {
        // A real page for this request if there is one, cut mid-way: valid HTTP, broken JSON.
        let full = '{"data":[{"edit_history_tweet_ids":["1945562997193773167"],"id":"1945562997193773167","text":"hello"}],"meta":{"result_count":1}}'
        try {
          if (ep) full = JSON.stringify(run(ep, u.pathname, query))
        } catch {
          // keep the canned page
        }
        return send(200, undefined, windowHeaders(), full.slice(0, Math.max(1, Math.floor(full.length / 2))))
      }
      case 'drop':
        rec.status = 0
        req.socket.destroy()
        return
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  let closing: Promise<void> | undefined

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject: (...fs) => void faults.push(...fs),
    setFaultRate: (p, seed = 1) => {
      faultRate = p
      faultRng = seededRandom(seed)
    },
    addTweets: (ts, us) => {
      if (us) addUsers(us)
      addTweets(ts)
    },
    deleteTweets: (ids) => {
      for (const id of ids) deleted.add(id)
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        for (const t of timers) clearTimeout(t)
        timers.clear()
        server.close((e) => (e ? reject(e) : resolve()))
        server.closeAllConnections()
      })
      return closing
    },
  }
}
