import { InvalidArgumentError } from 'commander'
import { registerSecret } from '../util/secrets.js'
import { TOKEN_ENV } from '../web/security.js'
import type { Io } from './io.js'

/** A TCP port; 0 asks the system for a free one (the line printed says which). */
export function port(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('use a port number from 0 to 65535')
  return n
}

/** The dashboard's token from the environment (or .env), kept out of every log line. */
export function dashboardToken(io: Io): string | null {
  const t = io.env[TOKEN_ENV]?.trim()
  if (!t) return null
  registerSecret(t)
  return t
}

export const SERVE_HELP = `
Pages: / stance over time (chart, filters; click a bucket for its posts), /posts (search, filters, labelling
with one key, undo), /review (least certain first: keys 1…n, s skip, u undo; model figures, retrain),
/alerts (state, context), /digests (the archive), /health (what \`status\` shows). JSON under /api/.

Security: it listens on 127.0.0.1 unless --host says otherwise. Any other address needs ${TOKEN_ENV}
(at least 16 characters) and every request must then carry it: open the dashboard once with ?token=…
(it becomes an HttpOnly cookie) or send Authorization: Bearer …. Changes (labels, alert states, retrain)
are accepted only from the dashboard's own pages (same origin and a CSRF token).`
