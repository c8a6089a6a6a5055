import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers.js'
import { closedLoopbackPort } from '../servers/closed-port.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { arrivingTweet, makeXDataset } from '../servers/x-data.js'
import { childEnv, killLeftovers, startDaemonProc, waitUntil } from './daemon-process.js'
import { BEARER, daemonConfig, dbPath, readDb, stored, xTruth } from './fixtures.js'

/*
 * A daemon killed with SIGKILL in the middle of a collection leaves its lease and its runs `running`. The
 * next `start` takes the database over (the holder is gone), says so, closes the killed runs as
 * `interrupted` with why, and its next collection resumes: the database then holds exactly what the server
 * holds on topic, nothing missing, nothing twice.
 */

const tmp = tempDir('stancewatch-takeover-')
afterEach(killLeftovers)
afterAll(tmp.cleanup)

interface RunRow {
  id: number
  status: string
  reason: string | null
  pid: number | null
  pages?: number
}

describe('SIGKILL the daemon mid-collection, then start again', () => {
  it('the next start takes over, closes the killed runs as interrupted, and a later collection equals the server', async () => {
    const now = Date.now()
    const data = makeXDataset({ seed: 17, count: 700, now })
    const server: XServer = await startXServer({ ...data, bearer: BEARER })
    try {
      const closed = await closedLoopbackPort()
      const config = daemonConfig(tmp.dir, 'takeover.yaml', {
        enabled: ['x'],
        schedules: { collect: '*/2 * * * * *' },
        edit: (c) => {
          c.sources.x = { first_run_lookback_hours: 160, max_results: 10, max_pages_per_query: 1000 }
        },
      })
      const db = dbPath(tmp.dir, 'takeover.sqlite')
      const env = childEnv(closed, { STANCEWATCH_CONFIG: config, STANCEWATCH_DB: db, X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER })
      // Slow pages: the first run's history takes many seconds, so the kill lands inside it.
      server.inject(...Array.from({ length: 400 }, () => ({ kind: 'slow' as const, ms: 40 })))

      const first = startDaemonProc({ env, cwd: tmp.dir })
      await first.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started')
      // Mid-collection: a collector run is `running` and has stored pages already.
      const running = await waitUntil(
        () =>
          readDb(db, (d) => d.prepare("SELECT id, status, pid, pages FROM collector_runs WHERE status = 'running' AND pages >= 3").get() as RunRow | undefined),
        'a collector run in progress with pages stored',
      )
      expect(running.pid).toBe(first.pid)
      first.signal('SIGKILL')
      expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' })
      const killedJobs = readDb(db, (d) => d.prepare("SELECT id, status, reason, pid FROM job_runs WHERE status = 'running'").all() as RunRow[])
      expect(killedJobs.length).toBeGreaterThan(0)
      expect(killedJobs.every((r) => r.pid === first.pid)).toBe(true)
      const killedCollectorRuns = readDb(db, (d) => d.prepare("SELECT id FROM collector_runs WHERE status = 'running'").pluck().all() as number[])
      expect(killedCollectorRuns).toContain(running.id)
      expect(readDb(db, (d) => d.prepare("SELECT pid FROM leases WHERE name = 'daemon'").pluck().get())).toBe(first.pid)

      // Posts keep arriving while the daemon is down.
      const arrivals = Array.from({ length: 5 }, (_, k) =>
        arrivingTweet(Date.now() - 1000, 100 + k, `China's $8.5bn state AI fund backs another start-up while the bot was down (${k})`, data.users[0]!.id),
      )
      server.addTweets(arrivals)

      const second = startDaemonProc({ env, cwd: tmp.dir })
      const tookOver = await second.waitForLine((l) => l.msg?.startsWith('took over the database from a daemon that is gone') === true, 'the takeover')
      expect((tookOver.previous as { pid: number }).pid).toBe(first.pid)
      const closedLine = await second.waitForLine((l) => l.msg === 'closed runs left running by a process that is gone as interrupted', 'killed runs closed')
      expect(closedLine.runs).toBe(killedJobs.length + killedCollectorRuns.length)
      await second.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started')
      expect(second.exit).toBeNull()

      const jobRows = readDb(
        db,
        (d) => d.prepare(`SELECT id, status, reason, pid FROM job_runs WHERE id IN (${killedJobs.map((r) => r.id).join(',')})`).all() as RunRow[],
      )
      const runRows = readDb(
        db,
        (d) => d.prepare(`SELECT id, status, stop_reason AS reason, pid FROM collector_runs WHERE id IN (${killedCollectorRuns.join(',')})`).all() as RunRow[],
      )
      for (const r of [...jobRows, ...runRows]) {
        expect(r.status).toBe('interrupted')
        expect(r.reason).toMatch(new RegExp(`its process \\(pid ${first.pid} on .+\\) ended without finishing it \\(killed or crashed\\)`))
      }

      // A later collection by the new daemon completes; then stop it and compare with the server.
      const since = Date.now()
      await waitUntil(
        () =>
          readDb(
            db,
            (d) =>
              d
                .prepare("SELECT count(*) FROM job_runs WHERE job = 'collect' AND status = 'ok' AND started_at >= ? AND pid = ?")
                .pluck()
                .get(since, second.pid) as number,
          ),
        'a complete collection by the new daemon',
      )
      second.signal('SIGTERM')
      expect(await second.exited, second.stderr()).toEqual({ code: 0, signal: null })

      const truth = await xTruth(server, config, now - 160 * 3_600_000)
      for (const a of arrivals) expect(truth.has(a.id)).toBe(true)
      const s = stored(db, 'x')
      expect(s.ids).toEqual([...truth].sort())
      expect(s.rows).toBe(truth.size)
      expect(s.topicRows).toBe(truth.size)
      // Nothing is left running or leased once the second daemon has stopped.
      expect(
        readDb(db, (d) =>
          d
            .prepare("SELECT (SELECT count(*) FROM job_runs WHERE status = 'running') + (SELECT count(*) FROM collector_runs WHERE status = 'running')")
            .pluck()
            .get(),
        ),
      ).toBe(0)
      expect(readDb(db, (d) => d.prepare('SELECT count(*) FROM leases').pluck().get())).toBe(0)
      const backlogs = readDb(db, (d) =>
        (d.prepare("SELECT value FROM cursors WHERE source = 'x'").pluck().all() as string[]).filter((v) => 'backlog' in JSON.parse(v)),
      )
      expect(backlogs).toEqual([])
    } finally {
      await server.close()
    }
  }, 240_000)
})
