import type { Env } from '../config/env.js'
import { registerSecret } from '../util/secrets.js'

const MIN_TOKEN_LENGTH = 16

/**
 * The value of the variable a channel's config names (a webhook URL whose path is its token, an SMTP URL
 * with a password), registered as a secret before anything can log it. The parts of a URL are registered
 * too: an error message or a server's answer may quote just the path, the query or the password.
 */
export function channelSecret(env: Env, name: string): string | null {
  const value = env.variable?.(name) ?? null
  if (value === null) return null
  registerSecret(value)
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return value
  }
  registerSecret(url.href)
  registerSecret(url.password)
  registerSecret(safeDecode(url.password))
  // Webhook tokens are path segments or query values (Slack /services/T…/B…/<secret>, Discord
  // /api/webhooks/<id>/<token>). Short ones ("api", "hooks", "T0") are not what makes a URL secret, and
  // scrubbing them would mangle every log line.
  const parts = [...url.pathname.split('/'), ...[...url.searchParams.values()]]
  for (const part of parts) if (part.length >= MIN_TOKEN_LENGTH) registerSecret(part)
  if (url.pathname.length >= MIN_TOKEN_LENGTH) registerSecret(`${url.pathname}${url.search}`)
  return value
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** A webhook URL from the named variable, or why the channel cannot use it (unset, or not http(s)). */
export function webhookUrl(env: Env, name: string): { url: string; problem: null } | { url: null; problem: string } {
  const value = channelSecret(env, name)
  if (value === null) return { url: null, problem: `not configured: ${name} is not set` }
  try {
    const u = new URL(value)
    if (u.protocol === 'https:' || u.protocol === 'http:') return { url: value, problem: null }
  } catch {
    /* reported below */
  }
  // The value itself is never quoted: it is the secret.
  return { url: null, problem: `not configured: ${name} is not an http(s) URL` }
}

/** An SMTP URL (`smtp://` or `smtps://`) from the named variable, or why the channel cannot use it. */
export function smtpUrl(env: Env, name: string): { url: string; problem: null } | { url: null; problem: string } {
  const value = channelSecret(env, name)
  if (value === null) return { url: null, problem: `not configured: ${name} is not set` }
  if (!/^smtps?:\/\/[^/]/i.test(value)) return { url: null, problem: `not configured: ${name} is not an smtp:// or smtps:// URL` }
  return { url: value, problem: null }
}

/** The Bluesky channel posts as the collector's account. */
export function blueskyProblem(env: Env): string | null {
  return env.bluesky.identifier && env.bluesky.appPassword ? null : 'not configured: BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set'
}
