import { describe, expect, it } from 'vitest'
import { canonicalUrl, urlsInText } from '../../src/match/canonical-url.js'

const CANONICAL = 'https://nytimes.com/2025/07/16/technology/china-ai.html'
const PATH = '/2025/07/16/technology/china-ai'

describe('canonicalUrl: every way of sharing the NYT article is one URL', () => {
  it.each([
    // The shipped config URL and plain variants
    [`https://www.nytimes.com${PATH}.html`],
    [`https://nytimes.com${PATH}.html`],
    [`http://www.nytimes.com${PATH}.html`],
    [`HTTPS://WWW.NYTIMES.COM${PATH}.html`],
    [`https://www.nytimes.com.${PATH}.html`],
    // Tracking parameters
    [`https://www.nytimes.com${PATH}.html?smid=tw-nytimes&smtyp=cur`],
    [`https://www.nytimes.com${PATH}.html?smid=url-share`],
    [`https://www.nytimes.com${PATH}.html?unlocked_article_code=1.X08.Ab3d.Zq9Kp&smid=url-share`],
    [`https://www.nytimes.com${PATH}.html?utm_source=twitter&utm_medium=social&utm_campaign=cn-ai`],
    [`https://www.nytimes.com${PATH}.html?UTM_Source=Newsletter`],
    [`https://www.nytimes.com${PATH}.html?fbclid=IwAR2xYzQ0d3Kf`],
    [`https://www.nytimes.com${PATH}.html?gclid=Cj0KCQjw`],
    [`https://www.nytimes.com${PATH}.html?partner=rss&emc=rss`],
    [`https://www.nytimes.com${PATH}.html?sgrp=c-cb&ugrp=m&campaign_id=9`],
    [`https://www.nytimes.com${PATH}.html?mc_cid=1a2b&mc_eid=3c4d&igshid=MzRlODBiNWFlZA==`],
    [`https://www.nytimes.com${PATH}.html?smid=nytcore-ios-share&referringSource=articleShare`],
    [`https://www.nytimes.com${PATH}.html?searchResultPosition=1`],
    [`https://www.nytimes.com${PATH}.html?`],
    // Fragments
    [`https://www.nytimes.com${PATH}.html#commentsContainer`],
    [`https://www.nytimes.com${PATH}.html?smid=url-share#permid=1234`],
    // Mobile and AMP hosts and paths
    [`https://m.nytimes.com${PATH}.html`],
    [`https://mobile.nytimes.com${PATH}.html`],
    [`https://amp.nytimes.com${PATH}.html`],
    [`https://www.nytimes.com${PATH}.amp.html`],
    [`https://www.nytimes.com${PATH}.html/amp`],
    [`https://www.nytimes.com${PATH}.html/amp/`],
    [`https://www.nytimes.com${PATH}.html?amp=1`],
    // Trailing slashes and default ports
    [`https://www.nytimes.com${PATH}.html/`],
    [`https://www.nytimes.com${PATH}.html//`],
    [`https://www.nytimes.com:443${PATH}.html`],
    [`http://www.nytimes.com:80${PATH}.html`],
    // AMP caches
    [`https://www.google.com/amp/s/www.nytimes.com${PATH}.amp.html`],
    [`https://www.google.co.jp/amp/s/www.nytimes.com${PATH}.amp.html`],
    [`https://www-nytimes-com.cdn.ampproject.org/c/s/www.nytimes.com${PATH}.amp.html`],
    [`https://www-nytimes-com.cdn.ampproject.org/v/s/www.nytimes.com${PATH}.amp.html?amp_js_v=a6&amp_gsa=1&usqp=mq331AQFKAGwASA%3D`],
    // No scheme
    [`nytimes.com${PATH}.html`],
    [`www.nytimes.com${PATH}.html?utm_source=twitter`],
    [`  https://www.nytimes.com${PATH}.html  `],
  ])('%s', (input) => {
    expect(canonicalUrl(input)).toBe(CANONICAL)
  })
})

describe('canonicalUrl: other URLs', () => {
  it.each<[string, string | null]>([
    // Meaningful query parameters are kept, sorted by key then value
    ['https://example.com/search?q=ai&b=2&a=1', 'https://example.com/search?a=1&b=2&q=ai'],
    ['https://www.youtube.com/watch?v=dQw4w9WgXcQ&si=AbCdEf', 'https://youtube.com/watch?v=dQw4w9WgXcQ'],
    ['https://example.com/p?id=2&id=1', 'https://example.com/p?id=1&id=2'],
    ['https://example.com/p?x=a%20b', 'https://example.com/p?x=a+b'],
    // The path is case-sensitive and kept as written
    [`https://www.nytimes.com${PATH.replace('china-ai', 'China-AI')}.html`, `https://nytimes.com${PATH.replace('china-ai', 'China-AI')}.html`],
    // A different article is a different URL
    ['https://www.nytimes.com/2025/07/15/business/china-ev.html', 'https://nytimes.com/2025/07/15/business/china-ev.html'],
    ['https://cn.nytimes.com/technology/20250717/china-ai-fund/', 'https://cn.nytimes.com/technology/20250717/china-ai-fund'],
    // Non-default ports stay
    ['https://example.com:8443/x', 'https://example.com:8443/x'],
    // A bare host
    ['https://www.example.com/', 'https://example.com'],
    ['https://www2.example.com', 'https://example.com'],
    // Shorteners cannot be resolved offline: kept as they are
    ['https://nyti.ms/4lQz9Xa', 'https://nyti.ms/4lQz9Xa'],
    ['https://t.co/Xy12AbCdEf', 'https://t.co/Xy12AbCdEf'],
    // A Google page that is not an AMP viewer is not unwrapped
    ['https://www.google.com/search?q=amp', 'https://google.com/search?q=amp'],
    // Non-http schemes and garbage
    ['ftp://www.nytimes.com/2025/07/16/technology/china-ai.html', null],
    ['javascript:alert(1)', null],
    ['mailto:tips@nytimes.com', null],
    ['at://did:plc:vxsimkhzs2bmfxcnrf4izhea/app.bsky.feed.post/3lu3izzjkv22b', null],
    ['data:text/html,<script>alert(1)</script>', null],
    ['not a url', null],
    ['nytimes', null],
    ['http://', null],
    ['https://exa mple.com/x', null],
    ['', null],
    ['   ', null],
  ])('%s → %s', (input, expected) => {
    expect(canonicalUrl(input)).toBe(expected)
  })
})

describe('urlsInText', () => {
  it.each<[string, string[]]>([
    ['read https://nyti.ms/4lQz9Xa.', ['https://nyti.ms/4lQz9Xa']],
    ['wow (https://example.com/a)!', ['https://example.com/a']],
    ['see https://example.com/a, https://example.com/b; and http://example.com/c?', ['https://example.com/a', 'https://example.com/b', 'http://example.com/c']],
    ['"https://example.com/q?x=1"', ['https://example.com/q?x=1']],
    ['«https://lemonde.fr/article»', ['https://lemonde.fr/article']],
    ['“https://example.com/a”', ['https://example.com/a']],
    ['值得一读https://www.nytimes.com/2025/07/16/technology/china-ai.html。很好', ['https://www.nytimes.com/2025/07/16/technology/china-ai.html']],
    ['看https://example.com/x，不错', ['https://example.com/x']],
    ['「https://example.com/x」を読んだ', ['https://example.com/x']],
    ['記事（https://example.com/x）', ['https://example.com/x']],
    ['two:https://a.com/1 https://b.com/2', ['https://a.com/1', 'https://b.com/2']],
    ['HTTPS://EXAMPLE.COM/A', ['HTTPS://EXAMPLE.COM/A']],
    [
      'a URL with balanced parentheses https://en.wikipedia.org/wiki/Guidance_fund_(China) is kept whole',
      ['https://en.wikipedia.org/wiki/Guidance_fund_(China)'],
    ],
    ['no scheme: nytimes.com/2025/07/16/tech...', []],
    ['ftp://example.com/x and mailto:a@b.c', []],
    ['nothing here', []],
  ])('%j → %j', (text, expected) => {
    expect(urlsInText(text)).toEqual(expected)
  })
})
