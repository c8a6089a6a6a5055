/**
 * A loopback Bluesky test server speaking real XRPC over node:http on 127.0.0.1.
 *
 * It plays both sides a collector talks to:
 * - the PDS (`bsky.social`): app-password login (`createSession`), `refreshSession`, `getSession`, and
 *   `app.bsky.feed.searchPosts` "proxied" to the AppView (authentication required by default, as in production);
 * - the public AppView (`public.api.bsky.app`): `app.bsky.feed.getPosts`, unauthenticated;
 * - what a bot that posts needs: `com.atproto.repo.createRecord` (posts are validated against the lexicon
 *   and recorded), `com.atproto.identity.resolveHandle`, and the chat service behind the PDS
 *   (`chat.bsky.convo.getConvoForMembers` / `sendMessage`, only with the `atproto-proxy` header naming it).
 *
 * Search follows Bluesky's open-source search backend (palomar): numeric offset cursors, a depth cap
 * ("can't paginate so deep"), `limit` clamped to 100, a next cursor only for full pages, `since`/`until` on sortAt
 * = min(createdAt, indexedAt). Every response passes @atproto/api's lexicon validation unless a fault breaks it on
 * purpose. Nothing leaves 127.0.0.1.
 */
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import type { AddressInfo, Socket } from 'node:net'
import { AppBskyFeedPost, ChatBskyConvoDefs, type AppBskyFeedDefs } from '@atproto/api'
import { cidFor, tid } from '../../tools/synthetic/ids.js'
import { seededRandom } from '../../tools/synthetic/random.js'

/** One post as the index knows it: the fields of an `app.bsky.feed.defs#postView`, counts included. */
export interface BskyPost {
  /** `at://did:plc:…/app.bsky.feed.post/<tid>` */
  uri: string
  /** CIDv1 string of the record. */
  cid: string
  author: { did: string; handle: string; displayName?: string }
  /** The `app.bsky.feed.post` record (text, createdAt, langs, facets, embed, reply, tags). */
  record: AppBskyFeedPost.Record
  /** When the AppView indexed the post (ISO datetime). */
  indexedAt: string
  likeCount: number
  repostCount: number
  replyCount: number
  quoteCount: number
  /** The hydrated embed view (e.g. `app.bsky.embed.external#view`, `app.bsky.embed.record#view`). */
  embed?: AppBskyFeedDefs.PostView['embed']
}

/** Options of {@link startBskyServer}. */
export interface BskyServerOptions {
  /** Ground truth: every post the index holds at start. */
  posts: BskyPost[]
  /** Who may log in with an app password; `identifier` (or the handle, or the DID) + `password`. */
  accounts: { identifier: string; password: string; did: string; handle: string }[]
  /** Server clock in epoch ms (token expiry, rate-limit windows, request log). Default `Date.now`. */
  now?: () => number
  /** Access-token lifetime on the server clock (default 2 h); afterwards 400 ExpiredToken "Token has expired". */
  accessTokenTtlMs?: number
  /** Deepest offset (default 10000): cursor > cap → 400 "can't paginate so deep"; no next cursor once offset+limit >= cap. */
  searchCap?: number
  /** Default true: unauthenticated searchPosts → 403 {"error":"AuthMissing","message":"Authentication Required"}. */
  requireAuthForSearch?: boolean
  /** Listen on this port instead of an ephemeral one (to bring a service back where clients already point). */
  port?: number
}

/** One request as the server saw it. */
export interface BskyRequestLog {
  /** Server clock (ms) when the request arrived. */
  at: number
  method: string
  nsid: string
  /** Query parameters (repeated keys become arrays); for createSession only `{ identifier }`. */
  params: Record<string, string | string[]>
  /** HTTP status sent; 0 when the socket was dropped (or the request is still pending). */
  status: number
  /** Which kind of bearer token came with the request (decoded from the token, valid or not). */
  auth: 'none' | 'access' | 'refresh'
  /** The fault kind applied to this request, if any. */
  fault?: string
}

/** A running test server. */
export interface BskyServer {
  /** `http://127.0.0.1:PORT`: both BSKY_SERVICE and BSKY_PUBLIC_API point here in tests. */
  url: string
  /** Every XRPC request, in arrival order. */
  requests: BskyRequestLog[]
  /** createSession calls that succeeded. */
  logins: number
  /** Queue faults: each applies to the next request whose NSID matches its `nsid` (any NSID when absent), in order. */
  inject(...faults: BskyFault[]): void
  /** Random transient faults on searchPosts/getPosts with probability `p` per request (seeded, deterministic). */
  setFaultRate(p: number, seed?: number): void
  /** Add posts to the index (an existing URI is replaced, e.g. to change its counts); they shift offset cursors. */
  addPosts(posts: BskyPost[]): void
  /** Delete posts: search and getPosts omit them from now on. */
  deletePosts(uris: string[]): void
  /** Invalidate every refresh token issued so far (refreshSession → 400 ExpiredToken "Token has been revoked"). */
  revokeSessions(): void
  /** Records created through createRecord, in order. */
  records: BskyCreatedRecord[]
  /** Direct messages sent through the chat service, in order. */
  messages: BskyChatMessage[]
  /** Stop the server, closing open connections. */
  close(): Promise<void>
}

export interface BskyCreatedRecord {
  repo: string
  collection: string
  rkey: string
  uri: string
  cid: string
  record: Record<string, unknown>
}

export interface BskyChatMessage {
  convoId: string
  /** DIDs of the conversation: sender first. */
  members: string[]
  sender: string
  text: string
  facets?: unknown[]
}

/** The chat service's DID: chat.bsky.* calls through the PDS must name it in `atproto-proxy`. */
export const CHAT_PROXY = 'did:web:api.bsky.chat#bsky_chat'

/** A deliberate failure for one request. */
export type BskyFault =
  | { kind: 'rate-limit'; resetInSeconds: number; nsid?: string }
  | { kind: 'expired-token'; nsid?: string }
  | { kind: 'upstream'; status?: 502 | 500 | 503; nsid?: string }
  | { kind: 'invalid-post'; nsid?: string }
  | { kind: 'malformed'; nsid?: string }
  | { kind: 'drop'; nsid?: string }
  | { kind: 'slow'; ms: number; nsid?: string }

const CREATE_SESSION = 'com.atproto.server.createSession'
const REFRESH_SESSION = 'com.atproto.server.refreshSession'
const GET_SESSION = 'com.atproto.server.getSession'
const SEARCH_POSTS = 'app.bsky.feed.searchPosts'
const GET_POSTS = 'app.bsky.feed.getPosts'
const CREATE_RECORD = 'com.atproto.repo.createRecord'
const RESOLVE_HANDLE = 'com.atproto.identity.resolveHandle'
const GET_CONVO_FOR_MEMBERS = 'chat.bsky.convo.getConvoForMembers'
const SEND_MESSAGE = 'chat.bsky.convo.sendMessage'
const POST_NSIDS = new Set([SEARCH_POSTS, GET_POSTS])
const METHODS: Record<string, 'GET' | 'POST'> = {
  [CREATE_RECORD]: 'POST',
  [RESOLVE_HANDLE]: 'GET',
  [GET_CONVO_FOR_MEMBERS]: 'GET',
  [SEND_MESSAGE]: 'POST',
  [CREATE_SESSION]: 'POST',
  [REFRESH_SESSION]: 'POST',
  [GET_SESSION]: 'GET',
  [SEARCH_POSTS]: 'GET',
  [GET_POSTS]: 'GET',
}

const MINUTE = 60_000
const DAY = 24 * 60 * MINUTE
const REFRESH_TTL_MS = 90 * DAY
const PDS_LIMIT = { points: 3000, windowMs: 5 * MINUTE }
const LOGIN_LIMITS = [
  { points: 30, windowMs: 5 * MINUTE },
  { points: 300, windowMs: DAY },
]
/** A valid-looking but wrong CID: fails the lexicon's cid format check. */
const BAD_CID = 'bafyNOT-A-CID'

interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

interface TokenState {
  kind: 'access' | 'refresh'
  did: string
  expMs: number
  revoked: boolean
}

/** Fixed windows keyed by string, like rate-limiter-flexible: the window starts at the first point. */
class FixedWindows {
  private readonly windows = new Map<string, { start: number; count: number }>()
  constructor(
    readonly points: number,
    readonly windowMs: number,
  ) {}
  private get(key: string, now: number): { start: number; count: number } {
    let w = this.windows.get(key)
    if (!w || now >= w.start + this.windowMs) {
      w = { start: now, count: 0 }
      this.windows.set(key, w)
    }
    return w
  }
  /** Consume one point; returns the state after it. */
  hit(key: string, now: number): { count: number; resetMs: number; over: boolean } {
    const w = this.get(key, now)
    w.count++
    return { count: w.count, resetMs: w.start + this.windowMs, over: w.count > this.points }
  }
  headers(count: number, resetMs: number): Record<string, string> {
    return rateHeaders(this.points, Math.max(0, this.points - count), resetMs, this.windowMs)
  }
}

function rateHeaders(limit: number, remaining: number, resetMs: number, windowMs: number): Record<string, string> {
  return {
    'ratelimit-limit': String(limit),
    'ratelimit-remaining': String(remaining),
    'ratelimit-reset': String(Math.ceil(resetMs / 1000)),
    'ratelimit-policy': `${limit};w=${Math.round(windowMs / 1000)}`,
  }
}

function b64url(x: string | Buffer): string {
  return Buffer.from(x).toString('base64url')
}

function xrpcError(status: number, error: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: { error, message }, headers }
}

const prng = seededRandom

/** sortAt as the search index uses it: the earlier of createdAt and indexedAt. */
function sortAt(p: BskyPost): number {
  const indexed = Date.parse(p.indexedAt)
  const created = Date.parse(p.record.createdAt)
  return Number.isFinite(created) ? Math.min(created, indexed) : indexed
}

/** Parse `since`/`until`: RFC 3339 datetimes or `YYYY-MM-DD` (UTC midnight); a zone-less datetime is UTC. */
function parseWhen(s: string): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return Date.parse(`${s}T00:00:00.000Z`)
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(s)) return Date.parse(`${s}Z`)
  return Date.parse(s)
}

function fold(s: string): string {
  return s.normalize('NFKC').toLowerCase()
}

/** Terms of a query: whitespace-separated words and "quoted phrases", case-folded. */
function queryTerms(q: string): string[] {
  const terms: string[] = []
  const re = /"([^"]*)(?:"|$)|(\S+)/g
  for (let m = re.exec(q); m; m = re.exec(q)) {
    const t = fold((m[1] ?? m[2] ?? '').trim())
    if (t) terms.push(t)
  }
  return terms
}

function hostOf(uri: string): string | undefined {
  try {
    return new URL(uri).hostname.toLowerCase().replace(/^www\./, '')
  } catch {
    return undefined
  }
}

/** URL normalisation for the `url` filter: host folded, `www.` dropped, query, fragment and trailing slash ignored. */
function normUrl(uri: string): string | undefined {
  try {
    const u = new URL(uri)
    return `${u.hostname.toLowerCase().replace(/^www\./, '')}${u.pathname.replace(/\/+$/, '')}`
  } catch {
    return undefined
  }
}

type AnyRecord = Record<string, unknown>

/** Link targets of a post: link facets and external embeds (record and view, also inside recordWithMedia). */
function linksOf(p: BskyPost): string[] {
  const out: string[] = []
  for (const f of p.record.facets ?? []) {
    for (const feat of f.features as AnyRecord[]) {
      if (feat.$type === 'app.bsky.richtext.facet#link' && typeof feat.uri === 'string') out.push(feat.uri)
    }
  }
  const external = (e: unknown): void => {
    if (!e || typeof e !== 'object') return
    const o = e as AnyRecord
    if ((o.$type === 'app.bsky.embed.external' || o.$type === 'app.bsky.embed.external#view') && o.external) {
      const uri = (o.external as AnyRecord).uri
      if (typeof uri === 'string') out.push(uri)
    }
    if (o.$type === 'app.bsky.embed.recordWithMedia' || o.$type === 'app.bsky.embed.recordWithMedia#view') {
      external(o.media)
    }
  }
  external(p.record.embed)
  external(p.embed)
  return out
}

function tagsOf(p: BskyPost): string[] {
  const out = [...(p.record.tags ?? [])]
  for (const f of p.record.facets ?? []) {
    for (const feat of f.features as AnyRecord[]) {
      if (feat.$type === 'app.bsky.richtext.facet#tag' && typeof feat.tag === 'string') out.push(feat.tag)
    }
  }
  return out.map((t) => fold(t.replace(/^#/, '')))
}

function mentionsOf(p: BskyPost): string[] {
  const out: string[] = []
  for (const f of p.record.facets ?? []) {
    for (const feat of f.features as AnyRecord[]) {
      if (feat.$type === 'app.bsky.richtext.facet#mention' && typeof feat.did === 'string') out.push(feat.did)
    }
  }
  return out
}

function engagement(p: BskyPost): number {
  return p.likeCount + 2 * p.repostCount + p.replyCount + 2 * p.quoteCount
}

function one(params: Record<string, string | string[]>, key: string): string | undefined {
  const v = params[key]
  return Array.isArray(v) ? v[0] : v
}

function many(params: Record<string, string | string[]>, key: string): string[] {
  const v = params[key]
  return v === undefined ? [] : Array.isArray(v) ? v : [v]
}

/** Start the server on 127.0.0.1 with an ephemeral port (or `opts.port`). */
export async function startBskyServer(opts: BskyServerOptions): Promise<BskyServer> {
  const now = opts.now ?? Date.now
  const accessTtl = opts.accessTokenTtlMs ?? 2 * 60 * MINUTE
  const cap = opts.searchCap ?? 10_000
  const requireAuth = opts.requireAuthForSearch ?? true

  const posts = new Map<string, BskyPost>()
  const handles = new Map<string, string>() // handle (folded) → did
  const addPosts = (list: BskyPost[]): void => {
    for (const p of list) {
      posts.delete(p.uri) // re-insert: a replaced post is "new" in insertion order too
      posts.set(p.uri, structuredClone(p))
      handles.set(p.author.handle.toLowerCase(), p.author.did)
    }
  }
  addPosts(opts.posts)
  for (const a of opts.accounts) handles.set(a.handle.toLowerCase(), a.did)

  const tokens = new Map<string, TokenState>()
  const pdsLimit = new FixedWindows(PDS_LIMIT.points, PDS_LIMIT.windowMs)
  const loginLimits = LOGIN_LIMITS.map((l) => new FixedWindows(l.points, l.windowMs))
  const faults: BskyFault[] = []
  let faultRate = 0
  let faultRng = prng(1)
  const timers = new Set<NodeJS.Timeout>()
  const sockets = new Set<Socket>()

  const issue = (kind: 'access' | 'refresh', did: string): string => {
    const t = now()
    const expMs = t + (kind === 'access' ? accessTtl : REFRESH_TTL_MS)
    const header = b64url(JSON.stringify({ typ: kind === 'access' ? 'at+jwt' : 'refresh+jwt', alg: 'HS256' }))
    const payload = b64url(
      JSON.stringify({
        scope: kind === 'access' ? 'com.atproto.appPass' : 'com.atproto.refresh',
        sub: did,
        aud: 'did:web:127.0.0.1',
        ...(kind === 'refresh' ? { jti: randomBytes(16).toString('base64url') } : {}),
        iat: Math.floor(t / 1000),
        exp: Math.floor(expMs / 1000),
      }),
    )
    const token = `${header}.${payload}.${b64url(randomBytes(32))}`
    tokens.set(token, { kind, did, expMs, revoked: false })
    return token
  }

  const bearer = (req: http.IncomingMessage): string | undefined => {
    const h = req.headers.authorization
    const m = h ? /^Bearer\s+(\S+)$/i.exec(h) : null
    return m?.[1]
  }

  const tokenKind = (token: string | undefined): 'none' | 'access' | 'refresh' => {
    if (!token) return 'none'
    const known = tokens.get(token)
    if (known) return known.kind
    try {
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as AnyRecord
      if (payload.scope === 'com.atproto.refresh') return 'refresh'
      if (typeof payload.scope === 'string') return 'access'
    } catch {
      /* opaque garbage */
    }
    return 'none'
  }

  /** Check an access token: the DID, or the error reply the PDS would give. */
  const checkAccess = (token: string): { did: string } | Reply => {
    const t = tokens.get(token)
    if (!t) return xrpcError(400, 'InvalidToken', 'Token could not be verified')
    if (t.kind !== 'access') return xrpcError(400, 'InvalidToken', 'Bad token scope')
    if (now() >= t.expMs) return xrpcError(400, 'ExpiredToken', 'Token has expired')
    return { did: t.did }
  }

  const accountByDid = (did: string) => opts.accounts.find((a) => a.did === did)

  const createSession = (body: AnyRecord): Reply => {
    const identifier = typeof body.identifier === 'string' ? body.identifier : undefined
    const password = typeof body.password === 'string' ? body.password : undefined
    if (identifier === undefined) return xrpcError(400, 'InvalidRequest', 'Input must have the property "identifier"')
    if (password === undefined) return xrpcError(400, 'InvalidRequest', 'Input must have the property "password"')
    const id = identifier.trim().toLowerCase().replace(/^@/, '')
    const account = opts.accounts.find((a) => a.identifier.toLowerCase() === id || a.handle.toLowerCase() === id || a.did === identifier.trim())
    // Login limits are per account (per identifier when it names no account), counting every attempt.
    const key = account?.did ?? id
    const t = now()
    const hits = loginLimits.map((l) => ({ l, h: l.hit(key, t) }))
    const over = hits.find((x) => x.h.over)
    if (over) {
      return xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', over.l.headers(over.h.count, over.h.resetMs))
    }
    const first = hits[0]!
    const headers = first.l.headers(first.h.count, first.h.resetMs)
    if (!account || account.password !== password) {
      return xrpcError(401, 'AuthenticationRequired', 'Invalid identifier or password', headers)
    }
    server.logins++
    // No didDoc: with one, @atproto/api would switch its requests to the PDS the document names.
    return {
      status: 200,
      body: {
        did: account.did,
        handle: account.handle,
        accessJwt: issue('access', account.did),
        refreshJwt: issue('refresh', account.did),
        active: true,
      },
      headers,
    }
  }

  const refreshSession = (token: string | undefined): Reply => {
    if (!token) return xrpcError(401, 'AuthMissing', 'Authentication Required')
    const t = tokens.get(token)
    if (!t) return xrpcError(400, 'InvalidToken', 'Token could not be verified')
    if (t.kind !== 'refresh') return xrpcError(400, 'InvalidToken', 'Invalid token type')
    if (t.revoked) return xrpcError(400, 'ExpiredToken', 'Token has been revoked')
    if (now() >= t.expMs) return xrpcError(400, 'ExpiredToken', 'Token has expired')
    t.revoked = true // rotation: the old refresh token is spent
    const account = accountByDid(t.did)
    return {
      status: 200,
      body: {
        did: t.did,
        handle: account?.handle ?? 'handle.invalid',
        accessJwt: issue('access', t.did),
        refreshJwt: issue('refresh', t.did),
        active: true,
      },
    }
  }

  const getSession = (token: string | undefined): Reply => {
    if (!token) return xrpcError(401, 'AuthMissing', 'Authentication Required')
    const r = checkAccess(token)
    if (!('did' in r)) return r
    const account = accountByDid(r.did)
    return { status: 200, body: { did: r.did, handle: account?.handle ?? 'handle.invalid', active: true } }
  }

  const view = (p: BskyPost, authed: boolean): AnyRecord => {
    const author: AnyRecord = { did: p.author.did, handle: p.author.handle, labels: [] }
    if (p.author.displayName !== undefined) author.displayName = p.author.displayName
    const v: AnyRecord = {
      $type: 'app.bsky.feed.defs#postView',
      uri: p.uri,
      cid: p.cid,
      author,
      record: structuredClone(p.record),
    }
    if (p.embed !== undefined) v.embed = structuredClone(p.embed)
    Object.assign(v, {
      replyCount: p.replyCount,
      repostCount: p.repostCount,
      likeCount: p.likeCount,
      quoteCount: p.quoteCount,
      bookmarkCount: 0,
      indexedAt: p.indexedAt,
      labels: [],
    })
    if (authed) v.viewer = { threadMuted: false, embeddingDisabled: false }
    return v
  }

  const resolveActor = (actor: string): string =>
    actor.startsWith('did:') ? actor : (handles.get(actor.toLowerCase().replace(/^@/, '')) ?? `unresolved:${actor}`)

  const searchPosts = (params: Record<string, string | string[]>, authed: boolean): Reply => {
    const q = one(params, 'q')
    if (q === undefined) return xrpcError(400, 'InvalidRequest', 'Error: Params must have the property "q"')
    const terms = queryTerms(q)
    if (terms.length === 0) return xrpcError(400, 'BadQueryString', 'empty query')

    const limitRaw = one(params, 'limit')
    let limit = 25
    if (limitRaw !== undefined) {
      if (!/^-?\d+$/.test(limitRaw)) return xrpcError(400, 'InvalidRequest', 'Error: limit must be an integer')
      limit = Number(limitRaw)
      if (limit < 1) return xrpcError(400, 'InvalidRequest', 'Error: limit can not be less than 1')
      limit = Math.min(limit, 100)
    }
    const cursorRaw = one(params, 'cursor')
    let offset = 0
    if (cursorRaw !== undefined && cursorRaw !== '') {
      if (!/^\d+$/.test(cursorRaw)) return xrpcError(400, 'InvalidRequest', 'invalid cursor')
      offset = Number(cursorRaw)
      if (offset > cap) return xrpcError(400, 'InvalidRequest', "can't paginate so deep")
    }
    const window: { since?: number; until?: number } = {}
    for (const k of ['since', 'until'] as const) {
      const raw = one(params, k)
      if (raw === undefined) continue
      const ms = parseWhen(raw)
      if (!Number.isFinite(ms)) return xrpcError(400, 'InvalidRequest', `invalid ${k} datetime: ${raw}`)
      window[k] = ms
    }
    const author = one(params, 'author')
    const authorDid = author !== undefined ? resolveActor(author) : undefined
    const mentions = one(params, 'mentions')
    const mentionDid = mentions !== undefined ? resolveActor(mentions) : undefined
    const lang = one(params, 'lang')?.toLowerCase()
    const domain = one(params, 'domain')
      ?.toLowerCase()
      .replace(/^www\./, '')
    const urlRaw = one(params, 'url')
    const url = urlRaw !== undefined ? (normUrl(urlRaw) ?? `unparsable:${urlRaw}`) : undefined
    const tags = many(params, 'tag').map((t) => fold(t.replace(/^#/, '')))

    const hits: { p: BskyPost; at: number }[] = []
    for (const p of posts.values()) {
      const at = sortAt(p)
      if (window.since !== undefined && at < window.since) continue
      if (window.until !== undefined && at >= window.until) continue
      const text = fold(p.record.text ?? '')
      // `*` matches every post (Lucene's match-all), so filters such as url, author and tag carry the query.
      if (!terms.every((t) => t === '*' || text.includes(t))) continue
      if (authorDid !== undefined && p.author.did !== authorDid) continue
      if (mentionDid !== undefined && !mentionsOf(p).includes(mentionDid)) continue
      if (lang !== undefined && !(p.record.langs ?? []).some((l) => l.toLowerCase() === lang || l.toLowerCase().startsWith(`${lang}-`))) continue
      if (domain !== undefined && !linksOf(p).some((l) => hostOf(l) === domain)) continue
      if (url !== undefined && !linksOf(p).some((l) => normUrl(l) === url)) continue
      if (tags.length > 0) {
        const own = tagsOf(p)
        if (!tags.every((t) => own.includes(t))) continue
      }
      hits.push({ p, at })
    }
    const byRecency = (a: { p: BskyPost; at: number }, b: { p: BskyPost; at: number }): number =>
      b.at - a.at || Date.parse(b.p.indexedAt) - Date.parse(a.p.indexedAt) || (a.p.uri < b.p.uri ? 1 : a.p.uri > b.p.uri ? -1 : 0)
    if (one(params, 'sort') === 'top') hits.sort((a, b) => engagement(b.p) - engagement(a.p) || byRecency(a, b))
    else hits.sort(byRecency)

    const end = Math.min(offset + limit, cap, hits.length)
    const page = offset < end ? hits.slice(offset, end) : []
    const body: AnyRecord = {}
    if (page.length === limit && offset + limit < cap) body.cursor = String(offset + limit)
    if (hits.length <= cap) body.hitsTotal = hits.length
    body.posts = page.map((h) => view(h.p, authed))
    return { status: 200, body }
  }

  const getPosts = (params: Record<string, string | string[]>, authed: boolean): Reply => {
    const uris = many(params, 'uris')
    if (uris.length === 0) return xrpcError(400, 'InvalidRequest', 'Error: Params must have the property "uris"')
    if (uris.length > 25) return xrpcError(400, 'InvalidRequest', 'Error: Params/uris must not have more than 25 elements')
    const out: AnyRecord[] = []
    const seen = new Set<string>()
    for (const [i, raw] of uris.entries()) {
      const m = /^at:\/\/([^/]+)\/([^/]+)\/([^/?#]+)$/.exec(raw)
      if (!m) return xrpcError(400, 'InvalidRequest', `Error: Params/uris/${i} must be a valid at-uri`)
      const uri = `at://${resolveActor(m[1]!)}/${m[2]}/${m[3]}`
      if (seen.has(uri)) continue
      seen.add(uri)
      const p = posts.get(uri)
      if (p) out.push(view(p, authed))
    }
    return { status: 200, body: { posts: out } }
  }

  const records: BskyCreatedRecord[] = []
  const messages: BskyChatMessage[] = []
  const convos = new Map<string, string[]>() // convo id → member DIDs
  const handleOf = (did: string): string => [...handles].find(([, d]) => d === did)?.[0] ?? 'handle.invalid'

  const createRecord = (did: string, body: AnyRecord): Reply => {
    const repo = typeof body.repo === 'string' ? resolveActor(body.repo) : undefined
    if (repo !== did) return xrpcError(400, 'InvalidRequest', 'repo must be the authenticated account')
    const collection = typeof body.collection === 'string' ? body.collection : ''
    const record = (body.record && typeof body.record === 'object' ? body.record : {}) as AnyRecord
    if (collection === 'app.bsky.feed.post') {
      const v = AppBskyFeedPost.validateRecord({ ...record, $type: 'app.bsky.feed.post' })
      if (!v.success) return xrpcError(400, 'InvalidRecord', `Invalid app.bsky.feed.post record: ${v.error.message}`)
    }
    const rkey = typeof body.rkey === 'string' ? body.rkey : tid(now() * 1000, records.length % 1024)
    const uri = `at://${did}/${collection}/${rkey}`
    const cid = cidFor(JSON.stringify([uri, record]))
    records.push({ repo: did, collection, rkey, uri, cid, record: structuredClone(record) })
    return { status: 200, body: { uri, cid, validationStatus: 'valid' } }
  }

  const resolveHandle = (params: Record<string, string | string[]>): Reply => {
    const handle = one(params, 'handle')?.toLowerCase()
    const did = handle ? handles.get(handle) : undefined
    return did ? { status: 200, body: { did } } : xrpcError(400, 'InvalidRequest', 'Unable to resolve handle')
  }

  const profile = (did: string): AnyRecord => ({ did, handle: handleOf(did) })

  const getConvoForMembers = (did: string, params: Record<string, string | string[]>): Reply => {
    const others = many(params, 'members')
    if (others.length === 0 || others.some((m) => !/^did:[a-z]+:\S+$/.test(m))) return xrpcError(400, 'InvalidRequest', 'Error: Params/members must be DIDs')
    const members = [did, ...others.filter((m) => m !== did)]
    const id = `convo-${[...members]
      .sort()
      .join('-')
      .replace(/[^a-z0-9-]/gi, '')
      .slice(-40)}`
    convos.set(id, members)
    return { status: 200, body: { convo: { id, rev: tid(now() * 1000), members: members.map(profile), muted: false, unreadCount: 0, status: 'accepted' } } }
  }

  const sendMessage = (did: string, body: AnyRecord): Reply => {
    const convoId = typeof body.convoId === 'string' ? body.convoId : ''
    const members = convos.get(convoId)
    if (!members || !members.includes(did)) return xrpcError(400, 'InvalidConvo', 'Convo not found')
    const message = (body.message && typeof body.message === 'object' ? body.message : {}) as AnyRecord
    const v = ChatBskyConvoDefs.validateMessageInput(message)
    if (!v.success) return xrpcError(400, 'InvalidRequest', `Invalid message: ${v.error.message}`)
    const text = String(message.text)
    const facets = Array.isArray(message.facets) ? (message.facets as unknown[]) : undefined
    messages.push({ convoId, members, sender: did, text, ...(facets ? { facets } : {}) })
    return {
      status: 200,
      body: {
        id: `msg-${messages.length}`,
        rev: tid(now() * 1000),
        text,
        ...(facets ? { facets } : {}),
        sender: { did },
        sentAt: new Date(now()).toISOString(),
      },
    }
  }

  /** createRecord, resolveHandle and the chat calls: a valid access token always, the chat proxy header for chat. */
  const authedCall = (
    nsid: string,
    req: http.IncomingMessage,
    token: string | undefined,
    params: Record<string, string | string[]>,
    body: AnyRecord,
  ): Reply => {
    if (!token) return xrpcError(401, 'AuthMissing', 'Authentication Required')
    const r = checkAccess(token)
    if (!('did' in r)) return r
    if (nsid.startsWith('chat.') && req.headers['atproto-proxy'] !== CHAT_PROXY) {
      return xrpcError(400, 'InvalidRequest', `chat.bsky.* must be proxied to the chat service: atproto-proxy: ${CHAT_PROXY}`)
    }
    if (nsid === CREATE_RECORD) return createRecord(r.did, body)
    if (nsid === RESOLVE_HANDLE) return resolveHandle(params)
    if (nsid === GET_CONVO_FOR_MEMBERS) return getConvoForMembers(r.did, params)
    return sendMessage(r.did, body)
  }

  const takeFault = (nsid: string): BskyFault | undefined => {
    const i = faults.findIndex((f) => (f.nsid !== undefined ? f.nsid === nsid : f.kind === 'invalid-post' ? POST_NSIDS.has(nsid) : true))
    if (i >= 0) return faults.splice(i, 1)[0]
    if (faultRate > 0 && POST_NSIDS.has(nsid) && faultRng() < faultRate) {
      const r = faultRng()
      if (r < 0.35) return { kind: 'upstream', status: 502 }
      if (r < 0.45) return { kind: 'upstream', status: 500 }
      if (r < 0.55) return { kind: 'upstream', status: 503 }
      if (r < 0.7) return { kind: 'rate-limit', resetInSeconds: 1 }
      if (r < 0.8) return { kind: 'expired-token' }
      if (r < 0.88) return { kind: 'drop' }
      if (r < 0.94) return { kind: 'malformed' }
      return { kind: 'slow', ms: 25 }
    }
    return undefined
  }

  const readBody = (req: http.IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      let size = 0
      const chunks: Buffer[] = []
      req.on('data', (c: Buffer) => {
        size += c.length
        if (size > 1_000_000) {
          reject(new Error('body too large'))
          req.destroy()
        } else chunks.push(c)
      })
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
      req.on('error', reject)
    })

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(() => {
        timers.delete(t)
        resolve()
      }, ms)
      timers.add(t)
    })

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const send = (reply: Reply, entry?: BskyRequestLog, truncate = false): void => {
      let text = JSON.stringify(reply.body)
      if (truncate) text = text.slice(0, Math.max(1, Math.floor(text.length / 2)))
      const buf = Buffer.from(text, 'utf8')
      if (entry) entry.status = reply.status
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(buf.length),
        ...reply.headers,
      })
      res.end(buf)
    }
    if (!url.pathname.startsWith('/xrpc/')) {
      send(xrpcError(404, 'NotFound', 'Not Found'))
      return
    }
    const nsid = decodeURIComponent(url.pathname.slice('/xrpc/'.length))
    const params: Record<string, string | string[]> = {}
    for (const [k, v] of url.searchParams) {
      const prev = params[k]
      params[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v]
    }
    const token = bearer(req)
    const t0 = now()
    const entry: BskyRequestLog = { at: t0, method: req.method ?? 'GET', nsid, params, status: 0, auth: tokenKind(token) }
    server.requests.push(entry)

    let body: AnyRecord = {}
    if (req.method === 'POST') {
      const raw = await readBody(req)
      if (raw.trim()) {
        try {
          const parsed = JSON.parse(raw) as unknown
          if (parsed && typeof parsed === 'object') body = parsed as AnyRecord
        } catch {
          send(xrpcError(400, 'InvalidRequest', 'Request body is not valid JSON'), entry)
          return
        }
      }
      if (nsid === CREATE_SESSION && typeof body.identifier === 'string') entry.params = { identifier: body.identifier }
    }

    // Default rate-limit headers: the PDS's 3000 requests / 5 min per IP (reported, not enforced).
    const pds = pdsLimit.hit('127.0.0.1', t0)
    const pdsHeaders = pdsLimit.headers(pds.count, pds.resetMs)
    const withHeaders = (r: Reply): Reply => ({ ...r, headers: { ...pdsHeaders, ...r.headers } })

    const fault = takeFault(nsid)
    if (fault) entry.fault = fault.kind
    if (fault?.kind === 'slow') await sleep(fault.ms)
    if (fault?.kind === 'drop') {
      req.socket.destroy()
      return
    }
    if (fault?.kind === 'rate-limit') {
      send(
        xrpcError(429, 'RateLimitExceeded', 'Rate Limit Exceeded', rateHeaders(PDS_LIMIT.points, 0, now() + fault.resetInSeconds * 1000, PDS_LIMIT.windowMs)),
        entry,
      )
      return
    }
    if (fault?.kind === 'expired-token') {
      send(withHeaders(xrpcError(400, 'ExpiredToken', 'Token has expired')), entry)
      return
    }
    if (fault?.kind === 'upstream') {
      const status = fault.status ?? 502
      const reply =
        status === 502
          ? xrpcError(502, 'UpstreamFailure', 'Upstream Failure')
          : status === 503
            ? xrpcError(503, 'NotEnoughResources', 'Not Enough Resources')
            : xrpcError(500, 'InternalServerError', 'Internal Server Error')
      send(withHeaders(reply), entry)
      return
    }

    let reply: Reply
    const expected = METHODS[nsid]
    if (!expected) reply = xrpcError(501, 'MethodNotImplemented', 'Method Not Implemented')
    else if (req.method !== expected) reply = xrpcError(400, 'InvalidRequest', `Incorrect HTTP method (${req.method}) expected ${expected}`)
    else if (nsid === CREATE_SESSION) reply = createSession(body)
    else if (nsid === REFRESH_SESSION) reply = refreshSession(token)
    else if (nsid === GET_SESSION) reply = getSession(token)
    else if (nsid === CREATE_RECORD || nsid === RESOLVE_HANDLE || nsid === GET_CONVO_FOR_MEMBERS || nsid === SEND_MESSAGE)
      reply = authedCall(nsid, req, token, params, body)
    else {
      // searchPosts / getPosts: a bearer token must be valid when present.
      let authed = false
      let denied: Reply | undefined
      if (token) {
        const r = checkAccess(token)
        if ('did' in r) authed = true
        else denied = r
      } else if (nsid === SEARCH_POSTS && requireAuth) {
        denied = xrpcError(403, 'AuthMissing', 'Authentication Required')
      }
      reply = denied ?? (nsid === SEARCH_POSTS ? searchPosts(params, authed) : getPosts(params, authed))
    }

    if (fault?.kind === 'invalid-post' && reply.status === 200) {
      const list = (reply.body as { posts?: AnyRecord[] }).posts
      if (list && list.length > 0) list[Math.floor(list.length / 2)]!.cid = BAD_CID
    }
    send(withHeaders(reply), entry, fault?.kind === 'malformed')
  }

  const httpServer = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' })
        res.end(JSON.stringify({ error: 'InternalServerError', message: String(err) }))
      } else res.destroy()
    })
  })
  httpServer.on('connection', (s: Socket) => {
    sockets.add(s)
    s.on('close', () => sockets.delete(s))
  })
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject)
    httpServer.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = httpServer.address() as AddressInfo

  const server: BskyServer = {
    url: `http://127.0.0.1:${port}`,
    requests: [],
    logins: 0,
    records,
    messages,
    inject: (...f) => void faults.push(...f),
    setFaultRate: (p, seed = 1) => {
      faultRate = p
      faultRng = prng(seed)
    },
    addPosts,
    deletePosts: (uris) => {
      for (const u of uris) posts.delete(u)
    },
    revokeSessions: () => {
      for (const t of tokens.values()) if (t.kind === 'refresh') t.revoked = true
    },
    close: async () => {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      await new Promise<void>((resolve) => {
        httpServer.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
    },
  }
  return server
}
