import type { Db } from './db.js'
import { stmt } from './statements.js'

/** A process: enough to tell, after a crash or a reboot, whether it still exists. */
export interface ProcessIdentity {
  pid: number
  host: string
  bootId: string | null
}

export interface LeaseHolder extends ProcessIdentity {
  name: string
  command: string
  acquiredAt: number
  heartbeatAt: number
}

export type LeaseResult = { acquired: true; tookOver: LeaseHolder | null } | { acquired: false; holder: LeaseHolder }

const SELECT = 'SELECT name, pid, host, boot_id AS bootId, command, acquired_at AS acquiredAt, heartbeat_at AS heartbeatAt FROM leases'

export function leaseHolder(db: Db, name: string): LeaseHolder | null {
  return (stmt(db, `${SELECT} WHERE name = ?`).get(name) as LeaseHolder | undefined) ?? null
}

export function leasesLike(db: Db, prefix: string): LeaseHolder[] {
  return stmt(db, `${SELECT} WHERE name >= ? AND name < ? ORDER BY name`).all(prefix, `${prefix}\uffff`) as LeaseHolder[]
}

const same = (a: ProcessIdentity, b: ProcessIdentity) => a.pid === b.pid && a.host === b.host && a.bootId === b.bootId

/**
 * Take a named lease for `me`, in one write transaction: free, already ours, or held by a process that is
 * gone (`isGone` decides: crashed, killed, rebooted) — then it is ours. Otherwise the holder is returned.
 */
export function tryAcquireLease(db: Db, name: string, me: ProcessIdentity & { command: string }, at: number, isGone: (h: LeaseHolder) => boolean): LeaseResult {
  return db
    .transaction((): LeaseResult => {
      const holder = leaseHolder(db, name)
      if (holder && !same(holder, me) && !isGone(holder)) return { acquired: false, holder }
      stmt(
        db,
        `INSERT INTO leases (name, pid, host, boot_id, command, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET pid = excluded.pid, host = excluded.host, boot_id = excluded.boot_id,
           command = excluded.command, acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at`,
      ).run(name, me.pid, me.host, me.bootId, me.command, at, at)
      return { acquired: true, tookOver: holder && !same(holder, me) ? holder : null }
    })
    .immediate()
}

/** Refresh a held lease; false when it is no longer ours (another process took it over). */
export function heartbeatLease(db: Db, name: string, me: ProcessIdentity, at: number): boolean {
  return stmt(db, 'UPDATE leases SET heartbeat_at = ? WHERE name = ? AND pid = ? AND host = ?').run(at, name, me.pid, me.host).changes > 0
}

export function releaseLease(db: Db, name: string, me: ProcessIdentity): void {
  stmt(db, 'DELETE FROM leases WHERE name = ? AND pid = ? AND host = ?').run(name, me.pid, me.host)
}
