import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../helpers.js'
import { closedLoopbackPort } from '../servers/closed-port.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { makeXDataset } from '../servers/x-data.js'
import { alive, childEnv, killLeftovers, spawnProc, trackPid, waitUntil, type Proc } from './daemon-process.js'
import { BEARER, daemonConfig, dbPath } from './fixtures.js'

/*
 * SIGTERM through each documented way to start the daemon: `npm start` (its script execs node, so npm's
 * forwarded signal reaches the daemon), `npx stancewatch start` (a shell sits between npx and node: the
 * daemon watches its parent and stops when it goes), and `node dist/cli/bin.js start` (the compiled command, as systemd and Docker run it). Each exits 0 and
 * leaves no daemon behind.
 */

const tmp = tempDir('stancewatch-signals-')
/**
 * npx runs this package from a copy it installs once in npm's cache, keyed by the folder: a copy made before
 * the command's path changed (src/ → dist/) would still point at the old one. A cache of the test's own
 * starts from the package as it is.
 */
const NPM_CACHE = { npm_config_cache: path.join(tmp.dir, 'npm-cache') }
let server: XServer
let closed: number

beforeAll(async () => {
  server = await startXServer({ ...makeXDataset({ seed: 5, count: 60, now: Date.now() }), bearer: BEARER })
  closed = await closedLoopbackPort()
})
afterEach(killLeftovers)
afterAll(async () => {
  await server.close()
  tmp.cleanup()
})

/**
 * How each wrapper ends. npm start: its script execs node, npm forwards SIGTERM to it, the daemon exits 0 and
 * so does npm. npx runs `sh -c stancewatch start`: the SIGTERM it forwards kills that shell (dash does not
 * exec the command), and npm then re-raises the shell's signal on itself ("exit with the same status as the
 * child"), so npx ends by SIGTERM (143 in a shell) whatever the daemon does; the daemon, whose parent is
 * gone, stops cleanly by itself. A shell that execs the command would pass SIGTERM to the daemon: exit 0.
 */
const WAYS: { name: string; command?: string; args: string[]; exits: { code: number | null; signal: NodeJS.Signals | null }[]; why: RegExp }[] = [
  { name: 'npm start', command: 'npm', args: ['start'], exits: [{ code: 0, signal: null }], why: /^SIGTERM$/ },
  {
    name: 'npx stancewatch start',
    command: 'npx',
    args: ['stancewatch', 'start'],
    exits: [
      { code: null, signal: 'SIGTERM' },
      { code: 0, signal: null },
    ],
    why: /^(SIGTERM|the npx process that started the daemon has exited)$/,
  },
  { name: 'node dist/cli/bin.js start', args: ['start'], exits: [{ code: 0, signal: null }], why: /^SIGTERM$/ },
]

describe('SIGTERM to the process that started the daemon', () => {
  for (const way of WAYS) {
    it(`${way.name}: SIGTERM stops the daemon cleanly, the wrapper ends, no daemon is left`, async () => {
      const slug = way.name.replace(/\W+/g, '-')
      const config = daemonConfig(tmp.dir, `${slug}.yaml`, { enabled: ['x'], schedules: { collect: '*/3 * * * * *' } })
      const env = childEnv(closed, {
        STANCEWATCH_CONFIG: config,
        STANCEWATCH_DB: dbPath(tmp.dir, `${slug}.sqlite`),
        X_API_BASE_URL: server.url,
        X_BEARER_TOKEN: BEARER,
        ...NPM_CACHE,
      })
      // npm and npx run in the repository, as a person would; the daemon's files are in the temporary folder.
      const p: Proc = spawnProc(way.args, { env, cwd: ROOT, command: way.command })
      const daemon = await p.daemonPid()
      if (way.command) expect(daemon).not.toBe(p.pid)
      else expect(daemon).toBe(p.pid)
      // Let it do some work first: a stop is most interesting with jobs on the schedule.
      await p.waitForLine((l) => l.msg === 'job finished' && l.job === 'collect', 'a collection finished')

      p.signal('SIGTERM')
      const exit = await p.exited
      expect(way.exits, `${way.name} ended ${JSON.stringify(exit)}\n${p.stdout()}\n${p.stderr()}`).toContainEqual(exit)
      await waitUntil(() => !alive(daemon), `the daemon (pid ${daemon}) gone after ${way.name} exited`)
      // The daemon stopped by itself, cleanly (not killed): it said why, and its last word is that it stopped.
      const stopping = p.lines.find((l) => l.msg?.startsWith('stopping:'))
      expect(stopping?.why, p.stderr()).toMatch(way.why)
      expect(p.lines.filter((l) => l.msg).at(-1)?.msg, p.stderr()).toBe('stancewatch daemon stopped')
    }, 120_000)
  }

  it('SIGTERM the moment the daemon says it has started: a clean stop, exit 0', async () => {
    const config = daemonConfig(tmp.dir, 'at-once.yaml', { enabled: ['x'], schedules: { collect: '*/3 * * * * *' } })
    const env = childEnv(closed, {
      STANCEWATCH_CONFIG: config,
      STANCEWATCH_DB: dbPath(tmp.dir, 'at-once.sqlite'),
      X_API_BASE_URL: server.url,
      X_BEARER_TOKEN: BEARER,
    })
    const p = spawnProc(['start'], { env, cwd: tmp.dir })
    // Signalled from inside the line handler, with no delay at all.
    await p.waitForLine((l) => {
      if (l.msg !== 'stancewatch daemon started') return false
      p.signal('SIGTERM')
      return true
    }, 'daemon started')
    expect(await p.exited, p.stderr()).toEqual({ code: 0, signal: null })
    expect(p.lines.find((l) => l.msg?.startsWith('stopping:'))?.why).toBe('SIGTERM')
    expect(p.lines.filter((l) => l.msg).at(-1)?.msg).toBe('stancewatch daemon stopped')
  }, 120_000)

  // The wrapper killed outright (SIGKILL: OOM killer, `timeout -s KILL`): no signal reaches the daemon. It
  // notices that the npm or npx process that started it is gone and stops cleanly instead of running on.
  for (const way of WAYS.filter((w) => w.command)) {
    it(`${way.name}: SIGKILL to ${way.command} leaves no daemon behind (it stops cleanly by itself)`, async () => {
      const slug = `kill-${way.name.replace(/\W+/g, '-')}`
      const config = daemonConfig(tmp.dir, `${slug}.yaml`, { enabled: ['x'], schedules: { collect: '*/3 * * * * *' } })
      const env = childEnv(closed, {
        STANCEWATCH_CONFIG: config,
        STANCEWATCH_DB: dbPath(tmp.dir, `${slug}.sqlite`),
        X_API_BASE_URL: server.url,
        X_BEARER_TOKEN: BEARER,
        ...NPM_CACHE,
      })
      const p: Proc = spawnProc(way.args, { env, cwd: ROOT, command: way.command })
      const daemon = await p.daemonPid()
      // Whatever sits between the wrapper and the daemon (npx's shell) is cleaned up by pid if a test fails.
      const between = parentOf(daemon)
      if (between !== null && between !== p.pid) trackPid(between)
      p.signal('SIGKILL')
      await waitUntil(() => !alive(daemon), `the daemon (pid ${daemon}) gone after ${way.command} was killed`)
      // Its last words, through the pipes it shared with the wrapper: it stopped by itself, and why.
      await p.waitForLine((l) => l.msg === 'stancewatch daemon stopped', 'the daemon stopped')
      // Nothing is left holding the wrapper's output: every process it started has ended.
      await p.exited
      const stopping = p.lines.find((l) => l.msg?.startsWith('stopping:'))
      expect(stopping?.why, p.stderr()).toBe(`the ${way.command} process that started the daemon has exited`)
    }, 120_000)
  }
})

/** A process's parent pid, from /proc; null once it is gone. */
function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return null
  }
}
