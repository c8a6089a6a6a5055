import type { SessionStore, StoredSession } from '../domain/session.js'
import type { Db } from './db.js'
import { stmt } from './statements.js'

/**
 * The session of an account on a service, kept in the database. Collector and notifier both use it, so
 * they share one session and one count of logins; tokens never leave the table.
 */
export function sessionStore(db: Db, account: { service: string; identifier: string | null }, now: () => number): SessionStore {
  const { service } = account
  const who = account.identifier ?? ''
  return {
    load: () => loadSession(db, service, who),
    save: (s) => saveSession(db, service, who, s, now()),
    clear: () => clearSession(db, service, who),
    loginTimesSince: (ms) => loginTimesSince(db, service, who, ms),
    recordLogin: (ok) => recordLogin(db, service, who, ok, now()),
  }
}

/** The saved session of an account on a service, so later runs resume it instead of logging in again. */
export function loadSession(db: Db, service: string, identifier: string): StoredSession | null {
  const r = stmt(db, 'SELECT did, handle, access_jwt AS accessJwt, refresh_jwt AS refreshJwt FROM sessions WHERE service = ? AND identifier = ?').get(
    service,
    identifier,
  ) as StoredSession | undefined
  return r ?? null
}

export function saveSession(db: Db, service: string, identifier: string, s: StoredSession, at: number): void {
  stmt(
    db,
    `INSERT INTO sessions (service, identifier, did, handle, access_jwt, refresh_jwt, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (service, identifier) DO UPDATE SET did = excluded.did, handle = excluded.handle, access_jwt = excluded.access_jwt,
       refresh_jwt = excluded.refresh_jwt, updated_at = excluded.updated_at`,
  ).run(service, identifier, s.did, s.handle, s.accessJwt, s.refreshJwt, at)
}

export function clearSession(db: Db, service: string, identifier: string): void {
  stmt(db, 'DELETE FROM sessions WHERE service = ? AND identifier = ?').run(service, identifier)
}

/** A createSession that reached Bluesky (it answered, whatever it said): the ones its login limits count. */
export function recordLogin(db: Db, service: string, identifier: string, ok: boolean, at: number): void {
  stmt(db, 'INSERT INTO login_attempts (service, identifier, at, ok) VALUES (?, ?, ?, ?)').run(service, identifier, at, ok ? 1 : 0)
}

/** When recorded logins happened since `since` (ms), newest first: one read serves every window. */
export function loginTimesSince(db: Db, service: string, identifier: string, since: number): number[] {
  return stmt(db, 'SELECT at FROM login_attempts WHERE service = ? AND identifier = ? AND at >= ? ORDER BY at DESC')
    .pluck()
    .all(service, identifier, since) as number[]
}
