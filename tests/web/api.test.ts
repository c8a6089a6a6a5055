import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { uncertainty } from '../../src/classify/uncertainty.js'
import { stanceOverTime } from '../../src/aggregate/stance-over-time.js'
import { parseUserTime } from '../../src/aggregate/time-buckets.js'
import { thisProcess } from '../../src/jobs/process-identity.js'
import { releaseLease, tryAcquireLease } from '../../src/store/leases.js'
import { SECURITY_HEADERS } from '../../src/web/security.js'
import { csrfOf, dashboardFixture, HOSTILE_ID, postJson, type Fixture } from './fixture.js'

let f: Fixture
let csrf: string
const get = async (route: string) => {
  const res = await fetch(`${f.url}${route}`)
  return { status: res.status, body: (await res.json()) as any, headers: res.headers }
}
const send = (route: string, body: unknown, headers: Record<string, string> = {}) => postJson(f.url, route, body, { 'X-CSRF-Token': csrf, ...headers })
const stanceOf = (postId: number) =>
  f.ctx.db.prepare('SELECT stance_label AS label, stance_source AS source FROM post_topics WHERE post_id = ?').get(postId) as { label: string; source: string }
const RANGE = 'from=2025-07-10&to=2025-07-26'

beforeAll(async () => {
  f = await dashboardFixture()
  csrf = await csrfOf(f.url)
}, 120_000)
afterAll(() => f?.close())

describe('dashboard JSON API over a real database', () => {
  it('stance over time: the stance query itself, with filters, alerts and gaps on the axis', async () => {
    const { status, body } = await get(`/api/stance?${RANGE}&bucket=day`)
    expect(status).toBe(200)
    const topic = f.ctx.config.topics[0]!
    const zone = f.ctx.config.timezone
    const direct = stanceOverTime(f.ctx.db, {
      topic,
      from: parseUserTime('2025-07-10', zone, 'from', ''),
      to: parseUserTime('2025-07-26', zone, 'to', ''),
      bucket: 'day',
      zone,
    })
    expect(body.series).toEqual(JSON.parse(JSON.stringify(direct)))
    expect(body.series.buckets).toHaveLength(17)
    expect(body.series.totals.labels[0]).toMatchObject({ label: 'concern', ci95: [expect.any(Number), expect.any(Number)] })
    expect(body.alerts.length).toBeGreaterThan(0)
    expect(body.alerts[0]).toMatchObject({ kind: 'volume_spike', start: expect.any(String), end: expect.any(String) })
    expect(body.gaps).toEqual([])

    const x = (await get(`/api/stance?${RANGE}&platform=x`)).body
    const zh = (await get(`/api/stance?${RANGE}&lang=zh`)).body
    const chips = (await get(`/api/stance?${RANGE}&theme=chips&bucket=week`)).body
    expect(x.series.totals.total).toBeGreaterThan(0)
    expect(x.series.totals.total).toBeLessThan(body.series.totals.total)
    expect(zh.series.totals.total).toBeLessThan(body.series.totals.total)
    expect(chips.series.bucket).toBe('week')
    expect(chips.series.filters).toEqual({ platform: null, lang: null, theme: 'chips' })
  })

  it('days before the topic’s first collection are "not collected", not zero, in the API and the page', async () => {
    const early = 'from=2025-06-27&to=2025-07-26'
    const s = (await get(`/api/stance?${early}`)).body.series
    expect(s.buckets[0]).toMatchObject({ start: expect.stringMatching(/^2025-06-27/), collected: false, total: 0 })
    expect(s.buckets.at(-1)).toMatchObject({ collected: true })
    const page = await (await fetch(`${f.url}/?${early}`)).text()
    expect(page).toMatch(/<tr class="not-collected">\s*<td>2025-06-27<\/td>\s*<td colspan="\d+">not collected<\/td>/)
  })

  it('refuses a wrong filter with 400 naming it', async () => {
    for (const [q, word] of [
      ['platform=myspace', 'platform'],
      ['bucket=year', 'bucket'],
      ['theme=nope', 'theme'],
      ['from=2025-13-01', 'from'],
      ['from=2025-07-20&to=2025-07-10', 'to'],
      ['min_confidence=2', 'min_confidence'],
      ['label=angry', 'label'],
      ['lang=klingon', 'lang'],
      ['topic=nope', 'topic'],
    ]) {
      const r = await get(`/api/posts?${q}`)
      expect(r.status, q).toBe(400)
      expect(r.body.error.message, q).toContain(word)
    }
  })

  it('posts: newest first in pages of 50, with author, time, engagement, link, stance and thread context', async () => {
    const p0 = (await get(`/api/posts?${RANGE}`)).body
    const p1 = (await get(`/api/posts?${RANGE}&page=1`)).body
    expect(p0.posts).toHaveLength(50)
    expect(p0.hasMore).toBe(true)
    expect(p1.posts[0].createdAt <= p0.posts[49].createdAt).toBe(true)
    expect(new Set([...p0.posts, ...p1.posts].map((p: any) => p.id)).size).toBe(100)
    const times = p0.posts.map((p: any) => p.createdAt)
    expect([...times].sort().reverse()).toEqual(times)

    const hostile = (await get(`/api/posts?${RANGE}&sort=engagement`)).body.posts
    expect(hostile[0]).toMatchObject({ platformId: HOSTILE_ID(0), authorHandle: 'hostile_0', likes: 5000, url: expect.stringMatching(/^https:\/\/x\.com\//) })
    expect(hostile[0].label).not.toBeNull()
    expect(hostile[0].source).toBe('model')
    expect(hostile[0].confidence).toBeGreaterThan(0)
    // Most engaged first, whether the range is walked along the engagement index (17 days) or sorted (a day).
    const day = (await get('/api/posts?from=2025-07-20&to=2025-07-20&sort=engagement')).body.posts
    for (const list of [hostile, day]) {
      const e = list.map((p: any) => p.engagement)
      expect([...e].sort((a, b) => b - a)).toEqual(e)
    }
    expect(day[0].platformId).toBe(HOSTILE_ID(0))
    const reply = hostile.find((p: any) => p.platformId === HOSTILE_ID(1))
    expect(reply.replyTo).toBe(HOSTILE_ID(0))
    expect(reply.replyToPost).toMatchObject({ platformId: HOSTILE_ID(0), authorHandle: 'hostile_0' })
  })

  it('posts: text search, stance, confidence, platform, language and theme filters', async () => {
    const q = (await get(`/api/posts?${RANGE}&q=INVOICE`)).body.posts
    expect(q.map((p: any) => p.platformId)).toEqual([HOSTILE_ID(3)])
    const concern = (await get(`/api/posts?${RANGE}&label=concern&min_confidence=0.8&platform=bluesky&lang=en`)).body.posts
    expect(concern.length).toBeGreaterThan(0)
    for (const p of concern) {
      expect(p).toMatchObject({ label: 'concern', platform: 'bluesky', lang: 'en' })
      if (p.source === 'model') expect(p.confidence).toBeGreaterThanOrEqual(0.8)
    }
    const chips = (await get(`/api/posts?${RANGE}&theme=chips`)).body.posts
    expect(chips.length).toBeGreaterThan(0)
    for (const p of chips) expect(p.themes).toContain('chips')
  })

  it('export from the posts view: exactly the posts the view lists, as `stancewatch export` writes them (JSONL and CSV)', async () => {
    const res = await fetch(`${f.url}/api/posts/export?${RANGE}&label=concern&platform=x`)
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="china-ai-fund-posts.jsonl"')
    const rows = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const listed: string[] = []
    for (let page = 0; ; page++) {
      const body = (await get(`/api/posts?${RANGE}&label=concern&platform=x&page=${page}`)).body
      listed.push(...body.posts.map((p: any) => p.platformId))
      if (!body.hasMore) break
    }
    expect(rows.length).toBeGreaterThan(50)
    expect(rows.map((r: any) => r.id).sort()).toEqual(listed.sort())
    for (const r of rows) expect(r).toMatchObject({ platform: 'x', stance: { label: 'concern' } })
    const csv = await fetch(`${f.url}/api/posts/export?${RANGE}&label=concern&platform=x&format=csv`)
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const bytes = Buffer.from(await csv.arrayBuffer())
    // The byte-order mark a spreadsheet needs (fetch's text() would hide it).
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.subarray(3).toString('utf8')
    expect(text.startsWith('platform,')).toBe(true)
    expect(text.trim().split('\n').length).toBeGreaterThanOrEqual(rows.length + 1)
    expect((await fetch(`${f.url}/api/posts/export?${RANGE}&format=xml`)).status).toBe(400)
  })

  it('a label: the same path as `stancewatch label`, seen at once in the chart; undo restores the model', async () => {
    const before = (await get(`/api/stance?${RANGE}`)).body.series.totals
    const post = (await get(`/api/posts?${RANGE}&label=concern`)).body.posts[0]
    const r = await send('/api/labels', { post: post.id, label: 'praise' })
    expect(r.status).toBe(200)
    expect(await r.json()).toMatchObject({
      changed: true,
      label: 'praise',
      by: 'dashboard',
      stance: { label: 'praise', source: 'human' },
      previous: { label: 'concern' },
    })
    expect(stanceOf(post.id)).toEqual({ label: 'praise', source: 'human' })
    const after = (await get(`/api/stance?${RANGE}`)).body.series.totals
    const count = (t: any, l: string) => t.labels.find((x: any) => x.label === l)
    expect(count(after, 'praise').count).toBe(count(before, 'praise').count + 1)
    expect(count(after, 'praise').human).toBe(count(before, 'praise').human + 1)
    expect(count(after, 'concern').count).toBe(count(before, 'concern').count - 1)

    const undo = await send('/api/labels/undo', {})
    expect(await undo.json()).toMatchObject({ restored: [{ postId: post.id, undid: 'praise', restored: null, stance: 'concern' }] })
    expect(stanceOf(post.id)).toEqual({ label: 'concern', source: 'model' })
    expect((await get(`/api/stance?${RANGE}`)).body.series.totals).toEqual(before)

    expect((await send('/api/labels', { post: post.id, label: 'uncertain' })).status).toBe(400)
    expect((await send('/api/labels', { post: 99_999_999, label: 'praise' })).status).toBe(404)
    expect((await send('/api/labels', { post: 'one', label: 'praise' })).status).toBe(400)
  })

  it('refuses a change from another origin, without the CSRF token, or not as JSON', async () => {
    const post = (await get(`/api/posts?${RANGE}`)).body.posts[0]
    const was = stanceOf(post.id)
    const attempts = [
      await send('/api/labels', { post: post.id, label: 'praise' }, { 'X-CSRF-Token': '' }),
      await send('/api/labels', { post: post.id, label: 'praise' }, { 'X-CSRF-Token': 'guessed' }),
      await send('/api/labels', { post: post.id, label: 'praise' }, { Origin: 'http://evil.example' }),
      await send('/api/labels', { post: post.id, label: 'praise' }, { 'Sec-Fetch-Site': 'cross-site' }),
      await send('/api/labels', { post: post.id, label: 'praise' }, { 'Sec-Fetch-Site': 'same-site' }),
    ]
    for (const a of attempts) expect(a.status).toBe(403)
    const form = await fetch(`${f.url}/api/labels`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Origin: f.url, 'X-CSRF-Token': csrf },
      body: JSON.stringify({ post: post.id, label: 'praise' }),
    })
    expect(form.status).toBe(415)
    expect(stanceOf(post.id)).toEqual(was)
    // The API is read-only but for its few changes.
    expect((await fetch(`${f.url}/api/posts`, { method: 'DELETE' })).status).toBe(405)
    expect((await send('/api/posts', {})).status).toBe(405)
  })

  it('alerts: listed with their state and full details (as `alerts show`); the state changes', async () => {
    const list = (await get('/api/alerts')).body
    expect(list.length).toBeGreaterThan(0)
    const id = list[0].id
    const one = (await get(`/api/alerts/${id}`)).body
    expect(one.details).toMatchObject({ stanceMix: expect.any(Object), topPosts: expect.any(Array), topTerms: expect.any(Array) })
    const r = await send(`/api/alerts/${id}/state`, { state: 'acknowledged' })
    expect(await r.json()).toMatchObject({ id, state: 'acknowledged' })
    expect((await get('/api/alerts?state=acknowledged')).body.map((a: any) => a.id)).toContain(id)
    expect((await send(`/api/alerts/${id}/state`, { state: 'gone' })).status).toBe(400)
    expect((await get('/api/alerts/999999')).status).toBe(404)
  })

  it('review queue with the model figures; retrain holds the classify lease like any manual run', async () => {
    const r = (await get('/api/review?n=5')).body
    expect(r.queue).toHaveLength(5)
    expect(r.model).toMatchObject({ version: expect.any(String), accuracy: expect.any(Number), macroF1: expect.any(Number) })
    expect(r.labels).toEqual(['concern', 'praise', 'neutral'])
    // Most unsure first: the entropy of the scores falls down the queue, as in `stancewatch review`.
    const entropies = r.queue.map((p: any) => uncertainty(p.scores))
    expect([...entropies].sort((a, b) => b - a)).toEqual(entropies)

    // Another live process (the test runner's parent stands in for the daemon) is classifying: refused.
    const daemon = { ...thisProcess(), pid: process.ppid, command: 'stancewatch start (classify)' }
    expect(tryAcquireLease(f.ctx.db, 'job:classify', daemon, Date.now(), () => false).acquired).toBe(true)
    try {
      const busy = await send('/api/retrain', {})
      expect(busy.status).toBe(409)
      expect(((await busy.json()) as any).error.message).toContain('classify is already running')
    } finally {
      releaseLease(f.ctx.db, 'job:classify', daemon)
    }
    const done = await send('/api/retrain', {})
    expect(done.status).toBe(200)
    expect(await done.json()).toMatchObject({ topicId: 'china-ai-fund', cv: { folds: 5 }, decision: { status: expect.stringMatching(/active|refused/) } })
  }, 120_000)

  it('digests archive, and each digest file served sandboxed', async () => {
    const list = (await get('/api/digests')).body
    expect(list).toHaveLength(1)
    const day = list[0].day
    const file = await fetch(`${f.url}/digests/file?day=${day}`)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/)
    expect(await file.text()).toContain('<html')
    expect((await fetch(`${f.url}/digests/file?day=../../etc/passwd`)).status).toBe(404)
    // One topic: no "All topics" section (tests/web/combined-digests.test.ts has several).
    expect(await (await fetch(`${f.url}/digests`)).text()).not.toContain('All topics')
  })

  it('health: what `stancewatch status` reports', async () => {
    const h = (await get('/api/health')).body
    expect(Object.keys(h)).toEqual(expect.arrayContaining(['database', 'daemon', 'jobs', 'sources', 'topics', 'gaps', 'alerts', 'deliveries']))
    expect(h.topics[0]).toMatchObject({ id: 'china-ai-fund', posts: expect.any(Number) })
  })

  it('security headers on every response, errors and assets included', async () => {
    for (const route of ['/', '/posts', '/api/stance', '/assets/uPlot.min.js', '/assets/dashboard.js', '/nope', '/api/nope', '/assets/../package.json']) {
      const res = await fetch(`${f.url}${route}`)
      for (const [k, v] of Object.entries(SECURITY_HEADERS)) {
        if (route.startsWith('/digests/file')) continue
        expect(res.headers.get(k), `${route} ${k}`).toBe(v)
      }
    }
    const csp = SECURITY_HEADERS['Content-Security-Policy']!
    for (const part of ["default-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) expect(csp).toContain(part)
    expect(csp).not.toContain('unsafe-inline')
    expect((await fetch(`${f.url}/assets/../package.json`)).status).toBe(404)
  })

  it('answers only to a loopback Host (DNS rebinding)', async () => {
    const { port } = new URL(f.url)
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port, path: '/api/health', headers: { Host: host } }, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
          .on('error', reject)
          .end()
      })
    expect(await status(`attacker.example:${port}`)).toBe(403)
    expect(await status(`localhost:${port}`)).toBe(200)
    expect(await status(`127.0.0.1:${port}`)).toBe(200)
  })
})
