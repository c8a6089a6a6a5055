import path from 'node:path'
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { RunResult } from '../../src/jobs/run-recorder.js'
import { DAY_MS, loginRefusal, SHORT_WINDOW_MAX, SHORT_WINDOW_MS } from '../../src/sources/bluesky/login-allowance.js'
import { openDb } from '../../src/store/db.js'
import { migrate } from '../../src/store/migrate.js'
import { recordLogin } from '../../src/store/sessions.js'
import { cli, tempDir, writeTestConfig } from '../helpers.js'
import { startBskyServer, type BskyServer } from '../servers/bluesky.js'
import { makeBskyDataset } from '../servers/bluesky-data.js'
import { closedLoopbackPort } from '../servers/closed-port.js'

const ACCOUNT = { identifier: 'watcher.test', password: 'abcd-efgh-ijkl-mnop', did: 'did:plc:watcherwatcherwatcher23', handle: 'watcher.test' }
const LOGIN = 'com.atproto.server.createSession'

describe('login allowance', () => {
  const now = Date.parse('2026-01-10T12:00:00Z')

  it('refuses at the daily maximum, and says when the oldest counted login ages out', () => {
    const times = [now - 1000, now - 3_600_000, now - 20 * 3_600_000]
    expect(loginRefusal(times, now, 4)).toBeNull()
    const r = loginRefusal(times, now, 3)!
    expect(r).toMatchObject({ daily: true, retryAt: now - 20 * 3_600_000 + DAY_MS + 1 })
    expect(r.message).toContain('3 logins in the last 24 h')
    // Older than a day: not counted.
    expect(loginRefusal([now - DAY_MS - 1, now - DAY_MS - 2, now - DAY_MS - 3], now, 3)).toBeNull()
  })

  it(`refuses ${SHORT_WINDOW_MAX} logins within 5 minutes, below Bluesky's 30, even with a large daily allowance`, () => {
    const burst = Array.from({ length: SHORT_WINDOW_MAX }, (_, i) => now - i * 1000)
    const r = loginRefusal(burst, now, 300)!
    expect(r.daily).toBe(false)
    expect(r.retryAt).toBe(burst.at(-1)! + SHORT_WINDOW_MS + 1)
    expect(r.message).toContain(`${SHORT_WINDOW_MAX} logins in the last 5 minutes`)
    expect(loginRefusal(burst.slice(1), now, 300)).toBeNull()
    expect(
      loginRefusal(
        burst.map((t) => t - SHORT_WINDOW_MS),
        now,
        300,
      ),
    ).toBeNull()
  })
})

describe('Bluesky collector logins: only the ones Bluesky answered count', () => {
  const tmp = tempDir('stancewatch-bsky-logins-')
  const posts = makeBskyDataset({ seed: 5, count: 60, now: Date.now(), days: 1 })
  let server: BskyServer | null = null
  let db: string

  const config = (bluesky: Record<string, unknown>) =>
    writeTestConfig(
      tmp.dir,
      (c) => {
        c.sources.bluesky = { first_run_lookback_hours: 48, limit: 100, ...bluesky }
      },
      `config-${Math.random().toString(36).slice(2)}.yaml`,
    )
  const collect = async (configFile: string, service: string, password = ACCOUNT.password) => {
    const env = { BSKY_SERVICE: service, BSKY_PUBLIC_API: service, BSKY_IDENTIFIER: ACCOUNT.identifier, BSKY_APP_PASSWORD: password }
    const r = await cli(['--config', configFile, '--db', db, 'collect', '--source', 'bluesky', '--json'], env, tmp.dir)
    return { code: r.code, stderr: r.stderr, out: JSON.parse(r.stdout) as RunResult & { error?: { message: string } } }
  }
  const attempts = () => {
    const d = openDb(db)
    try {
      return d.prepare('SELECT service, ok FROM login_attempts ORDER BY rowid').all() as { service: string; ok: number }[]
    } finally {
      d.close()
    }
  }
  const loginRequests = () => server!.requests.filter((q) => q.nsid === LOGIN)

  beforeEach(() => {
    db = path.join(tmp.dir, `logins-${Math.random().toString(36).slice(2)}.sqlite`)
  })
  afterEach(async () => {
    await server?.close()
    server = null
  })
  afterAll(() => tmp.cleanup())

  it('an unreachable Bluesky is retried with backoff, ends each run as unreachable, and spends no login; back up, the next run logs in', async () => {
    const port = await closedLoopbackPort()
    const service = `http://127.0.0.1:${port}`
    const configFile = config({ max_logins_per_day: 2, max_retries: 1 })
    for (let run = 0; run < 4; run++) {
      const { code, stderr, out } = await collect(configFile, service)
      // Nothing reached Bluesky: the run failed (exit 1), and says why.
      expect(code, stderr).toBe(1)
      expect(out.status).toBe('failed')
      expect(out.stopReason).toMatch(/^Bluesky unreachable/)
      expect(out.stopReason).toContain('ECONNREFUSED')
      // The failure went through the retry path (max_retries: 1), not straight to an error.
      expect(out.api.retries).toBe(1)
    }
    expect(attempts()).toEqual([])

    server = await startBskyServer({ posts, accounts: [ACCOUNT], port })
    const { out } = await collect(configFile, service)
    expect(out.status).toBe('ok')
    expect(out.stats.newPosts).toBeGreaterThan(0)
    expect(server.logins).toBe(1)
    expect(attempts()).toEqual([{ service, ok: 1 }])
  })

  it('an outage with a stored session keeps the session and records nothing', async () => {
    const port = await closedLoopbackPort()
    const service = `http://127.0.0.1:${port}`
    server = await startBskyServer({ posts, accounts: [ACCOUNT], port })
    const configFile = config({ max_retries: 0 })
    expect((await collect(configFile, service)).out.status).toBe('ok')
    await server.close()
    server = null
    const { out } = await collect(configFile, service)
    expect(out.status).toBe('failed')
    expect(out.stopReason).toMatch(/^Bluesky unreachable at .* \(resuming the stored session\)/)
    const d = openDb(db)
    const sessions = d.prepare('SELECT count(*) FROM sessions').pluck().get()
    d.close()
    expect(sessions).toBe(1)
    expect(attempts()).toEqual([{ service, ok: 1 }])
  })

  it('a rejected login counts, and the daily allowance then stops logins before they reach Bluesky', async () => {
    server = await startBskyServer({ posts, accounts: [ACCOUNT] })
    const configFile = config({ max_logins_per_day: 2, max_retries: 1 })
    for (let run = 0; run < 2; run++) {
      const { code, out } = await collect(configFile, server.url, 'wrong-app-password-000')
      expect(code).toBe(1)
      expect(out.error!.message).toContain('Bluesky rejected the login')
    }
    expect(attempts().map((a) => a.ok)).toEqual([0, 0])
    const refused = await collect(configFile, server.url, 'wrong-app-password-000')
    expect(refused.code).toBe(1)
    expect(refused.out.error!.message).toContain('Bluesky login refused locally: 2 logins in the last 24 h')
    expect(loginRequests().map((q) => q.status)).toEqual([401, 401])
  })

  it('logins answered with a 5xx or an unreadable body count too, and are retried', async () => {
    server = await startBskyServer({ posts, accounts: [ACCOUNT] })
    server.inject({ kind: 'upstream', status: 502, nsid: LOGIN }, { kind: 'malformed', nsid: LOGIN })
    const { out } = await collect(config({ max_retries: 2 }), server.url)
    expect(out.status).toBe('ok')
    expect(out.api.retries).toBe(2)
    expect(attempts().map((a) => a.ok)).toEqual([0, 0, 1])
    expect(loginRequests().map((q) => q.fault ?? q.status)).toEqual(['upstream', 'malformed', 200])
  })

  it(`${SHORT_WINDOW_MAX} logins in the last 5 minutes stop the run before it logs in; older ones do not`, async () => {
    server = await startBskyServer({ posts, accounts: [ACCOUNT] })
    const configFile = config({ max_logins_per_day: 300 })
    const seed = (ageMs: number) => {
      const d = openDb(db)
      migrate(d)
      for (let i = 0; i < SHORT_WINDOW_MAX; i++) recordLogin(d, server!.url, ACCOUNT.identifier, false, Date.now() - ageMs - i)
      d.close()
    }
    seed(60_000)
    const burst = await collect(configFile, server.url)
    // Refused here, before asking Bluesky: skipped until the window allows a login.
    expect(burst.out.status).toBe('skipped')
    expect(burst.out.stopReason).toContain(`${SHORT_WINDOW_MAX} logins in the last 5 minutes`)
    expect(loginRequests()).toHaveLength(0)

    db = path.join(tmp.dir, `logins-${Math.random().toString(36).slice(2)}.sqlite`)
    seed(SHORT_WINDOW_MS + 60_000)
    const later = await collect(configFile, server.url)
    expect(later.out.status).toBe('ok')
    expect(server.logins).toBe(1)
  })
})
