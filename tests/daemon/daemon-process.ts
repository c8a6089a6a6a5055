/**
 * Real daemon processes for the tests in this folder: spawn `stancewatch start` (or npm / npx around it),
 * collect its JSON log lines from stderr, wait for a line, a condition or the exit; and kill whatever is
 * left by pid after each test, even when it failed. Waits are for conditions, never for a fixed time.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { BIN } from '../compiled.js'

/** One log line as pino wrote it (`msg`, `level`, fields); `raw` for lines that were not JSON. */
export interface LogLine {
  msg?: string
  level?: number
  raw: string
  [field: string]: unknown
}

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface Proc {
  child: ChildProcess
  pid: number
  lines: LogLine[]
  stdout: () => string
  stderr: () => string
  /** Resolves with how the process ended, once its output pipes have closed too (every line is in). */
  exited: Promise<Exit>
  /** Resolves when the process itself has ended (its pipes may live on in processes it left behind). */
  ended: Promise<void>
  exit: Exit | null
  /** The first line (already logged or to come) that matches; rejects when the process exits first. */
  waitForLine: (pred: (l: LogLine) => boolean, what: string) => Promise<LogLine>
  /** The pid the daemon logged in `stancewatch daemon started` (the node process, under npm or npx too). */
  daemonPid: () => Promise<number>
  signal: (sig: NodeJS.Signals) => void
}

const live = new Set<Proc>()
const extraPids = new Set<number>()

/** Remember a pid to kill at cleanup (the node daemon under npm/npx). */
export function trackPid(pid: number): void {
  extraPids.add(pid)
}

/**
 * Loopback-only environment for a child: nothing of the test runner's own environment but PATH (npm's
 * `npm_command` in particular would make the daemon watch its parent), JSON logs, and every URL a source or
 * lookup could use pointed at 127.0.0.1 (a closed port unless the test gives its server).
 */
export function childEnv(closedPort: number, env: Record<string, string | undefined>): NodeJS.ProcessEnv {
  const closed = `http://127.0.0.1:${closedPort}`
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    STANCEWATCH_LOG_FORMAT: 'json',
    X_API_BASE_URL: closed,
    BSKY_SERVICE: closed,
    BSKY_PUBLIC_API: closed,
    JETSTREAM_URL: `ws://127.0.0.1:${closedPort}/subscribe`,
  }
  const out: NodeJS.ProcessEnv = { ...base }
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete out[k]
    else out[k] = v
  }
  return out
}

/** Spawn a command (default: `node dist/cli/bin.js …args`, the compiled command) and follow its log. */
export function spawnProc(args: string[], o: { env: NodeJS.ProcessEnv; cwd: string; command?: string }): Proc {
  const child = o.command ? spawn(o.command, args, { cwd: o.cwd, env: o.env }) : spawn(process.execPath, [BIN, ...args], { cwd: o.cwd, env: o.env })
  if (child.pid === undefined) throw new Error(`could not spawn ${o.command ?? 'node'} ${args.join(' ')}`)
  let out = ''
  let err = ''
  let partial = ''
  const lines: LogLine[] = []
  const waiters = new Set<{ pred: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>()
  const onLine = (raw: string) => {
    let l: LogLine
    try {
      const parsed = JSON.parse(raw) as Record<string, unknown>
      l = { ...parsed, raw }
    } catch {
      l = { raw }
    }
    lines.push(l)
    for (const w of waiters) {
      if (w.pred(l)) {
        waiters.delete(w)
        w.resolve(l)
      }
    }
  }
  child.stdout.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr.on('data', (d: Buffer) => {
    const s = d.toString()
    err += s
    partial += s
    let i: number
    while ((i = partial.indexOf('\n')) >= 0) {
      onLine(partial.slice(0, i))
      partial = partial.slice(i + 1)
    }
  })
  const proc: Proc = {
    child,
    pid: child.pid,
    lines,
    stdout: () => out,
    stderr: () => err,
    exit: null,
    ended: new Promise<void>((resolve) => child.on('exit', () => resolve())),
    exited: new Promise<Exit>((resolve) => {
      child.on('close', (code, signal) => {
        if (partial) onLine(partial)
        partial = ''
        proc.exit = { code, signal }
        live.delete(proc)
        resolve(proc.exit)
      })
    }),
    waitForLine: (pred, what) => {
      const found = lines.find(pred)
      if (found) return Promise.resolve(found)
      return new Promise<LogLine>((resolve, reject) => {
        const w = { pred, resolve }
        waiters.add(w)
        void proc.exited.then((e) => {
          if (!waiters.has(w)) return
          waiters.delete(w)
          reject(new Error(`process ${proc.pid} exited (${e.code ?? e.signal}) before logging ${what}; stderr:\n${tail(err)}`))
        })
      })
    },
    daemonPid: async () => {
      const l = await proc.waitForLine((x) => x.msg === 'stancewatch daemon started', '"stancewatch daemon started"')
      const pid = l.pid as number
      trackPid(pid)
      return pid
    },
    signal: (sig) => {
      if (proc.exit === null) process.kill(proc.pid, sig)
    },
  }
  live.add(proc)
  return proc
}

/** `stancewatch start` (or another command) with the CLI binary. */
export function startDaemonProc(o: { env: NodeJS.ProcessEnv; cwd: string; args?: string[] }): Proc {
  return spawnProc(['start', ...(o.args ?? [])], o)
}

/** Run a CLI command to its end. */
export async function runCli(
  args: string[],
  o: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<{ code: number | null; stdout: string; stderr: string; lines: LogLine[] }> {
  const p = spawnProc(args, o)
  const e = await p.exited
  return { code: e.code, stdout: p.stdout(), stderr: p.stderr(), lines: p.lines }
}

/** Kill (SIGKILL, by pid) every process a test started that is still there; wait for the spawned ones to end. */
export async function killLeftovers(): Promise<void> {
  const procs = [...live]
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  for (const pid of extraPids) {
    if (alive(pid)) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone meanwhile
      }
    }
  }
  extraPids.clear()
  await Promise.all(procs.map((p) => p.ended))
}

/** Whether a pid exists (a zombie counts as gone: it runs nothing). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH'
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))
  } catch {
    return false
  }
}

/** Poll a condition (every `everyMs`) until it holds. No upper bound of its own: the test's timeout is it. */
export async function waitUntil<T>(cond: () => T | Promise<T>, what: string, everyMs = 100): Promise<NonNullable<T>> {
  const since = Date.now()
  let told = false
  for (;;) {
    // Not a limit, a clue: a test that hangs here says what it is waiting for before its timeout hits.
    if (!told && Date.now() - since > 60_000) {
      told = true
      console.warn(`still waiting for ${what} after 60 s`)
    }
    let v: T
    try {
      v = await cond()
    } catch (e) {
      throw new Error(`while waiting for ${what}: ${(e as Error).message}`, { cause: e })
    }
    if (v) return v
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/** Resident memory (kB) and open file descriptors of a live process, from /proc. */
export function procUsage(pid: number): { rssKb: number; fds: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rss = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)
    return { rssKb: rss ? Number(rss[1]) : 0, fds: readdirSync(`/proc/${pid}/fd`).length }
  } catch {
    return null
  }
}

export function tail(s: string, n = 40): string {
  return s.split('\n').slice(-n).join('\n')
}

/** Lines with a given message (prefix). */
export function withMsg(lines: LogLine[], prefix: string): LogLine[] {
  return lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith(prefix))
}
