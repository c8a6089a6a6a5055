import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { tempDir } from '../helpers.js'
import { closedLoopbackPort } from '../servers/closed-port.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { makeXDataset } from '../servers/x-data.js'
import { alive, childEnv, killLeftovers, startDaemonProc, waitUntil } from './daemon-process.js'
import { BEARER, daemonConfig, dbPath } from './fixtures.js'

/*
 * One daemon per database, proved with two real processes: the second `start` refuses at once (exit 2),
 * naming the running daemon's pid and since when; the first is not disturbed and stops cleanly on SIGTERM.
 */

const tmp = tempDir('stancewatch-one-daemon-')
let server: XServer
let closed: number

beforeAll(async () => {
  server = await startXServer({ ...makeXDataset({ seed: 3, count: 60, now: Date.now() }), bearer: BEARER })
  closed = await closedLoopbackPort()
})
afterEach(killLeftovers)
afterAll(async () => {
  await server.close()
  tmp.cleanup()
})

describe('two daemons on one database', () => {
  it('the second start exits 2 naming the first (pid, since when); the first runs on and exits 0 on SIGTERM', async () => {
    const config = daemonConfig(tmp.dir, 'two.yaml', { enabled: ['x'], schedules: { collect: '*/2 * * * * *' } })
    const env = childEnv(closed, {
      STANCEWATCH_CONFIG: config,
      STANCEWATCH_DB: dbPath(tmp.dir, 'two.sqlite'),
      X_API_BASE_URL: server.url,
      X_BEARER_TOKEN: BEARER,
    })
    const t0 = Date.now()
    const first = startDaemonProc({ env, cwd: tmp.dir })
    const started = await first.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started')
    expect(started.pid).toBe(first.pid)

    const second = startDaemonProc({ env, cwd: tmp.dir })
    const exit = await second.exited
    expect(exit.code, second.stderr()).toBe(2)
    const said = second.stderr()
    expect(said).toMatch(/another stancewatch daemon is running on this database/)
    expect(said).toContain(`pid ${first.pid} on `)
    const since = /since (\d{4}-\d\d-\d\dT[\d:.]+Z)/.exec(said)
    expect(since, said).not.toBeNull()
    const sinceMs = Date.parse(since![1]!)
    // "since" is when the first took the database: after it was spawned, before it said it had started.
    expect(sinceMs).toBeGreaterThanOrEqual(t0)
    expect(sinceMs).toBeLessThanOrEqual(Date.parse(started.time as string))
    expect(second.lines.some((l) => l.msg === 'stancewatch daemon started')).toBe(false)

    // The first is undisturbed: alive, and still running its jobs after the refusal.
    expect(alive(first.pid)).toBe(true)
    const finishedBefore = first.lines.filter((l) => l.msg === 'job finished').length
    await first.waitForLine(
      (l) => l.msg === 'job finished' && first.lines.filter((x) => x.msg === 'job finished').length > finishedBefore,
      'a job finished after the refusal',
    )

    first.signal('SIGTERM')
    const end = await first.exited
    expect(end, first.stderr()).toEqual({ code: 0, signal: null })
    expect(first.lines.some((l) => l.msg === 'stancewatch daemon stopped')).toBe(true)
    await waitUntil(() => !alive(first.pid), 'the first daemon gone')
  }, 120_000)
})
