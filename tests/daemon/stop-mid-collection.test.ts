import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers.js'
import { startBskyServer } from '../servers/bluesky.js'
import { makeBskyDataset } from '../servers/bluesky-data.js'
import { closedLoopbackPort } from '../servers/closed-port.js'
import { startXServer } from '../servers/x-api.js'
import { makeXDataset } from '../servers/x-data.js'
import { childEnv, killLeftovers, runCli, startDaemonProc, waitUntil } from './daemon-process.js'
import { ACCOUNT, BEARER, bskyTruth, daemonConfig, dbPath, READER, readDb, stored, xTruth } from './fixtures.js'

/*
 * SIGTERM while the daemon is collecting many pages: it finishes the page in hand, stores it with its
 * cursor, records the run as `partial` ("stopped on request…") and exits 0 without running out of shutdown
 * time. A later `collect` from the command line finishes the job, and the database then equals the
 * server's complete answer: nothing missing, nothing twice.
 */

const tmp = tempDir('stancewatch-stop-mid-')
afterEach(killLeftovers)
afterAll(tmp.cleanup)

interface Sides {
  source: 'x' | 'bluesky'
  env: NodeJS.ProcessEnv
  config: string
  db: string
  truth: () => Promise<Set<string>>
}

async function stopMidRunThenFinish(s: Sides): Promise<void> {
  const daemon = startDaemonProc({ env: s.env, cwd: tmp.dir })
  await daemon.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started')
  const run = await waitUntil(
    () =>
      readDb(
        s.db,
        (d) =>
          d.prepare("SELECT id, pages FROM collector_runs WHERE source = ? AND status = 'running' AND pages >= 3").get(s.source) as
            { id: number; pages: number } | undefined,
      ),
    'a collection in progress with pages stored',
  )
  daemon.signal('SIGTERM')
  const exit = await daemon.exited
  expect(exit, daemon.stderr()).toEqual({ code: 0, signal: null })
  // It stopped within its shutdown time: the bounded stop never had to give up on a run.
  expect(daemon.lines.some((l) => l.msg?.startsWith('shutdown took longer'))).toBe(false)
  expect(daemon.lines.filter((l) => l.msg).at(-1)?.msg).toBe('stancewatch daemon stopped')

  const after = readDb(
    s.db,
    (d) =>
      d.prepare('SELECT status, stop_reason AS reason, pages FROM collector_runs WHERE id = ?').get(run.id) as {
        status: string
        reason: string
        pages: number
      },
  )
  expect(after.status).toBe('partial')
  expect(after.reason).toMatch(/^stopped on request/)
  expect(after.pages).toBeGreaterThanOrEqual(run.pages)
  const job = readDb(
    s.db,
    (d) => d.prepare("SELECT status, reason FROM job_runs WHERE job = 'collect' ORDER BY id DESC LIMIT 1").get() as { status: string; reason: string },
  )
  expect(job.status).toBe('partial')
  expect(job.reason).toContain(`${s.source} partial: stopped on request`)
  const finished = daemon.lines.find((l) => l.msg === 'job finished' && l.job === 'collect')
  expect(finished?.status).toBe('partial')
  // Something is left for the next run: it really was stopped mid-way.
  expect(stored(s.db, s.source).ids.length).toBeLessThan((await s.truth()).size)

  const cli = await runCli(['collect', '--source', s.source], { env: s.env, cwd: tmp.dir })
  expect(cli.code, cli.stderr).toBe(0)
  const truth = await s.truth()
  const got = stored(s.db, s.source)
  expect(got.ids).toEqual([...truth].sort())
  expect(got.rows).toBe(truth.size)
  expect(got.topicRows).toBe(truth.size)
  expect(readDb(s.db, (d) => d.prepare("SELECT count(*) FROM collector_runs WHERE status = 'running'").pluck().get())).toBe(0)
}

describe('SIGTERM during a collection loses nothing', () => {
  it('X: the run ends partial, the daemon exits 0, a later collect completes it exactly', async () => {
    const now = Date.now()
    const server = await startXServer({ ...makeXDataset({ seed: 23, count: 700, now }), bearer: BEARER })
    try {
      const config = daemonConfig(tmp.dir, 'x.yaml', {
        enabled: ['x'],
        schedules: { collect: '*/2 * * * * *' },
        edit: (c) => {
          c.sources.x = { first_run_lookback_hours: 160, max_results: 10, max_pages_per_query: 1000 }
        },
      })
      const db = dbPath(tmp.dir, 'x.sqlite')
      server.inject(...Array.from({ length: 150 }, () => ({ kind: 'slow' as const, ms: 40 })))
      const env = childEnv(await closedLoopbackPort(), { STANCEWATCH_CONFIG: config, STANCEWATCH_DB: db, X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER })
      await stopMidRunThenFinish({ source: 'x', env, config, db, truth: () => xTruth(server, config, now - 160 * 3_600_000) })
    } finally {
      await server.close()
    }
  }, 240_000)

  it('Bluesky: the run ends partial, the daemon exits 0, a later collect completes it exactly', async () => {
    const now = Date.now()
    const server = await startBskyServer({ posts: makeBskyDataset({ seed: 29, count: 400, now, days: 3 }), accounts: [ACCOUNT, READER] })
    try {
      const config = daemonConfig(tmp.dir, 'bsky.yaml', {
        enabled: ['bluesky'],
        schedules: { collect: '*/2 * * * * *' },
        edit: (c) => {
          c.sources.bluesky = { first_run_lookback_hours: 96, limit: 10, max_pages_per_query: 1000 }
        },
      })
      const db = dbPath(tmp.dir, 'bsky.sqlite')
      server.inject(...Array.from({ length: 150 }, () => ({ kind: 'slow' as const, ms: 40, nsid: 'app.bsky.feed.searchPosts' })))
      const env = childEnv(await closedLoopbackPort(), {
        STANCEWATCH_CONFIG: config,
        STANCEWATCH_DB: db,
        BSKY_SERVICE: server.url,
        BSKY_PUBLIC_API: server.url,
        BSKY_IDENTIFIER: ACCOUNT.identifier,
        BSKY_APP_PASSWORD: ACCOUNT.password,
      })
      await stopMidRunThenFinish({ source: 'bluesky', env, config, db, truth: () => bskyTruth(server, config, now - 96 * 3_600_000) })
    } finally {
      await server.close()
    }
  }, 240_000)

  // A page that does not come back in time (a hung API): the stop is bounded. The daemon gives up waiting,
  // closes the unfinished runs as interrupted (saying why), releases the database and exits 0; what it
  // stored is consistent, and the next collection finishes the job.
  for (const how of ['shutdown timeout', 'second SIGTERM'] as const) {
    it(`X, a page that hangs: the ${how} ends the daemon (exit 0), the runs are closed as interrupted with why, nothing is lost`, async () => {
      const now = Date.now()
      const server = await startXServer({ ...makeXDataset({ seed: 37, count: 500, now }), bearer: BEARER })
      try {
        const slug = how.replace(/\W+/g, '-')
        const config = daemonConfig(tmp.dir, `${slug}.yaml`, {
          enabled: ['x'],
          schedules: { collect: '*/2 * * * * *' },
          edit: (c) => {
            c.sources.x = { first_run_lookback_hours: 160, max_results: 10, max_pages_per_query: 1000 }
            c.daemon.shutdown_timeout_seconds = how === 'shutdown timeout' ? 1 : 600
          },
        })
        const db = dbPath(tmp.dir, `${slug}.sqlite`)
        // A few quick pages, then every page hangs for longer than anyone waits here.
        server.inject(
          ...Array.from({ length: 15 }, () => ({ kind: 'slow' as const, ms: 20 })),
          ...Array.from({ length: 50 }, () => ({ kind: 'slow' as const, ms: 60_000 })),
        )
        const env = childEnv(await closedLoopbackPort(), { STANCEWATCH_CONFIG: config, STANCEWATCH_DB: db, X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER })
        const daemon = startDaemonProc({ env, cwd: tmp.dir })
        await daemon.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started')
        // Stuck on a page: the run has stored the quick ones and the server holds the next request.
        const run = await waitUntil(
          () =>
            server.requests.some((r) => r.fault?.kind === 'slow' && r.fault.ms === 60_000) &&
            readDb(db, (d) => d.prepare("SELECT id FROM collector_runs WHERE status = 'running' AND pages >= 1").pluck().get() as number | undefined),
          'a collection waiting on a page that hangs',
        )
        daemon.signal('SIGTERM')
        if (how === 'second SIGTERM') {
          await daemon.waitForLine((l) => l.msg?.startsWith('stopping:') === true, 'the first stop request')
          daemon.signal('SIGTERM')
        }
        expect(await daemon.exited, daemon.stderr()).toEqual({ code: 0, signal: null })
        const gaveUp = daemon.lines.find((l) => l.level === 50 && (l.why === 'timeout' || l.why === 'abandoned'))
        expect(gaveUp?.why, daemon.stderr()).toBe(how === 'shutdown timeout' ? 'timeout' : 'abandoned')
        expect(gaveUp?.runs).toBe(2)
        expect(daemon.lines.some((l) => l.msg === 'stancewatch daemon stopped')).toBe(true)

        const why =
          how === 'shutdown timeout'
            ? /^stopped before it finished: the daemon ran out of shutdown time \(1 s\)/
            : /^stopped before it finished: a second stop request stopped the daemon at once/
        const runRow = readDb(
          db,
          (d) => d.prepare('SELECT status, stop_reason AS reason FROM collector_runs WHERE id = ?').get(run) as { status: string; reason: string },
        )
        expect(runRow.status).toBe('interrupted')
        expect(runRow.reason).toMatch(why)
        const jobRow = readDb(
          db,
          (d) => d.prepare("SELECT status, reason FROM job_runs WHERE job = 'collect' ORDER BY id DESC LIMIT 1").get() as { status: string; reason: string },
        )
        expect(jobRow.status).toBe('interrupted')
        expect(jobRow.reason).toMatch(why)
        expect(readDb(db, (d) => d.prepare("SELECT count(*) FROM leases WHERE name = 'daemon'").pluck().get())).toBe(0)

        // The API answers again: a collection from the command line finishes exactly.
        await server.close()
        const again = await startXServer({ ...makeXDataset({ seed: 37, count: 500, now }), bearer: BEARER })
        try {
          const env2 = { ...env, X_API_BASE_URL: again.url }
          const cli = await runCli(['collect', '--source', 'x'], { env: env2, cwd: tmp.dir })
          expect(cli.code, cli.stderr).toBe(0)
          const truth = await xTruth(again, config, now - 160 * 3_600_000)
          const got = stored(db, 'x')
          expect(got.ids).toEqual([...truth].sort())
          expect(got.rows).toBe(truth.size)
          expect(got.topicRows).toBe(truth.size)
        } finally {
          await again.close()
        }
      } finally {
        await server.close()
      }
    }, 240_000)
  }
})
