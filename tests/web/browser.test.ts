import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeCombinedDigest } from '../../src/jobs/combined-digest.js'
import { browserAvailable, launchBrowser } from '../browser.js'
import { dashboardFixture, type Fixture } from './fixture.js'

/*
 * The dashboard in headless Chromium (Debian's, through playwright-core), against a real database: every
 * request is intercepted and must stay on 127.0.0.1; the console must stay clean.
 */

const RANGE = 'from=2025-07-10&to=2025-07-26'
let f: Fixture
let browser: Browser

interface Watched {
  page: Page
  errors: string[]
  outside: string[]
  dialogs: string[]
}

async function open(width = 1280): Promise<Watched> {
  const page = await browser.newPage({ viewport: { width, height: 900 } })
  const w: Watched = { page, errors: [], outside: [], dialogs: [] }
  await page.route('**/*', (route) => {
    const u = new URL(route.request().url())
    if (u.hostname !== '127.0.0.1' && u.protocol !== 'data:') {
      w.outside.push(u.href)
      return route.abort()
    }
    return route.continue()
  })
  page.on('console', (m) => m.type() === 'error' && w.errors.push(m.text()))
  page.on('pageerror', (e) => w.errors.push(e.message))
  page.on('dialog', (d) => {
    w.dialogs.push(d.message())
    void d.dismiss()
  })
  return w
}

const stanceOf = (postId: number) =>
  f.ctx.db.prepare('SELECT stance_label AS label, stance_source AS source FROM post_topics WHERE post_id = ?').get(postId) as { label: string; source: string }

async function chartTotals(page: Page): Promise<Record<string, number>> {
  await page.locator('#chart[data-totals] canvas').waitFor()
  return JSON.parse((await page.locator('#chart').getAttribute('data-totals'))!) as Record<string, number>
}

describe.runIf(browserAvailable())('the dashboard in Chromium', () => {
  beforeAll(async () => {
    f = await dashboardFixture()
    browser = await launchBrowser()
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await f?.close()
  })

  it('every page loads at desktop and phone width with no console error and no request leaving 127.0.0.1', async () => {
    const day = (f.ctx.db.prepare('SELECT day FROM digests').pluck().get() as string) ?? ''
    makeCombinedDigest(f.ctx, { date: day })
    for (const width of [1280, 400]) {
      const w = await open(width)
      const seen: string[] = []
      w.page.on('request', (r) => seen.push(r.url()))
      for (const route of [
        `/?${RANGE}`,
        `/posts?${RANGE}`,
        '/review',
        '/alerts',
        '/digests',
        `/digests/view?day=${day}`,
        `/digests/all?day=${day}`,
        '/health',
      ]) {
        const res = await w.page.goto(`${f.url}${route}`)
        expect(res?.status(), route).toBe(200)
        if (route.startsWith('/?')) await chartTotals(w.page)
        // Usable at phone width: nothing wider than the screen but the tables that scroll inside their box.
        expect(await w.page.evaluate('document.documentElement.scrollWidth'), `${route} at ${width}px`).toBeLessThanOrEqual(width)
      }
      expect(w.errors).toEqual([])
      expect(w.outside).toEqual([])
      expect(seen.some((u) => u.endsWith('/assets/uPlot.min.js'))).toBe(true)
      for (const u of seen) expect(new URL(u).hostname).toBe('127.0.0.1')
      await w.page.close()
    }
  }, 120_000)

  it('changing a filter changes the chart data; clicking a bucket lists its posts', async () => {
    const w = await open()
    await w.page.goto(`${f.url}/?${RANGE}`)
    const all = await chartTotals(w.page)
    await w.page.selectOption('select[name="platform"]', 'x')
    await w.page.waitForURL(/platform=x/)
    const x = await chartTotals(w.page)
    expect(x).not.toEqual(all)
    for (const label of Object.keys(all)) expect(x[label]).toBeLessThanOrEqual(all[label]!)
    expect(x.praise).toBeLessThan(all.praise!)
    await w.page.selectOption('select[name="bucket"]', 'week')
    await w.page.waitForURL(/bucket=week/)
    // 10–26 July 2025: the ISO weeks starting 7, 14 and 21 July.
    expect(await w.page.locator('#chart').getAttribute('data-points')).toBe('3')

    const box = (await w.page.locator('#chart .u-over').boundingBox())!
    await w.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await w.page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    await w.page.waitForURL(/\/posts\?/)
    const url = new URL(w.page.url())
    expect(url.searchParams.get('platform')).toBe('x')
    expect(url.searchParams.get('from')).toMatch(/^2025-07-\d\dT00:00:00/)
    expect(await w.page.locator('article.post').count()).toBeGreaterThan(0)
    expect(w.errors).toEqual([])
    expect(w.outside).toEqual([])
    await w.page.close()
  })

  it('a label in the posts view changes the chart and survives a reload; undo (key u) restores the model label', async () => {
    const w = await open()
    await w.page.goto(`${f.url}/?${RANGE}`)
    const before = await chartTotals(w.page)
    await w.page.goto(`${f.url}/posts?${RANGE}`)
    const card = w.page.locator('article.post', { has: w.page.locator('.stance[data-source="model"]:not([data-label="praise"])') }).first()
    const id = Number(await card.getAttribute('data-post'))
    const was = stanceOf(id)
    await card.locator('button.label-btn[data-label="praise"]').click()
    const mine = w.page.locator(`article.post[data-post="${id}"] .stance`)
    await expect.poll(() => mine.getAttribute('data-source')).toBe('human')
    expect(stanceOf(id)).toEqual({ label: 'praise', source: 'human' })

    await w.page.goto(`${f.url}/?${RANGE}`)
    const after = await chartTotals(w.page)
    expect(after.praise).toBe(before.praise! + 1)
    expect(after[was.label]).toBe(before[was.label]! - 1)

    await w.page.goto(`${f.url}/posts?${RANGE}`)
    await w.page.reload()
    expect(await mine.getAttribute('data-label')).toBe('praise')
    expect(await mine.innerText()).toContain('person')

    await w.page.keyboard.press('u')
    await expect.poll(() => mine.getAttribute('data-source')).toBe('model')
    expect(await mine.getAttribute('data-label')).toBe(was.label)
    expect(stanceOf(id)).toEqual(was)
    await w.page.goto(`${f.url}/?${RANGE}`)
    expect(await chartTotals(w.page)).toEqual(before)
    expect(w.errors).toEqual([])
    await w.page.close()
  })

  it('the review queue by keyboard: a number labels, s skips, u undoes; the chart follows and the label survives a reload', async () => {
    const humanPraiseAndConcern = async () => {
      const s = (await (await fetch(`${f.url}/api/stance?${RANGE}`)).json()) as any
      return s.series.totals.labels.reduce((n: number, l: any) => n + l.human, 0) as number
    }
    const humans = await humanPraiseAndConcern()
    const w = await open(400)
    await w.page.goto(`${f.url}/review`)
    const cards = w.page.locator('article.post')
    const first = Number(await cards.nth(0).getAttribute('data-post'))
    const second = Number(await cards.nth(1).getAttribute('data-post'))
    const was = stanceOf(first)
    await w.page.keyboard.press('1')
    await expect.poll(() => stanceOf(first).source).toBe('human')
    expect(stanceOf(first).label).toBe('concern')
    expect(await humanPraiseAndConcern()).toBe(humans + 1)
    await expect.poll(() => cards.nth(1).getAttribute('class')).toContain('current')
    await w.page.keyboard.press('s')
    await expect.poll(() => cards.nth(2).getAttribute('class')).toContain('current')
    expect(stanceOf(second).source).toBe('model')

    await w.page.reload()
    expect(await w.page.locator(`article.post[data-post="${first}"]`).count()).toBe(0)
    await w.page.keyboard.press('u')
    await expect.poll(() => stanceOf(first)).toEqual(was)
    expect(await humanPraiseAndConcern()).toBe(humans)
    expect(w.errors).toEqual([])
    await w.page.close()
  })

  it('hostile post text renders inert: no script, no handler, no javascript: link, no bidi control', async () => {
    const w = await open()
    await w.page.goto(`${f.url}/posts?from=2025-07-20&to=2025-07-20&q=${encodeURIComponent('ai fund')}&sort=engagement`)
    const main = w.page.locator('main')
    const text = await main.innerText()
    expect(text).toContain('<script>window.__pwned = 1</script>')
    expect(text).toContain('<img src=x onerror="window.__pwned = 2">')
    expect(text).toContain('[click here](javascript:window.__pwned=3)')
    expect(text).toContain('invoicefdp.exe')
    expect(text).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/)
    expect(text).toContain('replying to @hostile_0')
    expect(await w.page.evaluate('window.__pwned')).toBeUndefined()
    expect(await main.locator('script, img, svg, iframe, object, embed, [onerror], [onload]').count()).toBe(0)
    // Our pages carry data in one application/json block on the chart page only: here, no inline script at all.
    expect(await w.page.locator('script:not([src])').count()).toBe(0)
    const hrefs = await main.locator('article a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))
    expect(hrefs.length).toBeGreaterThan(0)
    for (const h of hrefs) expect(h).toMatch(/^https:\/\/(x\.com|bsky\.app)\//)
    expect(w.dialogs).toEqual([])
    expect(w.errors).toEqual([])
    await w.page.close()
  })

  it('a POST from another site is refused and changes nothing', async () => {
    const post = f.ctx.db.prepare("SELECT post_id FROM post_topics WHERE stance_source = 'model' LIMIT 1").pluck().get() as number
    const was = stanceOf(post)
    // Another site on this machine (another port is another origin), trying a form and a fetch.
    const attacker: Server = createServer((_, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' })
      res.end(`<!doctype html><form method="post" action="${f.url}/api/labels" enctype="text/plain">
        <input name='{"post":${post},"label":"praise","x":"' value='"}'></form>
        <script>
          fetch('${f.url}/api/labels', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"post":${post},"label":"praise"}' })
            .then((r) => (window.__fetch = r.status), () => (window.__fetch = 'blocked'))
            .finally(() => document.forms[0].submit())
        </script>`)
    })
    await new Promise<void>((ok) => attacker.listen(0, '127.0.0.1', ok))
    try {
      const w = await open()
      const answers: number[] = []
      w.page.on('response', (r) => r.url().startsWith(`${f.url}/api/labels`) && answers.push(r.status()))
      await w.page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`)
      await w.page.waitForURL(`${f.url}/api/labels`)
      expect(await w.page.locator('body').innerText()).toContain('refused')
      expect(answers).toContain(403)
      expect(answers).not.toContain(200)
      expect(stanceOf(post)).toEqual(was)
      expect(w.outside).toEqual([])
      await w.page.close()
    } finally {
      await new Promise((ok) => attacker.close(ok))
    }
  })
})
