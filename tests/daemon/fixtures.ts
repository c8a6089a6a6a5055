/**
 * What the daemon tests share: a test config (loopback only, explicit sources and schedules), credentials
 * for the loopback servers, and the ground truth of what the X and Bluesky servers hold on topic.
 */
import path from 'node:path'
import { openDb } from '../../src/store/db.js'
import { writeTestConfig } from '../helpers.js'
export { jetstreamTruth, onTopic } from '../servers/truth.js'
import type { BskyServer } from '../servers/bluesky.js'
import type { XServer } from '../servers/x-api.js'
import { bskyTruth as completeBskyRead, xTruth as completeXRead } from '../servers/truth.js'

export const BEARER = 'daemon-test-bearer'
export const ACCOUNT = { identifier: 'daemon.test', password: 'aaaa-bbbb-cccc-dddd', did: 'did:plc:daemondaemondaemondaemo', handle: 'daemon.test' }
export const READER = { identifier: 'reader.test', password: 'eeee-ffff-gggg-hhhh', did: 'did:plc:readerreaderreaderreade', handle: 'reader.test' }

/** A cron expression that does not fire during a test (1 January, midnight). */
export const NEVER = '0 0 0 1 1 *'

export type Schedules = Partial<Record<'collect' | 'classify' | 'alerts' | 'digest' | 'maintenance', string>>

/**
 * The shipped config with explicit sources (never the shipped default, whose Jetstream is the real network),
 * the given schedules (every other job: never), and the outputs inside `dir`.
 */
export function daemonConfig(dir: string, name: string, o: { enabled: string[]; schedules?: Schedules; edit?: (c: Record<string, any>) => void }): string {
  return writeTestConfig(
    dir,
    (c) => {
      c.sources.enabled = o.enabled
      c.schedules = { collect: NEVER, classify: NEVER, alerts: NEVER, digest: NEVER, maintenance: NEVER, ...o.schedules }
      c.topics[0].budget = { x_daily_post_reads: 10_000_000, x_monthly_post_reads: 100_000_000 }
      o.edit?.(c)
    },
    name,
  )
}

/** Every on-topic post the X server answers for the config's queries since `sinceMs`, read with the test bearer. */
export function xTruth(server: XServer, configFile: string, sinceMs: number): Promise<Set<string>> {
  return completeXRead(server, configFile, BEARER, sinceMs)
}

/** Every on-topic post the Bluesky server answers for the config's queries since `sinceMs`, read as READER. */
export function bskyTruth(server: BskyServer, configFile: string, sinceMs: number): Promise<Set<string>> {
  return completeBskyRead(server, configFile, READER, sinceMs)
}

/** Read the database the daemon writes (a separate connection; WAL lets it read beside the writer). */
export function readDb<T>(file: string, fn: (db: ReturnType<typeof openDb>) => T): T {
  const db = openDb(file)
  try {
    return fn(db)
  } finally {
    db.close()
  }
}

/** What is stored for a platform: distinct ids, rows, and post_topics rows (duplicates show as rows > ids). */
export function stored(file: string, platform: string): { ids: string[]; rows: number; topicRows: number; distinctTopicRows: number } {
  return readDb(file, (d) => ({
    ids: d.prepare('SELECT DISTINCT platform_id FROM posts WHERE platform = ? ORDER BY platform_id').pluck().all(platform) as string[],
    rows: d.prepare('SELECT count(*) FROM posts WHERE platform = ?').pluck().get(platform) as number,
    topicRows: d.prepare('SELECT count(*) FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.platform = ?').pluck().get(platform) as number,
    distinctTopicRows: d
      .prepare('SELECT count(*) FROM (SELECT DISTINCT pt.post_id, pt.topic_id FROM post_topics pt JOIN posts p ON p.id = pt.post_id WHERE p.platform = ?)')
      .pluck()
      .get(platform) as number,
  }))
}

export function dbPath(dir: string, name: string): string {
  return path.join(dir, name)
}
