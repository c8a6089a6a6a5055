import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AppContext } from '../../src/context.js'
import { classify } from '../../src/jobs/classify.js'
import { makeDigests, type DigestResult } from '../../src/jobs/digest.js'
import { ingest } from '../../src/jobs/ingest.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { browserAvailable, launchBrowser } from '../browser.js'
import { tempDir, testContext } from '../helpers.js'

const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
const HOSTILE = [
  '<script>window.__pwned = 1</script> China AI fund',
  '<img src=x onerror="window.__pwned = 2"> the $8.5bn AI fund',
  '[click here](javascript:window.__pwned=3) **bold** China AI fund',
  '@everyone <!channel> <@U123> the state AI fund',
  'invoice\u202Efdp.exe China AI fund',
  '"><svg onload=window.__pwned=4> China AI fund',
]

/** An X page whose posts all link the article, with escaping exactly as X sends it. */
function xPage(): unknown {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return {
    data: HOSTILE.map((text, i) => ({
      id: String(1945400000000000000n + BigInt(i)),
      text: `${escape(text)} https://t.co/abc${i}`,
      author_id: String(100 + i),
      created_at: `2025-07-16T1${i}:00:00.000Z`,
      lang: 'en',
      public_metrics: { like_count: 1000 - i, retweet_count: 5, reply_count: 1, quote_count: 0 },
      entities: { urls: [{ start: 0, end: 1, url: `https://t.co/abc${i}`, expanded_url: ARTICLE, unwound_url: ARTICLE }] },
    })),
    includes: {
      users: HOSTILE.map((_, i) => ({ id: String(100 + i), username: `user_${i}`, name: `<b>Name ${i}</b> @here`, public_metrics: { followers_count: 10 } })),
    },
    meta: { result_count: HOSTILE.length },
  }
}

describe('hostile post text in digests', () => {
  const tmp = tempDir('stancewatch-hostile-')
  let ctx: AppContext
  let digest: DigestResult
  beforeAll(async () => {
    ctx = testContext({ now: new Date('2025-07-17T12:00:00Z') })
    ingest(ctx, [normalizePayload(xPage())!], { source: 'replay', query: 'test' })
    await classify(ctx)
    // Every label shows its top posts; put each hostile post under every label so all reach the page.
    ctx.db.prepare("UPDATE post_topics SET stance_label = 'concern' WHERE post_id % 3 = 0").run()
    ctx.db.prepare("UPDATE post_topics SET stance_label = 'praise' WHERE post_id % 3 = 1").run()
    ctx.db.prepare("UPDATE post_topics SET stance_label = 'neutral' WHERE post_id % 3 = 2").run()
    digest = makeDigests(ctx, { date: '2025-07-16', outDir: tmp.dir })[0]!
  })
  afterAll(() => {
    ctx.db.close()
    tmp.cleanup()
  })

  it('stores the text exactly as typed (X entities decoded once)', () => {
    const texts = ctx.db.prepare('SELECT text FROM posts ORDER BY id').pluck().all() as string[]
    expect(texts[0]).toBe(`${HOSTILE[0]} https://t.co/abc0`)
  })

  it('Markdown carries no live link, emphasis, HTML or bidi override', () => {
    const md = readFileSync(
      digest.files.find((f) => f.endsWith('.md'))!,
      'utf8',
    )
    expect(md).not.toMatch(/(?<!\\)\]\(javascript:/)
    expect(md).not.toMatch(/(?<!\\)<(script|img|svg|b)\b/)
    expect(md).not.toContain('\u202E')
    expect(md).toContain('\\[click here\\]')
    expect(md).toContain('\\*\\*bold\\*\\*')
  })

  it.runIf(browserAvailable())('HTML shows every hostile text literally in Chromium and runs nothing', async () => {
    const html = digest.files.find((f) => f.endsWith('.html'))!
    const browser = await launchBrowser()
    try {
      const page = await browser.newPage()
      const dialogs: string[] = []
      const requests: string[] = []
      page.on('dialog', (d) => {
        dialogs.push(d.message())
        void d.dismiss()
      })
      page.on('request', (r) => !r.url().startsWith('file://') && requests.push(r.url()))
      await page.goto(`file://${path.resolve(html)}`)
      expect(await page.evaluate('window.__pwned')).toBeUndefined()
      expect(await page.locator('script, img, iframe, object, embed, [onerror], [onload]').count()).toBe(0)
      const hrefs = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''))
      for (const h of hrefs) expect(h).toMatch(/^https:\/\/(x\.com|bsky\.app)\//)
      const text = await page.locator('main').innerText()
      expect(text).toContain('<script>window.__pwned = 1</script>')
      expect(text).toContain('[click here](javascript:window.__pwned=3)')
      expect(text).toContain('invoicefdp.exe')
      expect(dialogs).toEqual([])
      expect(requests).toEqual([])
    } finally {
      await browser.close()
    }
  })
})
