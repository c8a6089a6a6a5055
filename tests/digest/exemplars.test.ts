import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfigText } from '../../src/config/load.js'
import type { AppContext } from '../../src/context.js'
import { buildDigestFacts, type DigestFacts } from '../../src/digest/facts.js'
import { renderHtml } from '../../src/digest/html.js'
import { renderMarkdown } from '../../src/digest/markdown.js'
import { digestMessage } from '../../src/digest/message.js'
import { renderPlainText } from '../../src/digest/plain.js'
import { ConfigError } from '../../src/domain/errors.js'
import { ingest } from '../../src/jobs/ingest.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { parsePostRef } from '../../src/cli/post-ref.js'
import { findPost, setHumanLabel } from '../../src/store/labels.js'
import { browserAvailable, launchBrowser } from '../browser.js'
import { CONFIG, tempDir, testContext } from '../helpers.js'

const ZONE = 'America/New_York'
const DAY = '2025-07-16'

interface Fixture {
  id: string
  text: string
  label: 'concern' | 'praise' | 'neutral'
  confidence: number
  likes: number
}

let seq = 0
const post = (text: string, label: Fixture['label'], confidence: number, likes: number): Fixture => ({
  id: String(1946000000000000000n + BigInt(++seq)),
  text,
  label,
  confidence,
  likes,
})

/**
 * The shipped exemplar bar is 0.6. Concern: a very engaged post at 0.55 (below the bar), two above it, and a
 * person's label on a post the model gave 0.3. Praise: every post below the bar (the publisher's headline
 * the most engaged, at 0.50). Neutral: none.
 */
const POSTS: Fixture[] = [
  post('The AI fund distorts the market <b>badly</b>', 'concern', 0.55, 900),
  post('Subsidies for state darlings through the China AI fund: market distortion', 'concern', 0.91, 300),
  post('Security risk: the AI fund backs dual-use labs', 'concern', 0.62, 20),
  post('Another AI fund, another bubble', 'concern', 0.3, 5),
  post('How China’s government is funding its A.I. start-ups through an AI fund', 'praise', 0.5, 800),
  post('The AI fund shows national will & vision', 'praise', 0.58, 10),
]
const HUMAN = POSTS[3]!

function xPage(posts: Fixture[]): unknown {
  return {
    data: posts.map((p, i) => ({
      id: p.id,
      text: p.text,
      author_id: `u${p.id.slice(-3)}`,
      created_at: `2025-07-16T1${i}:00:00.000Z`,
      lang: 'en',
      public_metrics: { like_count: p.likes, retweet_count: 0, reply_count: 0, quote_count: 0 },
    })),
    includes: {
      users: posts.map((p) => ({ id: `u${p.id.slice(-3)}`, username: `user${p.id.slice(-3)}`, name: 'Someone', public_metrics: { followers_count: 1 } })),
    },
    meta: { result_count: posts.length },
  }
}

describe('digest examples obey the confidence bar and show the doubt', () => {
  let ctx: AppContext
  let f: DigestFacts
  const group = (label: string) => f.topPosts.find((g) => g.label === label)!

  beforeAll(() => {
    ctx = testContext({ now: new Date('2025-07-17T12:00:00Z') })
    ingest(ctx, [normalizePayload(xPage(POSTS))!], { source: 'replay', query: 'fixture' })
    const setLabel = ctx.db.prepare(
      "UPDATE post_topics SET stance_label = ?, stance_source = 'model', stance_confidence = ? WHERE post_id = (SELECT id FROM posts WHERE platform_id = ?)",
    )
    for (const p of POSTS) setLabel.run(p.label, p.confidence, p.id)
    setHumanLabel(ctx.db, findPost(ctx.db, parsePostRef(HUMAN.id))!, 'china-ai-fund', 'concern', 'alice', Date.parse('2025-07-17T10:00:00Z'))
    f = buildDigestFacts(ctx.db, ctx.config.topics[0]!, DAY, ZONE, ctx.now(), 3)
  })
  afterAll(() => ctx.db.close())

  it('takes examples only from posts at the bar or labelled by a person, most engaged first', () => {
    expect(f.exemplarConfidence).toBe(0.6)
    const concern = group('concern')
    expect(concern.unsure).toBe(false)
    expect(concern.posts.map((p) => [p.likes, p.confidence, p.human, p.unsure])).toEqual([
      [300, 0.91, false, false],
      [20, 0.62, false, false],
      [5, null, true, false],
    ])
    // The most engaged concern post (0.55) is counted in the shares but not shown.
    expect(concern.belowBar).toBe(1)
    expect(f.stance.find((l) => l.label === 'concern')!.count).toBe(4)
  })

  it('a stance with no post at the bar shows only its most confident post, marked unsure; one with no posts shows none', () => {
    const praise = group('praise')
    expect(praise.unsure).toBe(true)
    expect(praise.belowBar).toBe(2)
    expect(praise.posts).toHaveLength(1)
    // The 0.58 post, not the more engaged headline at 0.50.
    expect(praise.posts[0]).toMatchObject({ likes: 10, confidence: 0.58, unsure: true })
    expect(group('neutral')).toMatchObject({ posts: [], unsure: false, belowBar: 0 })
  })

  it('Markdown: confidence beside every post, the person’s label and the doubt in bold, post text still escaped', () => {
    const md = renderMarkdown(f)
    expect(md).toContain('_Examples are posts a person labelled or the model gave at least 0.60 confidence;')
    expect(md).toContain('300 likes · 0 reposts · 0 replies · 0 quotes; model confidence 0.91')
    expect(md).toContain('20 likes · 0 reposts · 0 replies · 0 quotes; model confidence 0.62')
    expect(md).toContain('5 likes · 0 reposts · 0 replies · 0 quotes; **label given by a person**')
    expect(md).toContain('10 likes · 0 reposts · 0 replies · 0 quotes; **model unsure, confidence 0.58**')
    expect(md).toContain('_No post with this stance reached 0.60 confidence (2 below it); the most confident is shown, but it may not be this stance._')
    expect(md).toContain('_No posts with this stance._')
    expect(md).not.toContain('funding its A.I. start-ups')
    expect(md).toContain('## Stance')
    expect(md).not.toContain('distorts the market')
    expect(md).toContain('national will \\& vision')
  })

  it('HTML and plain text say the same, escaped for their medium', () => {
    const html = renderHtml(f)
    expect(html).toContain(' · model confidence 0.91')
    expect(html).toContain('<span class="human">label given by a person</span>')
    expect(html).toContain('<span class="unsure">model unsure, confidence 0.58</span>')
    expect(html).toContain('<p class="note">No post with this stance reached 0.60 confidence (2 below it)')
    expect(html).toContain('<blockquote dir="auto">The AI fund shows national will &#38; vision</blockquote>')
    const text = renderPlainText(f)
    expect(text).toContain('300 likes · 0 reposts · 0 replies · 0 quotes, model confidence 0.91')
    expect(text).toContain('5 likes · 0 reposts · 0 replies · 0 quotes, label given by a person')
    expect(text).toContain('[MODEL UNSURE] "The AI fund shows national will & vision"')
    expect(text).toContain('10 likes · 0 reposts · 0 replies · 0 quotes, model unsure, confidence 0.58')
    expect(text).toContain('(No post with this stance reached 0.60 confidence (2 below it);')
  })

  it('chat messages carry the confidence in the label and leave out a post shown in doubt', () => {
    const m = digestMessage(f, { html: '', text: '', markdown: '' }, null)
    expect(m.posts.map((p) => p.label)).toEqual(['Concern (market distortion / security) (model confidence 0.91)'])
  })

  it.runIf(browserAvailable())('the HTML digest stays readable in Chromium, on a phone too: the doubt visible, nothing overflowing', async () => {
    const tmp = tempDir('stancewatch-exemplars-')
    const file = path.join(tmp.dir, 'digest.html')
    const { writeFileSync } = await import('node:fs')
    writeFileSync(file, renderHtml(f))
    const browser = await launchBrowser()
    try {
      for (const width of [375, 760]) {
        const page = await browser.newPage({ viewport: { width, height: 800 } })
        await page.goto(`file://${file}`)
        const unsure = page.locator('.unsure')
        expect(await unsure.count()).toBe(1)
        expect(await unsure.isVisible()).toBe(true)
        // Evaluated as strings: the tests are compiled without the DOM's types.
        const style = await page.evaluate<{ color: string; background: string }>(
          "(() => { const s = getComputedStyle(document.querySelector('.unsure')); return { color: s.color, background: s.backgroundColor } })()",
        )
        expect(style.background).not.toBe(style.color)
        const posts = await page.locator('ol.posts li .muted').allInnerTexts()
        expect(posts).toHaveLength(4)
        for (const p of posts) expect(p).toMatch(/model confidence 0\.\d\d|label given by a person|model unsure, confidence 0\.\d\d/)
        expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true)
        await page.close()
      }
    } finally {
      await browser.close()
      tmp.cleanup()
    }
  })
})

describe('stance.exemplar_confidence in the config', () => {
  const shipped = readFileSync(CONFIG, 'utf8')
  it('is checked: 0–1, and not below min_confidence (it would change nothing)', () => {
    const text = shipped.replace('exemplar_confidence: 0.6', 'exemplar_confidence: 0.3')
    expect(text).not.toBe(shipped)
    try {
      parseConfigText(text, 'my.yaml', path.dirname(CONFIG))
      throw new Error('accepted')
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError)
      expect((e as ConfigError).problems[0]).toMatchObject({
        key: 'topics[0].stance.exemplar_confidence',
        message: '0.3 is below min_confidence (0.45), so it would change nothing',
        fix: 'set it to at least 0.45 (0.6 by default), or lower min_confidence',
      })
    }
    expect(() => parseConfigText(shipped.replace('min_cv_macro_f1: 0.45', 'min_cv_macro_f1: 1.5'), 'my.yaml', path.dirname(CONFIG))).toThrow(/min_cv_macro_f1/)
  })
})
