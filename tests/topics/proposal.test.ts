import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UsageError } from '../../src/domain/errors.js'
import { canonicalUrl } from '../../src/match/canonical-url.js'
import { parseLabels, proposeTopic, type Proposal } from '../../src/propose/topic-proposal.js'
import { fetchArticlePage } from '../../src/sources/article/fetch-page.js'
import { readArticleMetadata } from '../../src/sources/article/page-metadata.js'
import { startArticleSite, type ArticleSite } from '../servers/articles.js'

let site: ArticleSite
beforeAll(async () => {
  site = await startArticleSite()
})
afterAll(() => site.close())

async function propose(path: string, opts: { id?: string; labels?: string } = {}): Promise<Proposal> {
  const page = await fetchArticlePage(`${site.url}${path}`)
  return proposeTopic(readArticleMetadata(page.html, page.url), { ...opts, existingIds: ['china-ai-fund'] })
}

const allTerms = (p: Proposal) => p.topic.keywords.flatMap((k) => [...k.any, ...(k.with ?? [])]).map((t) => t.toLowerCase())
const anyTerms = (p: Proposal) => p.topic.keywords.flatMap((k) => k.any).map((t) => t.toLowerCase())

describe('the topic proposed for an article', () => {
  it('URL rules: the canonical URL (not the shared one with its tracking parameter), catching www, mobile and AMP forms', async () => {
    const p = await propose('/share/china-ai')
    const canonical = `${site.url}/2025/07/16/technology/china-ai.html`
    expect(p.topic.articles).toEqual([canonical])
    // The AMP link reduces to the same article, so it needs no rule of its own, and is shown as a variant.
    expect(p.urlVariants.some((v) => v.endsWith('/china-ai.amp.html'))).toBe(true)
    for (const v of p.urlVariants) expect(canonicalUrl(v)).toBe(canonicalUrl(canonical))
  })

  it('keyword rules: the names, products and repeated phrases of the article; never common words', async () => {
    const p = await propose('/2025/07/16/technology/china-ai.html')
    const specific = anyTerms(p)
    for (const t of ['deepseek', 'h20', 'guidance fund', 'moonshot ai', 'nvidia']) expect(specific).toContain(t)
    for (const common of ['said', 'the', 'year', 'people', 'company', 'more', 'which', 'after', 'while', 'billion', 'state'])
      expect(allTerms(p)).not.toContain(common)
    // Broad names are context only: a post that merely says "China" is not about this article.
    expect(specific).not.toContain('china')
    expect(p.topic.keywords.find((k) => k.with)?.with).toEqual(expect.arrayContaining(['China', 'AI']))
    expect(p.topic.keywords.every((k) => k.lang === 'en')).toBe(true)
    expect(p.languages).toEqual(['en'])
    expect(p.topic.themes.length).toBeGreaterThan(0)
    expect(p.topic.id).toBe('china-bets-billions-start')
  })

  it('a paywalled page: rules from its metadata, and a note that the text was missing', async () => {
    const p = await propose('/2025/07/18/business/labelling-villages.html')
    expect(anyTerms(p)).toContain('deepseek')
    expect(p.notes.join(' ')).not.toMatch(/no article text/) // it has a (paywall) sentence
    expect(p.topic.articles).toEqual([`${site.url}/2025/07/18/business/labelling-villages.html`])
  })

  it('a French page: rules in French, and its names for English posts too', async () => {
    const p = await propose('/fr/2025/07/16/chine-ia.html')
    expect(p.languages).toEqual(['fr', 'en'])
    const en = p.topic.keywords.find((k) => k.lang === 'en')!
    expect(en.any).toEqual(expect.arrayContaining(['DeepSeek', 'H20', 'Moonshot AI']))
    expect(en.any.join(' ')).not.toMatch(/fonds|d'état|reprend/i)
    expect(p.topic.keywords.some((k) => k.lang === 'fr')).toBe(true)
  })

  it('a Chinese page: the terms the article repeats (no dictionary cuts them apart), not common words', async () => {
    const p = await propose('/zh/2025/07/16/ai.html')
    expect(p.languages).toEqual(['zh', 'en'])
    const zh = p.topic.keywords.filter((k) => k.lang === 'zh').flatMap((k) => k.any)
    expect(zh).toEqual(expect.arrayContaining(['国家人工智能产业投资基金', '月之暗面', '深度求索', '引导基金', 'DeepSeek', 'H20']))
    for (const common of ['中国', '公司', '表示', '人工智能', '的']) expect(zh).not.toContain(common)
    expect(p.topic.keywords.find((k) => k.lang === 'en')?.any).toEqual(['DeepSeek', 'H20'])
  })

  it('labels: neutral defaults marked for review, or the ones given', async () => {
    const p = await propose('/2025/07/16/technology/china-ai.html')
    expect(p.labelsNeedReview).toBe(true)
    expect(p.topic.stance.labels.map((l) => l.id)).toEqual(['support', 'oppose', 'neutral'])
    const q = await propose('/2025/07/16/technology/china-ai.html', { id: 'fund-watch', labels: 'concern:Worries about the fund;praise:Welcomes it' })
    expect(q.labelsNeedReview).toBe(false)
    expect(q.topic.id).toBe('fund-watch')
    expect(q.topic.stance).toEqual({
      labels: [
        { id: 'concern', name: 'Concern', definition: 'Worries about the fund' },
        { id: 'praise', name: 'Praise', definition: 'Welcomes it' },
      ],
      seeds: 'seeds/fund-watch.jsonl',
    })
  })

  it('refuses a taken or malformed id and malformed labels', async () => {
    await expect(propose('/2025/07/16/technology/china-ai.html', { id: 'china-ai-fund' })).rejects.toThrow(/already exists/)
    await expect(propose('/2025/07/16/technology/china-ai.html', { id: 'Not A Slug' })).rejects.toBeInstanceOf(UsageError)
    expect(() => parseLabels('support:yes')).toThrow(/at least two/)
    expect(() => parseLabels('support;oppose:no')).toThrow(/no definition/)
    expect(() => parseLabels('Yes:a;no:b')).toThrow(/not a label id/)
    expect(() => parseLabels('uncertain:a;no:b')).toThrow(/reserved/)
  })
})
