import { statSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { collect } from '../../src/jobs/collect.js'
import { samplePayloads } from '../../bench/sample-posts.js'
import { tempDir, testContext } from '../helpers.js'

describe('replaying a large archive on a worker thread', () => {
  const tmp = tempDir('stancewatch-replay-')
  afterAll(tmp.cleanup)
  const archive = path.join(tmp.dir, 'big.jsonl')
  // Three time-shifted copies of the sample: over the size at which replay moves parsing to a worker.
  const lines = samplePayloads(3).map((p) => JSON.stringify(p))
  writeFileSync(archive, [...lines.slice(0, 10), 'not json at all', ...lines.slice(10)].join('\n') + '\n')

  const dump = (ctx: ReturnType<typeof testContext>) => ({
    posts: ctx.db
      .prepare(
        'SELECT platform, platform_id, text, lang_detected, created_at, links, topics, raw, (SELECT body FROM payloads WHERE id = payload_id) AS payload FROM posts ORDER BY platform, platform_id',
      )
      .all(),
    payloads: ctx.db.prepare('SELECT count(*) FROM payloads').pluck().get(),
    topics: ctx.db.prepare('SELECT topic_id, created_at, rules FROM post_topics ORDER BY topic_id, created_at, post_id').all(),
  })

  it('stores exactly what the same file gives on one thread, and counts the bad line', async () => {
    expect(statSync(archive).size).toBeGreaterThan(4 * 1024 * 1024)
    const inWorker = testContext({ dbPath: path.join(tmp.dir, 'worker.sqlite') })
    const r = await collect(inWorker, { source: 'replay', files: [archive] })
    expect(r.status).toBe('ok')
    expect(r.stats.skipReasons['replay: line is not valid JSON']).toBe(1)
    expect(r.stats.newPosts).toBeGreaterThan(6000)

    // The same lines in small files stay on this thread.
    const small = testContext({ dbPath: path.join(tmp.dir, 'thread.sqlite') })
    const files = [0, 1, 2].map((k) => {
      const f = path.join(tmp.dir, `part-${k}.jsonl`)
      const part = lines.slice(Math.floor((k * lines.length) / 3), Math.floor(((k + 1) * lines.length) / 3))
      writeFileSync(f, part.join('\n') + '\n')
      return f
    })
    await collect(small, { source: 'replay', files })
    expect(dump(inWorker)).toEqual(dump(small))
    inWorker.db.close()
    small.db.close()
  })

  it('resumes after the last stored chunk when stopped, without doubling anything', async () => {
    const ctx = testContext({ dbPath: path.join(tmp.dir, 'resume.sqlite') })
    const stop = new AbortController()
    let chunks = 0
    const first = await collect(ctx, { source: 'replay', files: [archive], signal: stop.signal, onProgress: () => ++chunks === 3 && stop.abort() })
    expect(first.status).toBe('partial')
    const second = await collect(ctx, { source: 'replay', files: [archive] })
    expect(second.status).toBe('ok')
    expect(second.files![0]!.fromLine).toBeGreaterThan(0)
    const full = testContext({ dbPath: path.join(tmp.dir, 'full.sqlite') })
    await collect(full, { source: 'replay', files: [archive] })
    expect(ctx.db.prepare('SELECT count(*) FROM posts').pluck().get()).toBe(full.db.prepare('SELECT count(*) FROM posts').pluck().get())
    expect(first.stats.newPosts + second.stats.newPosts).toBe(full.db.prepare('SELECT count(*) FROM posts').pluck().get())
    ctx.db.close()
    full.db.close()
  })
})
