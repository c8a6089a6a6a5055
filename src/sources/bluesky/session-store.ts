import type { AppContext } from '../../context.js'
import { clearSession, loadSession, loginTimesSince, recordLogin, saveSession } from '../../store/sessions.js'
import type { SessionStore } from './session.js'

/**
 * The session of BSKY_IDENTIFIER on BSKY_SERVICE in the database. Collector and notifier both use this,
 * so they share one session and one count of logins; tokens never leave the table.
 */
export function sessionStore(ctx: AppContext): SessionStore {
  const service = ctx.env.bluesky.service
  const who = ctx.env.bluesky.identifier ?? ''
  return {
    load: () => loadSession(ctx.db, service, who),
    save: (s) => saveSession(ctx.db, service, who, s, ctx.now().getTime()),
    clear: () => clearSession(ctx.db, service, who),
    loginTimesSince: (ms) => loginTimesSince(ctx.db, service, who, ms),
    recordLogin: (ok) => recordLogin(ctx.db, service, who, ok, ctx.now().getTime()),
  }
}
