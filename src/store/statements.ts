import type { Statement } from 'better-sqlite3'
import type { Db } from './db.js'

const cache = new WeakMap<Db, Map<string, Statement>>()

/** Prepare once per connection: hot paths (one statement per post) must not re-parse SQL every call. */
export function stmt(db: Db, sql: string): Statement {
  let byDb = cache.get(db)
  if (!byDb) cache.set(db, (byDb = new Map<string, Statement>()))
  let s = byDb.get(sql)
  if (!s) byDb.set(sql, (s = db.prepare(sql)))
  return s
}
