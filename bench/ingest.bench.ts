import Database from 'better-sqlite3'
import { readEnv } from '../src/config/env.js'
import { createContext } from '../src/context.js'
import { ingest } from '../src/jobs/ingest.js'
import { silentLogger } from '../src/logger.js'
import { normalizePayload, type Normalized } from '../src/normalize/index.js'
import { samplePayloads } from './sample-posts.js'

const TARGET_POSTS = 100_000
const BATCH = 200

/**
 * Issue 3's bar: normalize + match + store of 100,000 replayed posts at no less than half the rate of a
 * bare better-sqlite3 insert of the same rows into a single table (same batching, same run).
 */
export async function run(): Promise<void> {
  const perCopy = samplePayloads(1).reduce<number>((n, p) => n + (normalizePayload(p)?.posts.length ?? 0), 0)
  const payloads = samplePayloads(Math.ceil(TARGET_POSTS / perCopy))
  const normalized = payloads.map((p) => normalizePayload(p)!).filter(Boolean)
  const posts = normalized.flatMap((n) => n.posts)
  console.log(`${posts.length} posts in ${payloads.length} payloads`)

  // Baseline: the same posts, already parsed, inserted as plain rows into one table.
  const bare = new Database(':memory:')
  bare.pragma('journal_mode = WAL')
  bare.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY, platform TEXT, platform_id TEXT, text TEXT, created_at INTEGER, raw TEXT, UNIQUE (platform, platform_id))')
  const ins = bare.prepare('INSERT OR IGNORE INTO posts (platform, platform_id, text, created_at, raw) VALUES (?, ?, ?, ?, ?)')
  const insertMany = bare.transaction((rows: typeof posts) => {
    for (const p of rows) ins.run(p.platform, p.platformId, p.text, Date.parse(p.createdAt), JSON.stringify(p.raw))
  })
  let t = performance.now()
  for (let i = 0; i < posts.length; i += BATCH * 10) insertMany(posts.slice(i, i + BATCH * 10))
  const bareS = (performance.now() - t) / 1000

  // stancewatch: from raw payloads (normalize) through match and store, as `collect --source replay` does.
  const ctx = createContext({ env: readEnv({}), log: silentLogger, dbPath: ':memory:', configPath: 'config/stancewatch.yaml' })
  t = performance.now()
  let stored = 0
  for (let i = 0; i < payloads.length; i += BATCH) {
    const batch: Normalized[] = []
    for (const p of payloads.slice(i, i + BATCH)) {
      const n = normalizePayload(p)
      if (n) batch.push(n)
    }
    const s = ingest(ctx, batch, { source: 'replay', query: 'bench' }, { source: 'replay', key: 'bench', value: String(i) })
    stored += s.newPosts
  }
  const swS = (performance.now() - t) / 1000
  const bareRate = posts.length / bareS
  const swRate = posts.length / swS
  console.log(`bare insert:           ${bareRate.toFixed(0).padStart(8)} posts/s (${bareS.toFixed(2)} s)`)
  console.log(`normalize+match+store: ${swRate.toFixed(0).padStart(8)} posts/s (${swS.toFixed(2)} s, ${stored} stored)`)
  console.log(`ratio: ${(swRate / bareRate).toFixed(2)} of the bare rate (bar: ≥ 0.50)`)
}
