import { readFileSync, readdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { DateTime } from 'luxon'
import { afterAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { reloadContext } from '../../src/context.js'
import { startDaemon } from '../../src/schedule/daemon.js'
import { jobRunsSince, lastJobRuns } from '../../src/store/runs.js'
import { markTopicsCollected } from '../../src/store/topic-coverage.js'
import { CONFIG, ROOT, tempDir, testContext, writeTestConfig } from '../helpers.js'
import { FakeClock, until } from './fake-clock.js'

const tmp = tempDir('stancewatch-daemon-')
afterAll(tmp.cleanup)

/** The shipped config with test schedules, replaying a small archive into a temporary folder. */
function writeConfig(schedules: Record<string, string>): string {
  const config = parse(readFileSync(CONFIG, 'utf8')) as Record<string, any>
  const archive = path.join(tmp.dir, 'archive.jsonl')
  const fixtures = path.join(ROOT, 'tests/fixtures/payloads')
  writeFileSync(
    archive,
    ['x-search-recent.json', 'bluesky-search-posts.json'].map((f) => JSON.stringify(JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')))).join('\n') +
      '\n',
  )
  config.schedules = schedules
  config.sources = { enabled: ['replay', 'x'], replay_files: [archive] }
  config.digest.out_dir = path.join(tmp.dir, 'digests')
  config.topics[0].stance.seeds = path.join(ROOT, 'config/seeds/china-ai-fund.jsonl')
  const file = path.join(tmp.dir, `config-${Object.values(schedules)[0]!.replace(/\W/g, '')}.yaml`)
  writeFileSync(file, stringify(config))
  return file
}

describe('the daemon', () => {
  it('runs every job on its cron schedule, records how each ended, and stops cleanly', async () => {
    const everySecond = '* * * * * *'
    const configPath = writeConfig({ collect: everySecond, classify: everySecond, alerts: everySecond, digest: everySecond })
    const ctx = testContext({ configPath, dbPath: path.join(tmp.dir, 'sched.sqlite') })
    const daemon = startDaemon(ctx, { reloadConfig: reloadContext })
    try {
      await until(() => lastJobRuns(ctx.db).filter((r) => r.finishedAt !== null && r.job !== 'digest').length === 3)
    } finally {
      await daemon.stop('test over')
    }
    const runs = lastJobRuns(ctx.db)
    for (const r of runs) expect(r.status, `${r.job}: ${r.reason}`).not.toBe('failed')
    const collect = runs.find((r) => r.job === 'collect')!
    // X has no credentials here: skipped with the reason, the replay ran; together that is ok.
    expect(collect.status).toBe('ok')
    expect(collect.reason).toMatch(/x skipped: no credentials: X_BEARER_TOKEN is not set/)
    expect(collect.trigger).toBe('schedule')
    expect(ctx.db.prepare('SELECT count(*) FROM posts').pluck().get()).toBeGreaterThan(0)
    expect(ctx.db.prepare('SELECT count(*) FROM leases').pluck().get()).toBe(0)
    ctx.db.close()
  }, 60_000)

  it('follows the live network through Jetstream by default, says so once at start, and records the stream as healthy', async () => {
    const { startJetstreamServer } = await import('../servers/jetstream.js')
    const { makeJetstreamEvents } = await import('../servers/jetstream-data.js')
    const { createContext } = await import('../../src/context.js')
    const { readEnv } = await import('../../src/config/env.js')
    const { createLogger } = await import('../../src/logger.js')
    const now = Date.now() * 1000
    const server = await startJetstreamServer({ events: [] })
    const never = '0 0 1 1 *'
    const configPath = writeTestConfig(
      tmp.dir,
      (c) => {
        c.schedules = { collect: never, classify: never, alerts: never, digest: never, maintenance: never }
        delete c.sources.enabled
        c.sources.jetstream = { batch_max_wait_ms: 50 }
      },
      'jetstream-default.yaml',
    )
    const logs: { msg: string; [k: string]: unknown }[] = []
    const ctx = createContext({
      env: readEnv({ JETSTREAM_URL: server.url }),
      log: createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line)) }),
      configPath,
      dbPath: path.join(tmp.dir, 'jetstream-default.sqlite'),
    })
    expect(ctx.config.sources.enabled).toEqual(['jetstream', 'x', 'bluesky'])
    const daemon = startDaemon(ctx, { reloadConfig: reloadContext })
    try {
      // Without a stored cursor the consumer follows the live stream: events come once it is connected.
      await until(() => logs.some((l) => l.msg === 'Jetstream connected'))
      server.push(...makeJetstreamEvents({ seed: 4, count: 400, startUs: now, spacingUs: 1000, topicShare: 0.1 }))
      await until(() => ctx.db.prepare("SELECT last_status FROM ops_health WHERE subject = 'source:jetstream'").pluck().get() === 'ok')
    } finally {
      await daemon.stop('test over')
      await server.close()
    }
    const following = logs.filter((l) => l.msg.startsWith('following the live Bluesky network through Jetstream'))
    expect(following).toHaveLength(1)
    expect(following[0]!.msg).toContain(server.url)
    expect(following[0]!.msg).toContain('no credentials needed')
    expect(logs.filter((l) => l.msg.startsWith('source x is enabled but will be skipped'))).toHaveLength(1)
    expect(ctx.db.prepare("SELECT count(*) FROM posts WHERE platform = 'bluesky'").pluck().get()).toBeGreaterThan(0)
    ctx.db.close()
  }, 60_000)

  it('after a two-day outage, catches up once and writes each missed digest once, never one before the first collection', async () => {
    const zone = 'America/New_York'
    const t = (iso: string) => DateTime.fromISO(iso, { zone }).toMillis()
    const never = '0 0 1 1 *'
    const configPath = writeTestConfig(
      tmp.dir,
      (c) => {
        c.schedules = { collect: never, classify: never, alerts: never, digest: '0 8 * * *' }
        c.sources.enabled = []
        c.timezone = zone
      },
      'catch-up.yaml',
    )
    const clock = new FakeClock(t('2026-03-05T10:00'))
    const ctx = testContext({ configPath, dbPath: path.join(tmp.dir, 'catch-up.sqlite') })
    ctx.now = () => new Date(clock.now())
    // The topic was first collected on the 5th: no digest for the days before, even on the first catch-up.
    markTopicsCollected(ctx.db, ['china-ai-fund'], clock.now())
    const idle = () => clock.sleeping() === 5

    let daemon = startDaemon(ctx, { reloadConfig: reloadContext, clock })
    await clock.advanceTo(t('2026-03-07T09:00'), idle)
    await daemon.stop('outage')
    const days = () => ctx.db.prepare("SELECT day FROM digests WHERE topic_id = 'china-ai-fund' ORDER BY day").pluck().all() as string[]
    expect(days()).toEqual(['2026-03-05', '2026-03-06'])

    // Down from the 7th 09:00 to the 9th 10:00: the digests of the 7th and 8th were never written.
    clock.set(t('2026-03-09T10:00'))
    daemon = startDaemon(ctx, { reloadConfig: reloadContext, clock })
    await clock.advanceTo(t('2026-03-10T09:00'), idle)
    await daemon.stop('test over')
    expect(days()).toEqual(['2026-03-05', '2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09'])

    const runs = jobRunsSince(ctx.db, 0).filter((r) => r.job === 'digest')
    expect(runs.map((r) => [r.trigger, r.status])).toEqual([
      ['schedule', 'ok'],
      ['schedule', 'ok'],
      ['catch-up', 'ok'],
      ['schedule', 'ok'],
    ])
    // Each day was delivered once (the log channel), however often the job ran.
    const delivered = ctx.db.prepare("SELECT message_key, count(*) AS n FROM deliveries WHERE status = 'sent' GROUP BY message_key").all() as {
      message_key: string
      n: number
    }[]
    expect(delivered.map((d) => d.message_key).sort()).toEqual(days().map((d) => `digest:china-ai-fund:${d}`))
    expect(delivered.every((d) => d.n === 1)).toBe(true)
    expect(readdirSync(path.join(tmp.dir, 'digests')).filter((f) => f.endsWith('.md'))).toHaveLength(5)
    ctx.db.close()
  }, 60_000)
})
