import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'
import { baseUrl } from './address.js'
import { handleApi } from './api.js'
import { asset } from './assets.js'
import { HttpError, sendJson, sendText, statusOf } from './http.js'
import { handlePage } from './pages/routes.js'
import type { WebRequest } from './request.js'
import { hostAllowed, isLoopback, newSecret, presentedToken, refuseCrossSite, sameSecret, setSecurityHeaders, TOKEN_ENV, tokenCookie } from './security.js'

export interface DashboardOptions {
  host: string
  port: number
  /** Required (and then checked on every request) unless the host is loopback. */
  token: string | null
  topic?: string
}

export interface Dashboard {
  url: string
  close: () => Promise<void>
}

/**
 * Serve the dashboard. Binding anything but loopback without a token is refused (exit 2): the API sets
 * labels, and anyone on the network could. Resolves once listening.
 */
export async function startDashboard(context: AppContext | (() => AppContext), o: DashboardOptions): Promise<Dashboard> {
  // Beside the daemon (`start --serve`), the context is the daemon's current one: a reload's new config shows here too.
  const current = typeof context === 'function' ? context : () => context
  const ctx = current()
  if (!isLoopback(o.host) && !o.token)
    throw new UsageError(`--host ${o.host} is reachable from other machines: set ${TOKEN_ENV} to a long random secret first (every request must then carry it)`)
  if (o.token !== null && o.token.length < 16) throw new UsageError(`${TOKEN_ENV} is too short: use at least 16 random characters`)
  const csrf = newSecret()
  const server = createServer((req, res) => {
    void handle(current(), o, csrf, req, res)
  })
  // Keep-alive connections would hold a stop open for their timeout; the dashboard has nothing worth keeping.
  server.keepAliveTimeout = 1000
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL' ? new UsageError(`cannot listen on ${o.host}:${o.port}: ${e.message}`) : e,
      ),
    )
    server.listen(o.port, o.host, resolve)
  })
  const port = (server.address() as AddressInfo).port
  const url = baseUrl(o.host, port)
  ctx.log.info({ url, token: Boolean(o.token) }, 'dashboard listening')
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

async function handle(ctx: AppContext, o: DashboardOptions, csrf: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  setSecurityHeaders(res)
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid')
  const api = url.pathname.startsWith('/api/')
  try {
    if (!hostAllowed(req, o.host)) throw new HttpError(403, 'this dashboard answers only to its loopback address (Host header refused)')
    if (o.token !== null) {
      // A first visit with ?token=… sets the cookie and drops the token from the address bar and history.
      const given = url.searchParams.get('token')
      if (given !== null && req.method === 'GET' && sameSecret(given, o.token)) {
        url.searchParams.delete('token')
        res.writeHead(303, { 'Set-Cookie': tokenCookie(o.token), Location: url.pathname + url.search })
        res.end()
        return
      }
      const presented = presentedToken(req)
      if (presented === null || !sameSecret(presented, o.token)) {
        res.setHeader('WWW-Authenticate', 'Bearer')
        throw new HttpError(401, `a token is required: open the dashboard once with ?token=… or send Authorization: Bearer … (${TOKEN_ENV})`)
      }
    }
    const r: WebRequest = { ctx, req, res, url, csrf, defaultTopic: o.topic }
    if (req.method === 'POST') {
      const refused = refuseCrossSite(req, csrf)
      if (refused) throw new HttpError(403, `refused: ${refused}`)
      if (!api) throw new HttpError(405, 'only the API takes POST')
      return await handleApi(r)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD, POST')
      throw new HttpError(405, `${req.method ?? ''} is not allowed`)
    }
    if (url.pathname.startsWith('/assets/')) {
      const a = asset(url.pathname)
      if (!a) throw new HttpError(404, `no asset ${url.pathname}`)
      res.writeHead(200, { 'Content-Type': a.type, 'Cache-Control': 'no-cache' })
      res.end(req.method === 'HEAD' ? undefined : a.body)
      return
    }
    if (api) return await handleApi(r)
    handlePage(r)
  } catch (e) {
    const status = statusOf(e)
    const message = status === 500 ? 'internal error (see the server log)' : (e as Error).message
    if (status === 500) ctx.log.error({ err: e, path: url.pathname }, 'dashboard request failed')
    if (res.headersSent) {
      res.end()
      return
    }
    if (api) sendJson(res, status, { error: { status, message } })
    else sendText(res, status, message)
  }
}
