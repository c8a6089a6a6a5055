import { existsSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { childEnv, killLeftovers, spawnProc, type Proc } from '../daemon/daemon-process.js'
import { daemonConfig } from '../daemon/fixtures.js'
import { tempDir, testContext } from '../helpers.js'
import { closedLoopbackPort } from '../servers/closed-port.js'

/*
 * `stancewatch serve` and `start --serve` as people run them: the compiled command in a process of its own,
 * its first stdout line, the token rule for other addresses, and a clean stop on a signal.
 */

const tmp = tempDir('stancewatch-serve-')
const DB = path.join(tmp.dir, 'serve.sqlite')
const TOKEN = 'a-long-random-dashboard-token-for-tests'
let config: string
let closed: number

beforeAll(async () => {
  config = daemonConfig(tmp.dir, 'serve.yaml', { enabled: ['x'] })
  testContext({ configPath: config, dbPath: DB }).db.close()
  closed = await closedLoopbackPort()
})
afterEach(killLeftovers)
afterAll(tmp.cleanup)

const env = (extra: Record<string, string> = {}) => childEnv(closed, { STANCEWATCH_CONFIG: config, STANCEWATCH_DB: DB, X_BEARER_TOKEN: 'unused', ...extra })

/** The first stdout line, once written (or a rejection naming the exit when the process ends first). */
function firstLine(p: Proc): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const out = p.stdout()
      if (out.includes('\n')) resolve(out.slice(0, out.indexOf('\n')))
    }
    p.child.stdout!.on('data', check)
    check()
    void p.exited.then((e) => reject(new Error(`exited ${e.code ?? e.signal} before its first line; stderr:\n${p.stderr()}`)))
  })
}

describe('stancewatch serve', () => {
  it('says where it listens on its first line, serves the dashboard, and stops on SIGTERM with exit 0, the database closed', async () => {
    const p = spawnProc(['serve', '--port', '0'], { env: env(), cwd: tmp.dir })
    const line = await firstLine(p)
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/)
    const url = line.slice('listening on '.length)
    const page = await fetch(`${url}/`)
    expect(page.status).toBe(200)
    expect(await page.text()).toContain('<div id="chart"')
    p.signal('SIGTERM')
    expect((await p.exited).code, p.stderr()).toBe(0)
    // The last connection closed cleanly: SQLite checkpointed and removed the write-ahead log.
    expect(existsSync(`${DB}-wal`)).toBe(false)
  })

  it('refuses another address without STANCEWATCH_DASHBOARD_TOKEN (exit 2), before listening', async () => {
    const p = spawnProc(['serve', '--host', '0.0.0.0', '--port', '0'], { env: env(), cwd: tmp.dir })
    expect((await p.exited).code).toBe(2)
    expect(p.stdout()).toBe('')
    expect(p.stderr()).toContain('STANCEWATCH_DASHBOARD_TOKEN')
  })

  it('with --host 0.0.0.0 and a token, a request without it is refused; Bearer or the cookie from ?token= is let in', async () => {
    const p = spawnProc(['serve', '--host', '0.0.0.0', '--port', '0'], { env: env({ STANCEWATCH_DASHBOARD_TOKEN: TOKEN }), cwd: tmp.dir })
    const line = await firstLine(p)
    expect(line).toMatch(/^listening on http:\/\/0\.0\.0\.0:\d+$/)
    const url = `http://127.0.0.1:${line.split(':').at(-1)}`
    for (const headers of [{}, { Authorization: 'Bearer wrong-token-wrong-token' }, { Cookie: 'stancewatch_token=nope' }] as Record<string, string>[]) {
      for (const route of ['/', '/api/health', '/assets/dashboard.js']) {
        const r = await fetch(`${url}${route}`, { headers })
        expect(r.status, route).toBe(401)
        expect(r.headers.get('content-security-policy')).toContain("default-src 'self'")
      }
    }
    expect((await fetch(`${url}/api/health`, { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200)
    const visit = await fetch(`${url}/posts?token=${TOKEN}`, { redirect: 'manual' })
    expect(visit.status).toBe(303)
    expect(visit.headers.get('location')).toBe('/posts')
    const cookie = visit.headers.get('set-cookie')!
    expect(cookie).toMatch(/HttpOnly/)
    expect(cookie).toMatch(/SameSite=Strict/)
    expect((await fetch(`${url}/posts`, { headers: { Cookie: cookie.split(';')[0]! } })).status).toBe(200)
    // The token never reaches the log.
    p.signal('SIGINT')
    expect((await p.exited).code).toBe(0)
    expect(p.stderr()).not.toContain(TOKEN)
  })

  it('start --serve runs the daemon and the dashboard in one process, and stops both on SIGTERM', async () => {
    const p = spawnProc(['start', '--serve', '--port', '0'], { env: env(), cwd: tmp.dir })
    const line = await firstLine(p)
    expect(line).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/)
    await p.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started')
    const health = (await (await fetch(`${line.slice('listening on '.length)}/api/health`)).json()) as any
    expect(health.daemon).toMatchObject({ running: true, pid: p.pid })
    p.signal('SIGTERM')
    expect((await p.exited).code, p.stderr()).toBe(0)
  })
})
