import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { isIP } from 'node:net'

/** The environment variable that holds the dashboard's token (required to bind anything but loopback). */
export const TOKEN_ENV = 'STANCEWATCH_DASHBOARD_TOKEN'
export const TOKEN_COOKIE = 'stancewatch_token'

/** Loopback addresses: only this machine can reach them, so the token is optional there. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  if (h === 'localhost' || h === '::1') return true
  return isIP(h) === 4 && h.startsWith('127.')
}

/**
 * On every response. No inline script or style and nothing from another origin: post text that escaped
 * escaping still could not run or load anything. The page may not be framed (clickjacking on the label buttons).
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

export function setSecurityHeaders(res: ServerResponse): void {
  for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v)
}

/** Equal strings, compared in time that does not depend on where they differ. */
export function sameSecret(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest()
  const y = createHash('sha256').update(b).digest()
  return timingSafeEqual(x, y)
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url')
}

function cookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === name) return decodeURIComponent(v.join('='))
  }
  return null
}

/** The token a request carries: `Authorization: Bearer …` or the cookie a `?token=` visit set. */
export function presentedToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim()
  return cookie(req, TOKEN_COOKIE)
}

export function tokenCookie(token: string): string {
  // HttpOnly: no script reads it; SameSite=Strict: another site's page never sends it.
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`
}

/**
 * On loopback, the Host header must name loopback too: a page on another site whose name was made to
 * resolve to 127.0.0.1 (DNS rebinding) sends its own name, and is refused.
 */
export function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!isLoopback(boundHost)) return true
  const host = req.headers.host ?? ''
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!
  return isLoopback(name)
}

/**
 * A state-changing request must come from our own pages: the browser says so (Sec-Fetch-Site, Origin), and
 * it carries the CSRF token only our pages know. Returns why it is refused, or null.
 */
export function refuseCrossSite(req: IncomingMessage, csrf: string): string | null {
  const site = req.headers['sec-fetch-site']
  if (site !== undefined && site !== 'same-origin') return `cross-site request (Sec-Fetch-Site: ${String(site)})`
  const origin = req.headers.origin
  if (origin === undefined && site === undefined) return 'no Origin header'
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) return `cross-origin request (Origin: ${origin})`
  const token = req.headers['x-csrf-token']
  if (typeof token !== 'string' || !sameSecret(token, csrf)) return 'missing or wrong CSRF token'
  return null
}
