import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { migrate } from '../../src/store/migrate.js'
import { markTopicsCollected } from '../../src/store/topic-coverage.js'
import { tempDir } from '../helpers.js'
import { startBskyServer, type BskyPost, type BskyServer } from '../servers/bluesky.js'
import { makeBskyDataset } from '../servers/bluesky-data.js'
import { closedLoopbackPort } from '../servers/closed-port.js'
import { startJetstreamServer, type JetstreamEvent } from '../servers/jetstream.js'
import { makeJetstreamEvents } from '../servers/jetstream-data.js'
import { startXServer } from '../servers/x-api.js'
import { snowflakeFromMs } from '../../tools/synthetic/ids.js'
import { seededRandom } from '../../tools/synthetic/random.js'
import { makeXDataset, type XTweet } from '../servers/x-data.js'
import { childEnv, killLeftovers, procUsage, runCli, startDaemonProc, waitUntil } from './daemon-process.js'
import { ACCOUNT, BEARER, bskyTruth, daemonConfig, dbPath, jetstreamTruth, READER, readDb, stored, xTruth } from './fixtures.js'

/*
 * Soak: the daemon with every job on a seconds-level schedule against the loopback X, Bluesky and Jetstream
 * servers, which keep receiving posts (Jetstream streams continuously), for STANCEWATCH_SOAK_SECONDS (150 s
 * by default; set it for a longer run by hand). Then: every slot of every job ran once and runs of a job
 * never overlapped; resident memory and open descriptors stayed flat (the median of the last third of the
 * samples against that of the second third: memory settles after warm-up, so no absolute numbers); nothing
 * is stored twice and, after a final collection, the database equals what the servers hold on topic; and the
 * daemon exits 0 on SIGTERM. The figures are printed.
 */

const SOAK_SECONDS = Number(process.env.STANCEWATCH_SOAK_SECONDS ?? 150)
const SAMPLE_MS = 3000
/** Jetstream events per second (all kinds; a tenth of the post creates are on topic). */
const JETSTREAM_RATE = 20
/** Memory and descriptors may grow this much between the second and the last third (medians). */
const RSS_TOLERANCE = 1.25
const FD_TOLERANCE = 5

const SCHEDULES = {
  collect: '*/5 * * * * *',
  classify: '*/6 * * * * *',
  alerts: '*/10 * * * * *',
  digest: '*/15 * * * * *',
  maintenance: '*/20 * * * * *',
}

const tmp = tempDir('stancewatch-soak-')
afterEach(killLeftovers)
afterAll(tmp.cleanup)

/**
 * The AppView sees what the network carries: every post the stream sends is in the loopback Bluesky index
 * too (search finds it, getPosts returns its counts), edits replace it and deletions remove it.
 */
function mirrorToAppView(bsky: BskyServer, events: readonly JetstreamEvent[]): void {
  const add: BskyPost[] = []
  const gone: string[] = []
  for (const e of events) {
    const c = e.commit
    if (e.kind !== 'commit' || !c || c.collection !== 'app.bsky.feed.post') continue
    const uri = `at://${e.did}/app.bsky.feed.post/${c.rkey}`
    if (c.operation === 'delete') {
      gone.push(uri)
      continue
    }
    const record = c.record as unknown as BskyPost['record']
    const external = (record.embed as { $type?: string; external?: { uri: string; title: string; description: string } } | undefined)?.external
    add.push({
      uri,
      cid: c.cid!,
      author: { did: e.did, handle: `${e.did.slice('did:plc:'.length)}.bsky.social` },
      record,
      indexedAt: new Date(Math.floor(e.time_us / 1000)).toISOString(),
      likeCount: 0,
      repostCount: 0,
      replyCount: 0,
      quoteCount: 0,
      ...(external ? { embed: { $type: 'app.bsky.embed.external#view', external: { ...external } } } : {}),
    })
  }
  if (add.length) bsky.addPosts(add)
  if (gone.length) bsky.deletePosts(gone)
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length ? s[Math.floor((s.length - 1) / 2)]! : NaN
}
const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`

interface JobRunRow {
  id: number
  job: string
  status: string
  reason: string | null
  trigger: string
  slot_at: number | null
  started_at: number
  finished_at: number | null
}

describe('soak', () => {
  it(
    `every job on a seconds schedule for ${SOAK_SECONDS} s against the loopback X, Bluesky and Jetstream: runs once per slot, flat memory and descriptors, nothing doubled`,
    async () => {
      const now = Date.now()
      const rng = seededRandom(424242)
      const xData = makeXDataset({ seed: 41, count: 300, now })
      const x = await startXServer({ ...xData, bearer: BEARER, rateLimit: { limit: 1_000_000, windowMs: 15 * 60_000 } })
      const bsky = await startBskyServer({ posts: makeBskyDataset({ seed: 43, count: 200, now, days: 3 }), accounts: [ACCOUNT, READER] })
      const jet = await startJetstreamServer({ events: [] })
      try {
        const config = daemonConfig(tmp.dir, 'soak.yaml', {
          enabled: ['jetstream', 'x', 'bluesky'],
          schedules: SCHEDULES,
          edit: (c) => {
            c.sources.x = { first_run_lookback_hours: 160 }
            c.sources.bluesky = { first_run_lookback_hours: 96 }
          },
        })
        const db = dbPath(tmp.dir, 'soak.sqlite')
        const env = childEnv(await closedLoopbackPort(), {
          STANCEWATCH_CONFIG: config,
          STANCEWATCH_DB: db,
          X_API_BASE_URL: x.url,
          X_BEARER_TOKEN: BEARER,
          BSKY_SERVICE: bsky.url,
          BSKY_PUBLIC_API: bsky.url,
          BSKY_IDENTIFIER: ACCOUNT.identifier,
          BSKY_APP_PASSWORD: ACCOUNT.password,
          JETSTREAM_URL: jet.url,
        })
        // The topic was first collected two days ago (a deployment already running): the digest job has days
        // to write, once each, instead of skipping every run on a fresh database.
        readDb(db, (d) => {
          migrate(d)
          markTopicsCollected(
            d,
            loadConfig(config).config.topics.map((t) => t.id),
            now - 2 * 86_400_000,
          )
        })
        const daemon = startDaemonProc({ env, cwd: tmp.dir })
        await daemon.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started')
        // The first connection has no cursor (live tail): stream only once it is connected, so nothing is missed.
        await daemon.waitForLine((l) => l.msg === 'Jetstream connected', 'Jetstream connected')

        const startUs = Date.now() * 1000 + 100_000
        const events: JetstreamEvent[] = makeJetstreamEvents({
          seed: 47,
          count: Math.ceil(SOAK_SECONDS * JETSTREAM_RATE),
          startUs,
          spacingUs: 1_000_000 / JETSTREAM_RATE,
          topicShare: 0.1,
        })
        let pushed = 0
        const samples: { at: number; rssKb: number; fds: number }[] = []
        const t0 = Date.now()
        let nextPosts = t0
        let nextSample = t0
        let seq = 0
        const xArrivals: string[] = []
        let bskyArrivals = 0
        while (Date.now() - t0 < SOAK_SECONDS * 1000) {
          expect(daemon.exit, `the daemon ended during the soak:\n${daemon.stderr().slice(-3000)}`).toBeNull()
          const t = Date.now()
          // Jetstream: every event whose time has come.
          const due: JetstreamEvent[] = []
          while (pushed < events.length && events[pushed]!.time_us <= t * 1000) due.push(events[pushed++]!)
          if (due.length) {
            mirrorToAppView(bsky, due)
            jet.push(...due)
          }
          if (t >= nextPosts) {
            nextPosts += 2000
            // X: a few new posts, most about the article.
            const at = t - 1000
            const tweets: XTweet[] = Array.from({ length: 3 }, (_, k) => {
              const id = snowflakeFromMs(at, seq++ * 4 + k)
              const topic = rng() < 0.8
              return {
                id,
                text: topic ? `China's $8.5bn state AI fund backs start-up #${seq}.${k}` : `Lunch was great today ${seq}.${k}`,
                author_id: xData.users[Math.floor(rng() * xData.users.length)]!.id,
                created_at: new Date(at).toISOString(),
                lang: 'en',
                conversation_id: id,
                edit_history_tweet_ids: [id],
                public_metrics: {
                  retweet_count: 0,
                  reply_count: 0,
                  like_count: Math.floor(rng() * 5),
                  quote_count: 0,
                  bookmark_count: 0,
                  impression_count: 10,
                },
              }
            })
            x.addTweets(tweets)
            xArrivals.push(...tweets.map((tw) => tw.id))
            // Bluesky search: a few new posts.
            const fresh = makeBskyDataset({ seed: 1000 + seq, count: 3, now: t - 2000, days: 0.0005 })
            bsky.addPosts(fresh)
            bskyArrivals += fresh.length
          }
          if (t >= nextSample) {
            nextSample += SAMPLE_MS
            const u = procUsage(daemon.pid)
            if (u) samples.push({ at: t - t0, ...u })
          }
          await sleep(200)
        }
        if (pushed < events.length) {
          mirrorToAppView(bsky, events.slice(pushed))
          jet.push(...events.slice(pushed))
        }
        pushed = events.length
        // The last event the daemon receives: the server sends commits of the wanted collection (posts) only.
        const lastUs = events.filter((e) => e.kind !== 'commit' || e.commit?.collection === 'app.bsky.feed.post').at(-1)!.time_us

        // Let the stream catch up with what was sent (its stored cursor covers the last event), then stop.
        await waitUntil(
          () => readDb(db, (d) => Number(d.prepare("SELECT value FROM cursors WHERE source = 'jetstream' AND key = 'subscribe'").pluck().get() ?? 0) >= lastUs),
          'the Jetstream cursor covering the last event',
        )
        daemon.signal('SIGTERM')
        const exit = await daemon.exited
        expect(exit, daemon.stderr().slice(-3000)).toEqual({ code: 0, signal: null })
        expect(daemon.lines.some((l) => l.msg?.startsWith('shutdown took longer'))).toBe(false)
        expect(daemon.lines.filter((l) => l.msg).at(-1)?.msg).toBe('stancewatch daemon stopped')

        // ---- runs: once per slot, never overlapping, none left running ----
        const runs = readDb(
          db,
          (d) => d.prepare('SELECT id, job, status, reason, trigger, slot_at, started_at, finished_at FROM job_runs ORDER BY id').all() as JobRunRow[],
        )
        const perJob = new Map<string, JobRunRow[]>()
        for (const r of runs) perJob.set(r.job, [...(perJob.get(r.job) ?? []), r])
        const figures: string[] = []
        for (const job of Object.keys(SCHEDULES)) {
          const rs = perJob.get(job) ?? []
          expect(rs.length, `${job} runs`).toBeGreaterThanOrEqual(2)
          const scheduled = rs.filter((r) => r.trigger === 'schedule')
          expect(scheduled.length, `${job}: every run is a scheduled one`).toBe(rs.length)
          const slots = scheduled.map((r) => r.slot_at)
          expect(new Set(slots).size, `${job}: a slot ran twice`).toBe(slots.length)
          expect(slots.every((s) => s !== null)).toBe(true)
          for (let i = 1; i < rs.length; i++) {
            const prev = rs[i - 1]!
            const cur = rs[i]!
            expect(prev.finished_at, `${job} run ${prev.id} unfinished`).not.toBeNull()
            expect(cur.started_at, `${job} run ${cur.id} started before run ${prev.id} finished`).toBeGreaterThanOrEqual(prev.finished_at!)
            expect(cur.slot_at!, `${job}: slots go forward`).toBeGreaterThan(prev.slot_at!)
            // A run starts at (or after) its slot, never before.
            expect(cur.started_at).toBeGreaterThanOrEqual(cur.slot_at!)
          }
          const byStatus: Record<string, number> = {}
          for (const r of rs) byStatus[r.status] = (byStatus[r.status] ?? 0) + 1
          figures.push(`  ${job.padEnd(12)} ${String(rs.length).padStart(4)} runs  ${JSON.stringify(byStatus)}`)
          for (const r of rs.filter((x) => x.status !== 'ok' && x.status !== 'skipped'))
            figures.push(`    ${job} run ${r.id} (${r.trigger}, slot ${new Date(r.slot_at ?? 0).toISOString()}): ${r.status}: ${r.reason}`)
          const failed = rs.filter((r) => r.status === 'failed' || r.status === 'interrupted')
          expect(
            failed.map((r) => `${r.status}: ${r.reason}`),
            `${job}: runs that failed`,
          ).toEqual([])
          // Partial only for the run the final SIGTERM cut short.
          const partial = rs.filter((r) => r.status === 'partial')
          expect(
            partial.every((r) => r === rs.at(-1) && /stopped on request/.test(r.reason ?? '')),
            `${job}: partial runs ${JSON.stringify(partial)}`,
          ).toBe(true)
        }
        expect(runs.filter((r) => r.finished_at === null)).toEqual([])
        // Every digest run rewrote yesterday's digest (later data counts) and wrote the missed day once; each
        // day was delivered once, however many runs rebuilt it.
        expect((perJob.get('digest') ?? []).map((r) => r.status).filter((st) => st !== 'ok')).toEqual([])
        const digestDays = readDb(db, (d) => d.prepare('SELECT day FROM digests').pluck().all() as string[])
        expect(digestDays.length).toBeGreaterThan(0)
        expect(new Set(digestDays).size).toBe(digestDays.length)
        expect(readdirSync(path.join(tmp.dir, 'digests')).filter((f) => f.endsWith('.md')).length).toBe(digestDays.length)
        const delivered = readDb(
          db,
          (d) =>
            d
              .prepare("SELECT message_key AS key, count(*) AS n FROM deliveries WHERE status = 'sent' AND message_key LIKE 'digest:%' GROUP BY message_key")
              .all() as { key: string; n: number }[],
        )
        expect(delivered.map((x) => x.key).sort()).toEqual(digestDays.map((day) => `digest:${loadConfig(config).config.topics[0]!.id}:${day}`).sort())
        expect(delivered.filter((x) => x.n !== 1)).toEqual([])

        // ---- memory and descriptors: flat after warm-up ----
        expect(samples.length).toBeGreaterThanOrEqual(9)
        const third = Math.floor(samples.length / 3)
        const second = samples.slice(third, 2 * third)
        const last = samples.slice(2 * third)
        const rssMid = median(second.map((s) => s.rssKb))
        const rssEnd = median(last.map((s) => s.rssKb))
        const fdMid = median(second.map((s) => s.fds))
        const fdEnd = median(last.map((s) => s.fds))

        // ---- nothing doubled; after a final collection, exactly the servers' posts on topic ----
        for (const source of ['x', 'bluesky']) {
          const r = await runCli(['collect', '--source', source], { env, cwd: tmp.dir })
          expect(r.code, `${source}: ${r.stderr}`).toBe(0)
        }
        // What the stream sent: post commits (the wanted collection) and identity/account events.
        const sent = events.filter((e) => e.kind !== 'commit' || e.commit?.collection === 'app.bsky.feed.post')
        const streamed = jetstreamTruth(config, sent)
        const xWant = await xTruth(x, config, now - 160 * 3_600_000)
        const searched = await bskyTruth(bsky, config, now - 96 * 3_600_000)
        const bskyWant = new Set([...searched, ...streamed])
        const xGot = stored(db, 'x')
        const bskyGot = stored(db, 'bluesky')
        for (const [name, got, want] of [
          ['x', xGot, xWant],
          ['bluesky', bskyGot, bskyWant],
        ] as const) {
          expect(got.rows, `${name}: a post stored twice`).toBe(got.ids.length)
          expect(got.topicRows, `${name}: a post_topics row twice`).toBe(got.distinctTopicRows)
          const extra = got.ids.filter((id) => !want.has(id))
          // On failure, what the unexpected posts are and why they were kept.
          if (extra.length)
            console.log(
              JSON.stringify(
                readDb(db, (d) =>
                  d
                    .prepare(
                      `SELECT p.platform_id, p.text, pt.rules, pt.source, p.deleted_at FROM posts p JOIN post_topics pt ON pt.post_id = p.id WHERE p.platform_id IN (${extra.map(() => '?').join(',')})`,
                    )
                    .all(...extra),
                ),
                null,
                1,
              ),
            )
          expect(extra, `${name}: stored but not on the server's topic`).toEqual([])
          expect(
            [...want].filter((id) => !got.ids.includes(id)),
            `${name}: on the server, never stored`,
          ).toEqual([])
        }
        // Only posts deleted upstream are marked deleted (the engagement refresh agrees with the stream).
        const deletedUpstream = new Set(sent.filter((e) => e.commit?.operation === 'delete').map((e) => `at://${e.did}/app.bsky.feed.post/${e.commit!.rkey}`))
        const markedDeleted = readDb(db, (d) => d.prepare('SELECT platform_id FROM posts WHERE deleted_at IS NOT NULL').pluck().all() as string[])
        expect(
          markedDeleted.filter((id) => !deletedUpstream.has(id)),
          'marked deleted but never deleted upstream',
        ).toEqual([])
        expect(
          [...deletedUpstream].filter((id) => bskyGot.ids.includes(id) && !markedDeleted.includes(id)),
          'deleted upstream, stored, not marked',
        ).toEqual([])
        const collections = readDb(
          db,
          (d) =>
            d.prepare('SELECT source, count(*) AS runs, sum(new_posts) AS posts FROM collector_runs GROUP BY source ORDER BY source').all() as {
              source: string
              runs: number
              posts: number
            }[],
        )

        const rss = samples.map((s) => s.rssKb)
        const fds = samples.map((s) => s.fds)
        console.log(
          [
            `soak: ${SOAK_SECONDS} s, ${samples.length} samples every ${SAMPLE_MS / 1000} s; schedules ${JSON.stringify(SCHEDULES)}`,
            'job runs:',
            ...figures,
            `RSS: start ${mb(rss[0]!)}, median ${mb(median(rss))}, max ${mb(Math.max(...rss))}; median of the second third ${mb(rssMid)}, of the last third ${mb(rssEnd)}`,
            `RSS over time (MB): ${samples
              .filter((_, i) => i % Math.max(1, Math.floor(samples.length / 12)) === 0)
              .map((s) => `${Math.round(s.at / 1000)}s:${(s.rssKb / 1024).toFixed(0)}`)
              .join(' ')}`,
            `open fds: start ${fds[0]}, median ${median(fds)}, max ${Math.max(...fds)}; median of the second third ${fdMid}, of the last third ${fdEnd}`,
            `posts: X ${xGot.ids.length} stored (= server on topic ${xWant.size}; ${xArrivals.length} posted during the soak, 4 in 5 on topic), Bluesky ${bskyGot.ids.length} stored (= ${searched.size} found by search ∪ ${streamed.size} kept from the stream, ${[...streamed].filter((id) => searched.has(id)).length} by both; ${bskyArrivals} added to the search index during the soak), Jetstream events streamed ${events.length}; ${markedDeleted.length} marked deleted (deleted upstream)`,
            `digests: ${digestDays.length} day(s) written, rebuilt by every digest run, each delivered once`,
            `collector runs: ${collections.map((c) => `${c.source} ${c.runs} (${c.posts} new posts)`).join(', ')}`,
          ].join('\n'),
        )
        expect(rssEnd, `RSS grew from ${mb(rssMid)} to ${mb(rssEnd)}`).toBeLessThanOrEqual(rssMid * RSS_TOLERANCE)
        expect(fdEnd, `open descriptors grew from ${fdMid} to ${fdEnd}`).toBeLessThanOrEqual(fdMid + FD_TOLERANCE)
      } finally {
        await Promise.all([x.close(), bsky.close(), jet.close()])
      }
    },
    (SOAK_SECONDS + 420) * 1000,
  )
})
