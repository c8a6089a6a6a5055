import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { InputError, UsageError } from '../../src/domain/errors.js'
import { DEFAULT_LIMITS, fetchArticlePage, PageFetchError, USER_AGENT } from '../../src/sources/article/fetch-page.js'
import { readArticleMetadata } from '../../src/sources/article/page-metadata.js'
import { startArticleSite, type ArticleSite } from '../servers/articles.js'

let site: ArticleSite
beforeAll(async () => {
  site = await startArticleSite()
})
afterAll(() => site.close())

const read = async (path: string) => {
  const page = await fetchArticlePage(`${site.url}${path}`)
  return { page, meta: readArticleMetadata(page.html, page.url) }
}

describe('reading an article page', () => {
  it('reads JSON-LD, Open Graph, the canonical and AMP links, the language, the authors and the text (gzip body)', async () => {
    const { page, meta } = await read('/2025/07/16/technology/china-ai.html')
    expect(page.status).toBe(200)
    expect(meta).toMatchObject({
      canonical: `${site.url}/2025/07/16/technology/china-ai.html`,
      ampUrl: `${site.url}/2025/07/16/technology/china-ai.amp.html`,
      headline: 'China Bets Billions on AI Start-Ups With a State Fund',
      published: '2025-07-16T05:00:12.000Z',
      section: 'Technology',
      lang: 'en',
      authors: ['Meaghan Tobin', 'Cade Metz'],
      siteName: 'The Loopback Times',
      paywalled: false,
    })
    expect(meta.description).toContain('little giants')
    expect(meta.found).toEqual(expect.arrayContaining(['Open Graph', 'Twitter card', 'JSON-LD NewsArticle']))
    expect(meta.keywords).toContain('Artificial Intelligence')
    // The article's paragraphs, not the navigation, figure captions, asides or footer.
    expect(meta.text).toContain('data labelling villages')
    expect(meta.text).not.toMatch(/Photo credit|newsletter|Sections:|All rights reserved/)
  })

  it('an honest user agent on every request', async () => {
    await read('/2025/07/16/technology/china-ai.html')
    expect(site.userAgents.at(-1)).toBe(USER_AGENT)
    expect(USER_AGENT).toMatch(/^stancewatch\/\d+\.\d+\.\d+ \(/)
  })

  it('a paywalled page still yields its metadata', async () => {
    const { meta } = await read('/2025/07/18/business/labelling-villages.html')
    expect(meta).toMatchObject({ headline: 'Inside the Data Labelling Villages of Guizhou', paywalled: true, authors: ['Li Yuan'], section: 'Business' })
    expect(meta.description).toContain('annotate images')
    expect(meta.text).toBe('Subscribe to continue reading.')
  })

  it('follows a chain of redirects within the limit and reports it', async () => {
    const { page, meta } = await read('/hop/3')
    expect(page.redirects).toHaveLength(4)
    expect(page.url).toBe(`${site.url}/2025/07/16/technology/china-ai.html`)
    expect(meta.headline).toContain('China Bets Billions')
  })

  it('refuses a chain longer than the limit', async () => {
    await expect(fetchArticlePage(`${site.url}/hop/5`)).rejects.toThrow(PageFetchError)
    await expect(fetchArticlePage(`${site.url}/hop/5`)).rejects.toThrow(/more than 5 redirects/)
  })

  it('stops reading a page over the size cap', async () => {
    await expect(fetchArticlePage(`${site.url}/huge`, { ...DEFAULT_LIMITS, maxBytes: 1024 * 1024 })).rejects.toThrow(/larger than 1 MB; stopped reading/)
  })

  it('refuses an answer that is not HTML (input error)', async () => {
    const e = await fetchArticlePage(`${site.url}/report.pdf`).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(InputError)
    expect(String(e)).toMatch(/not an HTML page \(Content-Type: application\/pdf\)/)
  })

  it('a missing page is an input error, a non-http URL a usage error', async () => {
    await expect(fetchArticlePage(`${site.url}/no/such/article.html`)).rejects.toBeInstanceOf(InputError)
    await expect(fetchArticlePage('ftp://example.com/a.html')).rejects.toBeInstanceOf(UsageError)
    await expect(fetchArticlePage('not a url')).rejects.toBeInstanceOf(UsageError)
  })

  it('gives up on a server that never answers, after the configured timeout', async () => {
    const before = site.hanging
    const e = await fetchArticlePage(`${site.url}/hang`, { ...DEFAULT_LIMITS, totalTimeoutMs: 150 }).catch((x: unknown) => x)
    expect(site.hanging).toBe(before + 1)
    expect(e).toBeInstanceOf(PageFetchError)
    expect(String(e)).toMatch(/no complete answer within 150 ms \(timeout\)/)
  })
})
