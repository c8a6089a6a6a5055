import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parse, stringify } from 'yaml'
import { tempDir } from '../helpers.js'
import { closedLoopbackPort } from '../servers/closed-port.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { makeXDataset } from '../servers/x-data.js'
import { alive, childEnv, killLeftovers, runCli, startDaemonProc, type LogLine, type Proc } from './daemon-process.js'
import { BEARER, daemonConfig, dbPath, readDb } from './fixtures.js'

/*
 * SIGHUP re-reads the config. A broken file (bad YAML, or a schema error) is logged and the running
 * configuration stays in force: the daemon keeps running its jobs. A valid file with a new schedule takes
 * effect at once: a job that was never scheduled starts running. `stancewatch reload` checks the file first:
 * an invalid one exits 2 and the daemon is not signalled; a valid one signals it.
 */

const tmp = tempDir('stancewatch-reload-')
let server: XServer
let closed: number

beforeAll(async () => {
  server = await startXServer({ ...makeXDataset({ seed: 31, count: 80, now: Date.now() }), bearer: BEARER })
  closed = await closedLoopbackPort()
})
afterEach(killLeftovers)
afterAll(async () => {
  await server.close()
  tmp.cleanup()
})

const NOT_RELOADED = 'configuration NOT reloaded'
const isNotReloaded = (l: LogLine) => l.msg?.startsWith(NOT_RELOADED) === true
const count = (p: Proc, pred: (l: LogLine) => boolean) => p.lines.filter(pred).length

/** The next line matching `pred` after the ones logged so far. */
function next(p: Proc, pred: (l: LogLine) => boolean, what: string): Promise<LogLine> {
  const seen = p.lines.length
  return p.waitForLine((l) => p.lines.indexOf(l) >= seen && pred(l), what)
}

const collectFinished = (l: LogLine) => l.msg === 'job finished' && l.job === 'collect'

describe('reloading the configuration of a running daemon', () => {
  it('SIGHUP with a broken file keeps the daemon and its schedule; a valid one changes the schedule at once', async () => {
    const config = daemonConfig(tmp.dir, 'hup.yaml', { enabled: ['x'], schedules: { collect: '*/2 * * * * *' } })
    const valid = readFileSync(config, 'utf8')
    const db = dbPath(tmp.dir, 'hup.sqlite')
    const env = childEnv(closed, { STANCEWATCH_CONFIG: config, STANCEWATCH_DB: db, X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER })
    const d = startDaemonProc({ env, cwd: tmp.dir })
    await d.waitForLine(collectFinished, 'a first collection')

    // 1. Invalid YAML.
    writeFileSync(config, `${valid}\nschedules: [collect, "unclosed\n`)
    let said = next(d, isNotReloaded, 'the refusal of a file that is not YAML')
    d.signal('SIGHUP')
    const yamlRefusal = await said
    expect(JSON.stringify(yamlRefusal.problems)).toMatch(/hup\.yaml/)
    await next(d, collectFinished, 'a collection after the refused reload')
    expect(alive(d.pid)).toBe(true)

    // 2. Valid YAML, invalid configuration: a schedule that is not a cron expression.
    const broken = parse(valid) as Record<string, any>
    broken.schedules.collect = 'every now and then'
    writeFileSync(config, stringify(broken))
    said = next(d, isNotReloaded, 'the refusal of a schema error')
    d.signal('SIGHUP')
    const schemaRefusal = await said
    expect(JSON.stringify(schemaRefusal.problems)).toMatch(/schedules\.collect|collect/)
    await next(d, collectFinished, 'a collection after the second refused reload')
    expect(alive(d.pid)).toBe(true)
    expect(count(d, (l) => l.msg === 'configuration reloaded')).toBe(0)
    // The running schedule stayed: classify was never scheduled, so it never ran.
    expect(readDb(db, (x) => x.prepare("SELECT count(*) FROM job_runs WHERE job = 'classify'").pluck().get())).toBe(0)

    // 3. A valid file that schedules classify, which never ran: it starts running.
    const changed = parse(valid) as Record<string, any>
    changed.schedules.classify = '*/2 * * * * *'
    writeFileSync(config, stringify(changed))
    const reloaded = next(d, (l) => l.msg === 'configuration reloaded', 'configuration reloaded')
    d.signal('SIGHUP')
    expect(((await reloaded).schedules as Record<string, string>).classify).toBe('*/2 * * * * *')
    const classified = await next(d, (l) => l.msg === 'job finished' && l.job === 'classify', 'the newly scheduled classify job')
    expect(classified.trigger).toBe('schedule')
    expect(classified.status).toBe('ok')
    await next(d, collectFinished, 'collect still on its schedule')

    d.signal('SIGTERM')
    expect(await d.exited, d.stderr()).toEqual({ code: 0, signal: null })
  }, 180_000)

  it('stancewatch reload: an invalid file exits 2 and does not signal the daemon; a valid one does', async () => {
    const config = daemonConfig(tmp.dir, 'cmd.yaml', { enabled: ['x'], schedules: { collect: '*/2 * * * * *' } })
    const valid = readFileSync(config, 'utf8')
    const db = dbPath(tmp.dir, 'cmd.sqlite')
    const env = childEnv(closed, { STANCEWATCH_CONFIG: config, STANCEWATCH_DB: db, X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER })
    const d = startDaemonProc({ env, cwd: tmp.dir })
    await d.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started')

    const broken = parse(valid) as Record<string, any>
    broken.sources.enabled = ['myspace']
    for (const [kind, text] of [
      ['not YAML', `${valid}\nschedules: [collect, "unclosed\n`],
      ['a schema error', stringify(broken)],
    ] as const) {
      writeFileSync(config, text)
      const r = await runCli(['reload'], { env, cwd: tmp.dir })
      expect(r.code, `${kind}: ${r.stderr}`).toBe(2)
      expect(r.stderr, kind).toMatch(/configuration error/)
      expect(r.stdout, kind).not.toMatch(/asked the daemon/)
      // Had the command signalled, the daemon would have logged a refusal for it before this one: a SIGHUP
      // of our own, answered by exactly one refusal, shows it did not (the lines come in order).
      const before = count(d, isNotReloaded)
      const ours = next(d, isNotReloaded, `the refusal of our own SIGHUP (${kind})`)
      d.signal('SIGHUP')
      await ours
      await next(d, collectFinished, `a collection after the refusal (${kind})`)
      expect(count(d, isNotReloaded), kind).toBe(before + 1)
    }

    const changed = parse(valid) as Record<string, any>
    changed.schedules.alerts = '*/2 * * * * *'
    writeFileSync(config, stringify(changed))
    const reloaded = next(d, (l) => l.msg === 'configuration reloaded', 'configuration reloaded')
    const r = await runCli(['reload'], { env, cwd: tmp.dir })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain(`asked the daemon (pid ${d.pid})`)
    await reloaded
    const alerts = await next(d, (l) => l.msg === 'job finished' && l.job === 'alerts', 'the newly scheduled alerts job')
    expect(alerts.status).not.toBe('failed')

    d.signal('SIGTERM')
    expect(await d.exited, d.stderr()).toEqual({ code: 0, signal: null })
    // Without a daemon, reload says so (exit 2) rather than signalling anything.
    const none = await runCli(['reload'], { env, cwd: tmp.dir })
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(/no stancewatch daemon is running/)
  }, 180_000)

  it('a SIGHUP that arrives while the daemon is still starting does not kill it', async () => {
    // `systemctl reload` (kill -HUP) or `stancewatch reload` can come at any moment, start-up included. To
    // land the signal there for sure, the config is a named pipe: the daemon blocks reading it, the signal
    // is sent, then the config is written.
    const text = readFileSync(daemonConfig(tmp.dir, 'early-src.yaml', { enabled: ['x'], schedules: { collect: '*/2 * * * * *' } }), 'utf8')
    const fifo = path.join(tmp.dir, 'early.yaml')
    execFileSync('mkfifo', [fifo])
    const db = dbPath(tmp.dir, 'early.sqlite')
    const env = childEnv(closed, { STANCEWATCH_CONFIG: fifo, STANCEWATCH_DB: db, X_API_BASE_URL: server.url, X_BEARER_TOKEN: BEARER })
    const d = startDaemonProc({ env, cwd: tmp.dir })
    // Opening the pipe for writing returns once the daemon has opened it to read its config.
    const serve = async (then?: () => void) => {
      const writer = await open(fifo, 'w')
      then?.()
      await writer.writeFile(text)
      await writer.close()
    }
    await serve(() => d.signal('SIGHUP'))
    await d.waitForLine((l) => l.msg === 'stancewatch daemon started', 'daemon started after an early SIGHUP')
    // The signal is honoured once the daemon is up: it reads its config again (the pipe, served once more).
    await serve()
    await d.waitForLine((l) => l.msg === 'configuration reloaded', 'the config re-read for the early SIGHUP')
    await d.waitForLine(collectFinished, 'a collection')
    expect(alive(d.pid)).toBe(true)
    d.signal('SIGTERM')
    expect(await d.exited, d.stderr()).toEqual({ code: 0, signal: null })
  }, 120_000)
})
