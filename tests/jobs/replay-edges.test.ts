import { appendFileSync, createWriteStream, statSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import path from 'node:path'
import { constants, gunzipSync, gzipSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { samplePayloads } from '../../bench/sample-posts.js'
import { collect } from '../../src/jobs/collect.js'
import { getCursor } from '../../src/store/cursors.js'
import { recentCollectorRuns } from '../../src/store/runs.js'
import { cli, tempDir, testContext, writeTestConfig } from '../helpers.js'

/** Where replay moves parsing to worker threads. */
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024

describe('nothing lost at the edges of a replay', () => {
  const tmp = tempDir('stancewatch-replay-edges-')
  afterAll(tmp.cleanup)
  const lines = samplePayloads(2).map((p) => JSON.stringify(p))
  let dbs = 0
  const db = () => path.join(tmp.dir, `db-${++dbs}.sqlite`)
  const write = (name: string, body: string | Buffer) => {
    const f = path.join(tmp.dir, name)
    writeFileSync(f, body)
    return f
  }

  const dump = (ctx: ReturnType<typeof testContext>) => ({
    posts: ctx.db
      .prepare(
        'SELECT platform, platform_id, text, topics, (SELECT body FROM payloads WHERE id = payload_id) AS payload FROM posts ORDER BY platform, platform_id',
      )
      .all(),
    payloads: ctx.db.prepare('SELECT count(*) FROM payloads').pluck().get(),
  })
  /** What a replay of these lines, whole and in one file, stores. */
  const storedFrom = async (some: string[]) => {
    const ctx = testContext({ dbPath: db() })
    await collect(ctx, { source: 'replay', files: [write(`expected-${dbs}.jsonl`, some.join('\n') + '\n')] })
    const d = dump(ctx)
    ctx.db.close()
    return d
  }

  // 1000 and 5000 complete lines: the line being written starts a chunk of its own.
  for (const [where, complete] of [
    ['on this thread', 1000],
    ['on worker threads', 5000],
  ] as const) {
    it(`leaves a last line still being written for the next run, even at a chunk boundary (${where})`, async () => {
      const cut = Math.floor(lines[complete]!.length / 2)
      const f = write(`growing-${complete}.jsonl`, lines.slice(0, complete).join('\n') + '\n' + lines[complete]!.slice(0, cut))
      expect(statSync(f).size >= PARALLEL_MIN_BYTES).toBe(complete === 5000)
      const ctx = testContext({ dbPath: db() })
      const first = await collect(ctx, { source: 'replay', files: [f] })
      const note = `last line of ${f} (line ${complete + 1}) is incomplete (still being written?); it will be read next time`
      expect(first).toMatchObject({ status: 'ok', stopReason: note, files: [{ file: f, fromLine: 0, toLine: complete, incompleteLine: complete + 1 }] })
      const badLines = (r: typeof first) => Object.keys(r.stats.skipReasons).filter((k) => k.startsWith('replay:'))
      expect(badLines(first)).toEqual([])
      expect(recentCollectorRuns(ctx.db, 1)[0]).toMatchObject({ status: 'ok', stopReason: note })
      expect(getCursor(ctx.db, 'replay', f)).toBe(String(complete))

      // The daemon ends that line, and writes the next one whole, its line break not yet.
      appendFileSync(f, lines[complete]!.slice(cut) + '\n' + lines[complete + 1])
      const second = await collect(ctx, { source: 'replay', files: [f] })
      expect(second).toMatchObject({ status: 'ok', stopReason: null, files: [{ file: f, fromLine: complete, toLine: complete + 2 }] })
      expect(second.files![0]!.incompleteLine).toBeUndefined()
      expect(badLines(second)).toEqual([])
      expect(dump(ctx)).toEqual(await storedFrom(lines.slice(0, complete + 2)))
      ctx.db.close()
    })
  }

  it('skips a line far over the length cap, stores the lines around it, and says which line and how long (on this thread)', async () => {
    const config = writeTestConfig(tmp.dir, (c) => (c.sources.replay_max_line_mb = 1), 'cap-1mb.yaml')
    const huge = '{"data":[{"id":"1","text":"' + 'x'.repeat(2.5 * (1 << 20))
    const f = write('huge-line.jsonl', [...lines.slice(0, 100), huge, ...lines.slice(100, 200)].join('\n') + '\n')
    expect(statSync(f).size).toBeLessThan(PARALLEL_MIN_BYTES)
    const ctx = testContext({ configPath: config, dbPath: db() })
    const r = await collect(ctx, { source: 'replay', files: [f] })
    expect(r).toMatchObject({ status: 'ok', files: [{ fromLine: 0, toLine: 201 }] })
    expect(r.stats.skipReasons).toEqual({ 'replay: line too long': 1 })
    expect(dump(ctx)).toEqual(await storedFrom(lines.slice(0, 200)))
    ctx.db.close()
  })

  it('does the same on worker threads, as the command shows it', async () => {
    const config = writeTestConfig(tmp.dir, (c) => (c.sources.replay_max_line_mb = 1), 'cap-1mb.yaml')
    const hugeBytes = 5 * (1 << 20) + 3
    const huge = '{"data":[{"id":"1","text":"'.padEnd(hugeBytes, 'y')
    const f = write('huge-line-big.jsonl', [...lines.slice(0, 1500), huge, ...lines.slice(1500, 3000)].join('\n') + '\n')
    expect(statSync(f).size).toBeGreaterThanOrEqual(PARALLEL_MIN_BYTES)
    const dbPath = db()
    const run = await cli(['--config', config, '--db', dbPath, 'collect', '--source', 'replay', '--file', f])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`${f}: lines 1–3001`)
    expect(run.stdout).toContain('1 × replay: line too long')
    const warning = run.stderr.split('\n').find((l) => l.includes('replay line skipped'))
    expect(JSON.parse(warning!)).toMatchObject({ line: 1501, reason: 'line 1501 is 5.0 MB long, over sources.replay_max_line_mb; skipped' })
    const ctx = testContext({ configPath: config, dbPath })
    expect(dump(ctx)).toEqual(await storedFrom(lines.slice(0, 3000)))
    expect(getCursor(ctx.db, 'replay', f)).toBe('3001')
    ctx.db.close()
  })

  it('passes over a line of hundreds of MB with the default cap, never holding it whole', async () => {
    const f = path.join(tmp.dir, 'hundreds-of-mb.jsonl')
    const lineBytes = 300 * (1 << 20)
    // Written in pieces: the test must not hold it either.
    const out = createWriteStream(f)
    const put = async (s: string | Buffer) => out.write(s) || (await once(out, 'drain'))
    await put(lines.slice(0, 100).join('\n') + '\n')
    const head = '{"data":[{"id":"1","text":"'
    await put(head)
    const block = Buffer.alloc(1 << 20, 'z')
    for (let left = lineBytes - head.length; left > 0; left -= block.length) await put(left >= block.length ? block : block.subarray(0, left))
    await put('\n' + lines.slice(100, 200).join('\n') + '\n')
    out.end()
    await once(out, 'finish')

    const ctx = testContext({ dbPath: db() })
    // Buffers live outside the JavaScript heap: watch them while the file is read.
    let peak = 0
    const watch = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5)
    const r = await collect(ctx, { source: 'replay', files: [f] }).finally(() => clearInterval(watch))
    expect(r).toMatchObject({ status: 'ok', files: [{ fromLine: 0, toLine: 201 }] })
    expect(r.stats.skipReasons).toEqual({ 'replay: line too long': 1 })
    expect(peak).toBeLessThan(lineBytes)
    expect(dump(ctx)).toEqual(await storedFrom(lines.slice(0, 200)))
    ctx.db.close()
  })

  // Stored without compression (level 0), the archive is big enough for the worker threads.
  for (const [where, level, count] of [
    ['on this thread', 6, 2742],
    ['on worker threads', 0, 5484],
  ] as const) {
    it(`stores every complete line of a truncated .gz, then fails saying where, and again the same way (${where})`, async () => {
      const gz = gzipSync(lines.slice(0, count).join('\n') + '\n', { level })
      const cut = gz.subarray(0, Math.floor(gz.length * 0.85))
      const f = write(`truncated-${level}.jsonl.gz`, cut)
      expect(statSync(f).size >= PARALLEL_MIN_BYTES).toBe(level === 0)
      const readable = gunzipSync(cut, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8')
      const complete = readable.split('\n').length - 1
      const expected = await storedFrom(lines.slice(0, complete))
      const dbPath = db()
      const replay = () => cli(['--db', dbPath, 'collect', '--source', 'replay', '--file', f, '--json'])
      const message = new RegExp(
        `^the replay file ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is truncated or corrupt after line ${complete} \\(unexpected end of file\\): lines up to ${complete} are stored`,
      )
      for (const attempt of [1, 2]) {
        const run = await replay()
        expect(run.code, `attempt ${attempt}`).toBe(2)
        const error = (JSON.parse(run.stdout) as { error: { kind: string; message: string } }).error
        expect(error.kind).toBe('InputError')
        expect(error.message).toMatch(message)
        const ctx = testContext({ dbPath })
        expect(dump(ctx)).toEqual(expected)
        expect(getCursor(ctx.db, 'replay', f)).toBe(String(complete))
        const [record] = recentCollectorRuns(ctx.db, 1)
        expect(record).toMatchObject({ status: 'failed', stopReason: error.message })
        expect(record!.newPosts).toBe(attempt === 1 ? expected.posts.length : 0)
        ctx.db.close()
      }
    })
  }
})
