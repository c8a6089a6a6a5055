import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { tryHoldLease, DAEMON_LEASE } from '../../src/jobs/leases.js'
import { thisProcess } from '../../src/jobs/process-identity.js'
import { setCursor } from '../../src/store/cursors.js'
import { recordGap } from '../../src/store/gaps.js'
import { recordFailure } from '../../src/store/ops-health.js'
import { addReads } from '../../src/store/reads.js'
import { finishCollectorRun, finishJobRun, startCollectorRun, startJobRun } from '../../src/store/runs.js'
import { saveSlot } from '../../src/store/schedule-slots.js'
import { cli, tempDir, testContext, writeTestConfig } from '../helpers.js'
import { snowflakeFromMs } from '../../tools/synthetic/ids.js'

const tmp = tempDir('stancewatch-status-')
afterAll(tmp.cleanup)

describe('status --json', () => {
  it('gives, per job, the last run and the next; per source, position, lag, last error, rate limit and gaps; the daemon, budget and database size', async () => {
    const configPath = writeTestConfig(tmp.dir, (c) => {
      c.timezone = 'UTC'
      c.schedules = { collect: '*/15 * * * *', classify: '*/10 * * * *', alerts: '5 * * * *', digest: '0 8 * * *' }
    })
    const db = path.join(tmp.dir, 'status.sqlite')
    const ctx = testContext({ configPath, dbPath: db })
    const now = Date.now()
    const me = thisProcess()
    // A collection whose process was killed: still `running` in its row.
    startCollectorRun(ctx.db, 'x', ['q'], now - 600_000, { pid: 2 ** 22 + 17, host: me.host, bootId: me.bootId })
    const limited = startCollectorRun(ctx.db, 'bluesky', ['q'], now - 300_000, me)
    finishCollectorRun(ctx.db, limited, 'skipped', 'Bluesky rate limit: next request allowed later', now - 290_000, now + 3_600_000)
    recordFailure(ctx.db, 'source:bluesky', now - 290_000, 'Bluesky rate limit: next request allowed later')
    const job = startJobRun(ctx.db, 'collect', now - 120_000, me, { trigger: 'schedule', slotAt: now - 120_000 })
    finishJobRun(ctx.db, job, 'failed', 'x failed: X rejected the bearer token', { parts: [] }, now - 117_500)
    saveSlot(ctx.db, 'collect', now - 120_000, now)
    setCursor(ctx.db, { source: 'x', key: 'china-ai-fund:fund-en', value: JSON.stringify({ since_id: snowflakeFromMs(now - 1_800_000) }) }, now)
    setCursor(ctx.db, { source: 'jetstream', key: 'subscribe', value: String((now - 42_000) * 1000) }, now)
    recordGap(ctx.db, { source: 'x', startAt: now - 86_400_000, endAt: now - 43_200_000, reason: 'budget reached' }, now)
    addReads(ctx.db, new Date(now).toISOString().slice(0, 10), 'china-ai-fund', 'x', 120)
    const lease = tryHoldLease(ctx, DAEMON_LEASE, 'stancewatch start')
    try {
      const r = await cli(['--config', configPath, '--db', db, 'status', '--json'])
      expect(r.code, r.stderr).toBe(0)
      const s = JSON.parse(r.stdout)
      expect(s.daemon).toMatchObject({ running: true, pid: process.pid })
      expect(s.database.bytes).toBeGreaterThan(0)

      const collect = s.jobs.find((j: { job: string }) => j.job === 'collect')
      expect(collect.lastRun).toMatchObject({ status: 'failed', reason: 'x failed: X rejected the bearer token', durationMs: 2500, trigger: 'schedule' })
      expect(Date.parse(collect.nextRun)).toBeGreaterThan(now - 120_000)
      expect(s.jobs.map((j: { job: string }) => j.job)).toEqual(['collect', 'classify', 'alerts', 'digest', 'maintenance'])

      const x = s.sources.find((q: { source: string }) => q.source === 'x')
      expect(x.lastRun.status).toBe('interrupted')
      expect(x.position.watermark).toBe(new Date(now - 1_800_000).toISOString())
      expect(x.lagSeconds).toBeGreaterThanOrEqual(1800)
      expect(x.gaps).toEqual([expect.objectContaining({ source: 'x', reason: 'budget reached' })])
      const bsky = s.sources.find((q: { source: string }) => q.source === 'bluesky')
      expect(bsky.rateLimit).toEqual({ until: new Date(now + 3_600_000).toISOString() })
      expect(bsky.lastError).toMatch(/rate limit/)
      expect(bsky.health).toMatchObject({ consecutiveFailures: 1, lastStatus: 'failed' })
      const js = s.sources.find((q: { source: string }) => q.source === 'jetstream')
      expect(js.lagSeconds).toBeGreaterThanOrEqual(42)

      expect(s.topics[0].budget.x).toMatchObject({ today: 120, dailyLimit: 2000, costTodayUsd: 0.6 })
      expect(s.runs.find((q: { source: string }) => q.source === 'x').status).toBe('interrupted')

      const human = await cli(['--config', configPath, '--db', db, 'status'])
      expect(human.stdout).toContain(`Daemon: running, pid ${process.pid}`)
      expect(human.stdout).toMatch(/collect\s+\*\/15 \* \* \* \*\s+\S+ \S+\s+failed/)
      expect(human.stdout).toContain('bluesky last error: Bluesky rate limit')
    } finally {
      if ('release' in lease) lease.release()
      ctx.db.close()
    }
  })
})
