import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeContext, type AppContext } from '../../src/context.js'
import { makeDigests } from '../../src/jobs/digest.js'
import { browserAvailable, launchBrowser } from '../browser.js'
import { tempDir, testContext } from '../helpers.js'
import { DAY, storeFourteenDays } from './fourteen-days.js'

/** Whether fontconfig knows a Noto CJK face (Debian: fonts-noto-cjk). */
function cjkFontInstalled(): boolean {
  try {
    return execFileSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).includes('Noto Sans CJK')
  } catch {
    return false
  }
}

interface Box {
  left: number
  right: number
}

// Evaluated in the page as strings: the tests are compiled without the DOM's types.
const PAGE_WIDTHS = '({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })'
const boxesOf = (selector: string) =>
  `[...document.querySelectorAll(${JSON.stringify(selector)})].map((el) => { const r = el.getBoundingClientRect(); return { left: r.left, right: r.right } })`

describe('the HTML digest at a desktop and a phone width', () => {
  const tmp = tempDir('stancewatch-layout-')
  let ctx: AppContext
  let html: string
  beforeAll(() => {
    ctx = testContext({ now: new Date('2025-07-17T12:00:00Z') })
    storeFourteenDays(ctx)
    html = makeDigests(ctx, { date: DAY, outDir: tmp.dir })[0]!.files.find((f) => f.endsWith('.html'))!
  })
  afterAll(() => {
    closeContext(ctx)
    tmp.cleanup()
  })

  it('marks each quoted post with its detected language and names CJK system fonts', () => {
    const text = readFileSync(html, 'utf8')
    expect(text).toMatch(/<blockquote dir="auto" lang="zh">国家人工智能/)
    expect(text).toMatch(/<blockquote dir="auto" lang="ja">中国のAIファンド/)
    expect(text).toContain('system-ui')
    expect(text).toContain('"Noto Sans CJK SC"')
    expect(text).toMatch(/:lang\(ja\)\{font-family:"Noto Sans CJK JP"/)
  })

  it.runIf(browserAvailable())('never scrolls sideways; the stance table’s change columns are in view, the 14-day table’s columns within reach', async () => {
    const browser = await launchBrowser()
    try {
      for (const width of [1280, 400]) {
        const page = await browser.newPage({ viewport: { width, height: 900 } })
        await page.goto(`file://${html}`)
        const doc = await page.evaluate<{ scroll: number; client: number }>(PAGE_WIDTHS)
        expect(doc.scroll, `document at ${width} px`).toBeLessThanOrEqual(doc.client)

        // The stance table fits: every column, the two changes included, lies inside the screen.
        const headers = await page.locator('table.stance thead th').allInnerTexts()
        expect(headers.map((h) => h.replace(/\s+/g, ' '))).toEqual(['Stance', 'Posts', 'Share (95% interval)', 'vs day before', 'vs 7-day average'])
        for (const b of await page.evaluate<Box[]>(boxesOf('table.stance th, table.stance td'))) {
          expect(b.left, `stance table at ${width} px`).toBeGreaterThanOrEqual(0)
          expect(b.right, `stance table at ${width} px`).toBeLessThanOrEqual(doc.client)
        }

        // The 14-day table fits at a desktop width; on a phone it scrolls in its own box, the day column held.
        const days = "document.querySelector('.table-wrap.days')"
        const box = await page.evaluate<{ scroll: number; client: number; overflow: string }>(
          `(() => { const el = ${days}; return { scroll: el.scrollWidth, client: el.clientWidth, overflow: getComputedStyle(el).overflowX } })()`,
        )
        if (width === 1280) expect(box.scroll, 'the 14-day table at 1280 px').toBeLessThanOrEqual(box.client)
        expect(box.overflow).toBe('auto')
        await page.evaluate(`(() => { const el = ${days}; el.scrollLeft = el.scrollWidth })()`)
        const lastHeader = (await page.evaluate<Box[]>(boxesOf('.days thead th:last-child')))[0]!
        expect(lastHeader.right, `last 14-day column at ${width} px, scrolled`).toBeLessThanOrEqual(doc.client + 0.5)
        for (const b of await page.evaluate<Box[]>(boxesOf('.days tbody th[scope=row]'))) {
          expect(b.left, `day column at ${width} px, scrolled`).toBeGreaterThanOrEqual(0)
          expect(b.right).toBeLessThanOrEqual(doc.client)
        }
        expect(await page.evaluate(PAGE_WIDTHS)).toEqual(doc)
        await page.close()
      }
    } finally {
      await browser.close()
    }
  })

  it.runIf(browserAvailable() && cjkFontInstalled())('renders Chinese and Japanese posts in Noto Sans CJK, not in boxes', async () => {
    const browser = await launchBrowser()
    try {
      const page = await browser.newPage({ viewport: { width: 400, height: 900 } })
      await page.goto(`file://${html}`)
      const cdp = await page.context().newCDPSession(page)
      await cdp.send('DOM.enable')
      await cdp.send('CSS.enable')
      const { root } = await cdp.send('DOM.getDocument', { depth: -1 })
      for (const lang of ['zh', 'ja']) {
        const { nodeId } = await cdp.send('DOM.querySelector', { nodeId: root.nodeId, selector: `blockquote[lang=${lang}]` })
        const { fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId })
        expect(fonts.map((f) => f.familyName).join(', '), lang).toMatch(/Noto Sans CJK/)
      }
      await page.close()
    } finally {
      await browser.close()
    }
  })
})
