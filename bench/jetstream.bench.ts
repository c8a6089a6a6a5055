import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import Database from 'better-sqlite3'
import { readEnv } from '../src/config/env.js'
import { createContext } from '../src/context.js'
import { JETSTREAM_CURSOR } from '../src/jobs/collect-jetstream.js'
import { silentLogger } from '../src/logger.js'
import { setCursor } from '../src/store/cursors.js'
import { BIN, buildDist } from '../tests/compiled.js'
import { startJetstreamServer } from '../tests/servers/jetstream.js'
import { makeJetstreamEvents } from '../tests/servers/jetstream-data.js'
import { writeTestConfig } from '../tests/helpers.js'

const EVENTS = 200_000

/**
 * The bar: at least 200,000 Jetstream events from a loopback server through the consumer, matcher
 * and store, at ≥ 20,000 events/s with peak memory under 250 MB. The consumer runs as the real command in
 * its own process, so its peak resident memory (VmHWM) is its own; throughput is measured from its first
 * connection to the moment its stored cursor reaches the last event.
 */
export async function run(): Promise<void> {
  // The consumer is the compiled command, as installed, made fresh from the sources.
  buildDist()
  const now = Date.now() * 1000
  const events = makeJetstreamEvents({ seed: 42, count: EVENTS, startUs: now - 3_600_000_000, spacingUs: 15_000 })
  const posts = events.filter((e) => e.kind === 'commit' && e.commit?.collection === 'app.bsky.feed.post').length
  const server = await startJetstreamServer({ events })
  const dir = mkdtempSync(path.join(tmpdir(), 'stancewatch-jetstream-bench-'))
  const db = path.join(dir, 'bench.sqlite')
  const config = writeTestConfig(dir, (c) => {
    c.sources.jetstream = {}
  })
  // Start from the first event, as a consumer resuming an hour behind would.
  const seed = createContext({ env: readEnv({}), log: silentLogger, configPath: config, dbPath: db })
  setCursor(seed.db, { ...JETSTREAM_CURSOR, value: String(events[0]!.time_us) })
  seed.db.close()
  const child = spawn('node', [BIN, 'collect', '--source', 'jetstream', '--json'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '',
      STANCEWATCH_CONFIG: config,
      STANCEWATCH_DB: db,
      JETSTREAM_URL: server.url,
    },
  })
  let stdout = ''
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
  const last = events.at(-1)!.time_us
  let peakKb = 0
  let done: number
  for (;;) {
    await new Promise((r) => setTimeout(r, 100))
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
    peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0))
    try {
      const d = new Database(db, { readonly: true, fileMustExist: true })
      const cursor = d.prepare("SELECT value FROM cursors WHERE source = 'jetstream'").pluck().get() as string | undefined
      d.close()
      if (cursor && Number(cursor) >= last) {
        done = Date.now()
        break
      }
    } catch {
      // The database is created by the child; not there yet.
    }
  }
  const exit = new Promise((r) => child.on('exit', r))
  child.kill('SIGTERM')
  await exit
  const firstConnect = server.connections.find((c) => c.status === 101)!.at / 1000
  await server.close()
  rmSync(dir, { recursive: true, force: true })
  const seconds = (done - firstConnect) / 1000
  const result = JSON.parse(stdout) as { stats: { newPosts: number; offTopic: number; deletions: number } }
  console.log(
    `${EVENTS} events (${posts} posts), ${result.stats.newPosts} stored on topic, ${result.stats.offTopic} off-topic, ${result.stats.deletions} deletions`,
  )
  console.log(`consumer: ${(EVENTS / seconds).toFixed(0)} events/s (${seconds.toFixed(2)} s from connect to last cursor stored); bar ≥ 20,000 events/s`)
  console.log(`peak resident memory of the consumer process: ${(peakKb / 1024).toFixed(0)} MB; bar < 250 MB`)
}
