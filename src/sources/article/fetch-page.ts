import http from 'node:http'
import https from 'node:https'
import { createRequire } from 'node:module'
import zlib from 'node:zlib'
import { InputError, UsageError } from '../../domain/errors.js'

/*
 * One article page, fetched once on a person's request (`topic add URL`). A page is untrusted input from
 * anywhere, so every dimension is bounded: http(s) only, a connect timeout and a total one (redirects
 * included), a size cap applied to the decoded bytes (a gzip bomb stops as early as a huge page), a few
 * redirects, and HTML only. Node's own http client rather than fetch: it lets the connect timeout be told
 * apart from a server that accepts and never answers, and the size cap stop the socket mid-body.
 */

export interface FetchLimits {
  /** Time to open the connection (TCP, and TLS for https). */
  connectTimeoutMs: number
  /** The whole fetch, every redirect included. */
  totalTimeoutMs: number
  /** Decoded bytes read from one body; beyond it the page is refused. */
  maxBytes: number
  maxRedirects: number
}

export const DEFAULT_LIMITS: FetchLimits = { connectTimeoutMs: 10_000, totalTimeoutMs: 30_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5 }

export interface FetchedPage {
  /** The URL asked for, as given. */
  requested: string
  /** Where the page was finally read (after redirects). */
  url: string
  /** Every URL that answered with a redirect, in order. */
  redirects: string[]
  status: number
  contentType: string
  html: string
  bytes: number
}

/** The network or the server failed us (exit 1): unreachable, timed out, an error status, too big, too many hops. */
export class PageFetchError extends Error {
  override name = 'PageFetchError'
}

const pkg = createRequire(import.meta.url)('../../../package.json') as { version?: string; homepage?: string }

/**
 * Who is asking, honestly: the program and its version, and where to read about it when package.json names
 * a homepage. No browser disguise: a site that refuses bots should refuse this one.
 */
export const USER_AGENT = `stancewatch/${pkg.version ?? '0'} (${pkg.homepage ? `+${pkg.homepage}` : 'news-reaction monitor; one page on a user request'})`

const HTML_TYPES = new Set(['text/html', 'application/xhtml+xml'])

/** Fetch an HTML page within the limits; throws UsageError (not http(s)), InputError (not HTML, gone) or PageFetchError. */
export async function fetchArticlePage(input: string, limits: FetchLimits = DEFAULT_LIMITS): Promise<FetchedPage> {
  let url = parseHttpUrl(input)
  const deadline = Date.now() + limits.totalTimeoutMs
  const redirects: string[] = []
  for (;;) {
    const answer = await requestOnce(url, limits, deadline)
    if (answer.status >= 300 && answer.status < 400 && answer.location !== undefined) {
      redirects.push(url.href)
      if (redirects.length > limits.maxRedirects)
        throw new PageFetchError(
          `${input}: more than ${limits.maxRedirects} redirects (last: ${url.href} → ${answer.location}); open it in a browser and give the final address`,
        )
      let next: URL
      try {
        next = new URL(answer.location, url)
      } catch {
        throw new PageFetchError(`${url.href} redirects to an address that is not a URL: ${JSON.stringify(answer.location)}`)
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new PageFetchError(`${url.href} redirects to ${next.protocol} (only http and https are followed)`)
      url = next
      continue
    }
    if (answer.status === 404 || answer.status === 410) throw new InputError(`${url.href} answered ${answer.status} (no such page): check the address`)
    if (answer.status < 200 || answer.status >= 300) throw new PageFetchError(`${url.href} answered HTTP ${answer.status}`)
    const type = answer.contentType.split(';')[0]!.trim().toLowerCase()
    if (!HTML_TYPES.has(type))
      throw new InputError(`${url.href} is not an HTML page (Content-Type: ${answer.contentType || 'none'}): give the address of the article's web page`)
    return {
      requested: input,
      url: url.href,
      redirects,
      status: answer.status,
      contentType: answer.contentType,
      html: decodeHtml(answer.body, answer.contentType),
      bytes: answer.body.length,
    }
  }
}

export function parseHttpUrl(input: string): URL {
  let url: URL
  try {
    url = new URL(input.trim())
  } catch {
    throw new UsageError(`"${input}" is not a URL: give the article's full address, e.g. https://www.example.com/2025/07/16/article.html`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`"${input}" is not an http(s) address: only web pages can be read`)
  return url
}

interface Answer {
  status: number
  location?: string
  contentType: string
  body: Buffer
}

function requestOnce(url: URL, limits: FetchLimits, deadline: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const lib = url.protocol === 'https:' ? https : http
    const req = lib.request(url, {
      method: 'GET',
      headers: {
        'user-agent': USER_AGENT,
        accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
        'accept-encoding': 'gzip, deflate, br',
        'accept-language': 'en;q=0.9, *;q=0.5',
      },
    })
    let settled = false
    const fail = (e: Error) => {
      if (settled) return
      settled = true
      clearTimeout(total)
      clearTimeout(connect)
      req.destroy()
      reject(e)
    }
    const total = setTimeout(
      () => fail(new PageFetchError(`${url.href}: no complete answer within ${seconds(limits.totalTimeoutMs)} (timeout); try again, or raise --timeout`)),
      Math.max(0, deadline - Date.now()),
    )
    const connect = setTimeout(
      () => fail(new PageFetchError(`${url.href}: could not connect within ${seconds(limits.connectTimeoutMs)} (connect timeout)`)),
      Math.min(limits.connectTimeoutMs, Math.max(0, deadline - Date.now())),
    )
    req.on('socket', (socket) => {
      const connected = () => clearTimeout(connect)
      if (!socket.connecting) connected()
      else socket.once(url.protocol === 'https:' ? 'secureConnect' : 'connect', connected)
    })
    req.on('error', (e: NodeJS.ErrnoException) => fail(new PageFetchError(`${url.href}: ${e.code ? `${e.code} ` : ''}${e.message}`)))
    req.on('response', (res) => {
      const status = res.statusCode ?? 0
      const location = res.headers.location
      const contentType = res.headers['content-type'] ?? ''
      // A redirect or an error's body is not read: only its status and headers matter.
      if ((status >= 300 && status < 400 && location !== undefined) || status < 200 || status >= 300) {
        settled = true
        clearTimeout(total)
        res.resume()
        req.destroy()
        resolve({ status, location, contentType, body: Buffer.alloc(0) })
        return
      }
      const declared = Number(res.headers['content-length'])
      const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase()
      if (!encoding && declared > limits.maxBytes) return fail(tooBig(url, limits))
      const decoded = decoder(encoding)
      const stream = decoded ? res.pipe(decoded) : res
      if (decoded) decoded.on('error', (e) => fail(new PageFetchError(`${url.href}: the ${encoding} body cannot be decoded (${e.message})`)))
      const chunks: Buffer[] = []
      let size = 0
      stream.on('data', (chunk: Buffer) => {
        if (settled) return
        size += chunk.length
        if (size > limits.maxBytes) return fail(tooBig(url, limits))
        chunks.push(chunk)
      })
      stream.on('end', () => {
        if (settled) return
        settled = true
        clearTimeout(total)
        resolve({ status, contentType, body: Buffer.concat(chunks) })
      })
      res.on('error', (e) => fail(new PageFetchError(`${url.href}: the answer broke off (${e.message})`)))
      res.on('aborted', () => fail(new PageFetchError(`${url.href}: the answer broke off`)))
    })
    req.end()
  })
}

function decoder(encoding: string): zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | null {
  if (encoding === 'gzip' || encoding === 'x-gzip') return zlib.createGunzip()
  if (encoding === 'deflate') return zlib.createInflate()
  if (encoding === 'br') return zlib.createBrotliDecompress()
  return null
}

function tooBig(url: URL, limits: FetchLimits): PageFetchError {
  return new PageFetchError(
    `${url.href}: the page is larger than ${Math.round(limits.maxBytes / 1024 / 1024)} MB; stopped reading (an article page is far smaller)`,
  )
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`
}

/** Bytes → text in the page's charset: the header's, else a <meta charset> in the first bytes, else UTF-8. */
function decodeHtml(body: Buffer, contentType: string): string {
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType)?.[1]
  const head = body.subarray(0, 2048).toString('latin1')
  const fromMeta = /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1]
  for (const label of [fromHeader, fromMeta, 'utf-8']) {
    if (!label) continue
    try {
      return new TextDecoder(label).decode(body)
    } catch {
      // An unknown charset name: try the next source.
    }
  }
  return body.toString('utf8')
}
