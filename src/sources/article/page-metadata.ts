import { DomUtils, parseDocument } from 'htmlparser2'

/*
 * What an article page says about itself: the canonical URL, Open Graph and Twitter card tags, JSON-LD
 * (schema.org NewsArticle and kin), <html lang>, the AMP link, and the article's paragraphs where the page
 * serves them. Publishers put the metadata in <head> for link previews and search engines, so a paywalled
 * page still yields it even when the text is withheld. Parsed with htmlparser2 (forgiving, as real pages
 * need), never with regexes.
 */

export interface ArticleMetadata {
  /** Where the page was read. */
  url: string
  /** <link rel=canonical>, else og:url, else JSON-LD url/mainEntityOfPage (absolute). */
  canonical: string | null
  /** <link rel=amphtml>. */
  ampUrl: string | null
  headline: string | null
  description: string | null
  siteName: string | null
  /** ISO date as the page gives it. */
  published: string | null
  section: string | null
  /** BCP 47 tag as the page gives it (JSON-LD inLanguage, <html lang>, og:locale). */
  lang: string | null
  authors: string[]
  /** The publisher's own keywords (news_keywords, JSON-LD keywords, article:tag). */
  keywords: string[]
  /** The article's text where the page gives it (JSON-LD articleBody, or the paragraphs of <article>); '' otherwise. */
  text: string
  /** The page says its content is not freely accessible (JSON-LD isAccessibleForFree: false). */
  paywalled: boolean
  /** Which sources answered, for the person reading the proposal. */
  found: string[]
}

const ARTICLE_TYPES = new Set([
  'NewsArticle',
  'Article',
  'ReportageNewsArticle',
  'AnalysisNewsArticle',
  'OpinionNewsArticle',
  'BlogPosting',
  'ReviewNewsArticle',
  'LiveBlogPosting',
  'ScholarlyArticle',
  'TechArticle',
])

export function readArticleMetadata(html: string, pageUrl: string): ArticleMetadata {
  const doc = parseDocument(html, { decodeEntities: true })
  const found: string[] = []
  const meta = new Map<string, string>()
  const tags: string[] = []
  for (const el of DomUtils.getElementsByTagName('meta', doc)) {
    const key = (el.attribs.property ?? el.attribs.name ?? el.attribs.itemprop ?? '').trim().toLowerCase()
    const content = clean(el.attribs.content)
    if (!key || !content) continue
    if (key === 'article:tag') tags.push(content)
    if (!meta.has(key)) meta.set(key, content)
  }
  if ([...meta.keys()].some((k) => k.startsWith('og:'))) found.push('Open Graph')
  if ([...meta.keys()].some((k) => k.startsWith('twitter:'))) found.push('Twitter card')

  const links = DomUtils.getElementsByTagName('link', doc)
  const linkHref = (rel: string) => {
    const el = links.find((l) => (l.attribs.rel ?? '').toLowerCase().split(/\s+/).includes(rel))
    return el ? absolute(el.attribs.href, pageUrl) : null
  }

  const ld = jsonLdArticle(doc)
  const ldType = ld ? first(ld['@type']) : undefined
  if (ld) found.push(`JSON-LD ${typeof ldType === 'string' ? ldType : 'article'}`)

  const htmlEl = DomUtils.findOne((e) => e.name === 'html', doc.children, true)
  const htmlLang = clean(htmlEl?.attribs.lang ?? htmlEl?.attribs['xml:lang'])
  const title = clean(DomUtils.getElementsByTagName('title', doc)[0] ? DomUtils.textContent(DomUtils.getElementsByTagName('title', doc)[0]!) : undefined)

  const ldText = (k: string) => (ld ? textOf(ld[k]) : null)
  const canonical =
    linkHref('canonical') ?? absolute(meta.get('og:url'), pageUrl) ?? (ld ? absolute(urlOf(ld.url) ?? urlOf(ld.mainEntityOfPage), pageUrl) : null)
  const body = ldText('articleBody') ?? articleParagraphs(doc)
  return {
    url: pageUrl,
    canonical,
    ampUrl: linkHref('amphtml'),
    headline: ldText('headline') ?? meta.get('og:title') ?? meta.get('twitter:title') ?? title,
    description: ldText('description') ?? meta.get('og:description') ?? meta.get('twitter:description') ?? meta.get('description') ?? null,
    siteName: meta.get('og:site_name') ?? (ld ? nameOf(ld.publisher) : null),
    published: ldText('datePublished') ?? meta.get('article:published_time') ?? null,
    section: (ld ? textOf(first(ld.articleSection)) : null) ?? meta.get('article:section') ?? null,
    lang: (ld ? textOf(ld.inLanguage) : null) ?? htmlLang ?? meta.get('og:locale')?.replace('_', '-') ?? null,
    authors: unique(
      ld
        ? list(ld.author)
            .map(nameOf)
            .filter((n): n is string => Boolean(n))
        : meta.get('author')
          ? [meta.get('author')!]
          : [],
    ),
    keywords: unique([...splitKeywords(meta.get('news_keywords')), ...splitKeywords(ld ? ld.keywords : undefined), ...tags]),
    text: body,
    paywalled: ld ? ld.isAccessibleForFree === false || ld.isAccessibleForFree === 'False' || ld.isAccessibleForFree === 'false' : false,
    found,
  }
}

type Json = Record<string, unknown>
type Element = ReturnType<typeof DomUtils.getElementsByTagName>[number]

/** The first JSON-LD object whose @type is an article (also inside @graph or a top-level list). */
function jsonLdArticle(doc: ReturnType<typeof parseDocument>): Json | null {
  const scripts = DomUtils.getElementsByTagName('script', doc).filter((s) => (s.attribs.type ?? '').toLowerCase().includes('ld+json'))
  for (const s of scripts) {
    let data: unknown
    try {
      data = JSON.parse(DomUtils.textContent(s))
    } catch {
      continue // A broken block is common; the others may still be good.
    }
    const queue: unknown[] = [data]
    while (queue.length) {
      const item = queue.shift()
      if (Array.isArray(item)) queue.push(...(item as unknown[]))
      else if (isObj(item)) {
        if (list(item['@type']).some((t) => typeof t === 'string' && ARTICLE_TYPES.has(t))) return item
        if (item['@graph']) queue.push(item['@graph'])
      }
    }
  }
  return null
}

/** The paragraphs of the page's <article> (or its main element), skipping figure captions and asides. */
function articleParagraphs(doc: ReturnType<typeof parseDocument>): string {
  const root =
    DomUtils.findOne((e) => e.name === 'article', doc.children, true) ??
    DomUtils.findOne((e) => e.name === 'main' || e.attribs.itemprop === 'articleBody', doc.children, true)
  if (!root) return ''
  const skip = (e: Element | null): boolean => {
    for (let p: Element | null = e; p && p !== root; p = p.parent as Element | null)
      if (['figure', 'aside', 'nav', 'footer', 'script', 'style'].includes(p.name)) return true
    return false
  }
  return DomUtils.getElementsByTagName('p', root)
    .filter((p) => !skip(p))
    .map((p) => clean(DomUtils.textContent(p)))
    .filter((t): t is string => Boolean(t))
    .join('\n')
}

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function list(v: unknown): unknown[] {
  return v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]
}

function first(v: unknown): unknown {
  return list(v)[0]
}

function textOf(v: unknown): string | null {
  if (typeof v === 'string') return clean(v)
  if (isObj(v)) return textOf(v.name ?? v['@value'] ?? v.alternateName)
  return null
}

function nameOf(v: unknown): string | null {
  if (typeof v === 'string') return clean(v)
  return isObj(v) ? textOf(v.name) : null
}

function urlOf(v: unknown): string | undefined {
  if (typeof v === 'string') return v
  if (isObj(v) && typeof v['@id'] === 'string') return v['@id']
  if (isObj(v) && typeof v.url === 'string') return v.url
  return undefined
}

function splitKeywords(v: unknown): string[] {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : []
  return items.map((k) => clean(typeof k === 'string' ? k : undefined)).filter((k): k is string => Boolean(k))
}

function absolute(href: string | undefined, base: string): string | null {
  if (!href) return null
  try {
    const u = new URL(href.trim(), base)
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : null
  } catch {
    return null
  }
}

function clean(s: string | undefined | null): string | null {
  const t = s?.replace(/\s+/g, ' ').trim()
  return t ? t : null
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)]
}
