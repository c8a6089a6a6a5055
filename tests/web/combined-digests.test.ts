/**
 * The combined digest ("All topics") on the dashboard: listed from the database as a topic's digests are,
 * shown in a sandboxed frame, its file served only for a stored YYYY-MM-DD day from its own folder.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppContext } from '../../src/context.js'
import { runJob } from '../../src/jobs/scheduled.js'
import { markTopicsCollected } from '../../src/store/topic-coverage.js'
import { startDashboard, type Dashboard } from '../../src/web/server.js'
import { tempDir, testContext, writeTestConfig } from '../helpers.js'

const NOW = new Date('2025-07-17T14:00:00Z')
const DAY = '2025-07-16'
const tmp = tempDir('stancewatch-web-combined-')
let ctx: AppContext
let dashboard: Dashboard
const page = async (route: string) => {
  const res = await fetch(`${dashboard.url}${route}`)
  return { status: res.status, text: await res.text(), headers: res.headers }
}

beforeAll(async () => {
  const configPath = writeTestConfig(tmp.dir, (c) => {
    c.digest = { ...c.digest, combined: true, deliver: true }
    c.daemon = { digest_catch_up_days: 1 }
    c.topics.push({ id: 'second', name: 'A second topic', keywords: [{ id: 'k', any: ['second topic'] }], stance: c.topics[0].stance })
  })
  ctx = testContext({ configPath, dbPath: path.join(tmp.dir, 'combined.sqlite'), now: NOW })
  markTopicsCollected(ctx.db, ['china-ai-fund', 'second'], NOW.getTime() - 3 * 86_400_000)
  const out = await runJob(ctx, 'digest')
  expect(out.status, out.reason ?? undefined).toBe('ok')
  dashboard = await startDashboard(ctx, { host: '127.0.0.1', port: 0, token: null })
}, 60_000)
afterAll(async () => {
  await dashboard?.close()
  ctx?.db.close()
  tmp.cleanup()
})

describe('the combined digest on the dashboard', () => {
  it('is recorded like a topic’s digest and listed by the API, delivered once the channels sent it', async () => {
    const list = (await (await fetch(`${dashboard.url}/api/digests/all`)).json()) as any[]
    expect(list).toHaveLength(1)
    expect(list[0]).toMatchObject({ day: DAY, deliveredAt: NOW.getTime() })
    expect(list[0].files).toContain(path.join(ctx.config.digest.out_dir, 'combined', `digest-${DAY}.html`))
  })

  it('the digests page lists it as "all topics" beside the topic’s own, and it opens in a sandboxed frame', async () => {
    const archive = await page('/digests')
    expect(archive.status).toBe(200)
    expect(archive.text).toContain('<h2>All topics</h2>')
    expect(archive.text).toContain(`<a href="/digests/all?day=${DAY}">${DAY}: all topics</a>`)
    expect(archive.text).toContain(`<a href="/digests/view?topic=china-ai-fund&amp;day=${DAY}">${DAY}</a>`)

    const view = await page(`/digests/all?day=${DAY}`)
    expect(view.status).toBe(200)
    const src = `/digests/files/combined/digest-${DAY}.html`
    expect(view.text).toContain(`<iframe class="digest" sandbox="" src="${src}"`)

    const file = await page(src)
    expect(file.status).toBe(200)
    expect(file.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/)
    expect(file.text).toContain('<html')
    expect(file.text).toContain('A second topic')

    // Its links to each topic's digest are relative to the digest folder: in the frame they open that digest.
    const href = /<a href="([^"]+)">The full digest of China/.exec(file.text)![1]!
    const topicDigest = await page(new URL(href, `${dashboard.url}${src}`).pathname)
    expect(topicDigest.status, href).toBe(200)
    expect(topicDigest.headers.get('content-security-policy')).toMatch(/^sandbox; default-src 'none'/)
    expect(topicDigest.text).toContain('<html')
  })

  it('serves no file but a stored day’s, from the combined folder', async () => {
    for (const day of ['../../etc/passwd', '2025-07-16/../x', '', '2025-07-15', '16-07-2025']) {
      expect((await page(`/digests/all?day=${encodeURIComponent(day)}`)).status, day).toBe(404)
      expect((await page(`/digests/files/combined/digest-${encodeURIComponent(day)}.html`)).status, day).toBe(404)
    }
    // A folder that is neither a topic nor the combined one; a topic without that day.
    expect((await page(`/digests/files/..%2F..%2Fetc/digest-${DAY}.html`)).status).toBe(404)
    expect((await page(`/digests/files/second/digest-2025-07-15.html`)).status).toBe(404)
    // Even a record pointing at another folder (the database edited by hand) is not read.
    const elsewhere = path.join(tmp.dir, 'elsewhere', `digest-${DAY}.html`)
    mkdirSync(path.dirname(elsewhere))
    writeFileSync(elsewhere, '<html>not a combined digest</html>')
    const files = ctx.db.prepare("SELECT files FROM digests WHERE topic_id = '*combined' AND day = ?").pluck().get(DAY) as string
    ctx.db.prepare("UPDATE digests SET files = ? WHERE topic_id = '*combined' AND day = ?").run(JSON.stringify([elsewhere]), DAY)
    try {
      expect((await page(`/digests/files/combined/digest-${DAY}.html`)).status).toBe(404)
    } finally {
      ctx.db.prepare("UPDATE digests SET files = ? WHERE topic_id = '*combined' AND day = ?").run(files, DAY)
    }
  })
})
