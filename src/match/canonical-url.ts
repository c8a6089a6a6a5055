/*
 * One spelling per article, so that every way people share a link counts as the same link.
 * Follows Hoaxy's rules (lower-case host, no tracking parameters, no fragment, AMP and mobile variants
 * unified) and unwraps AMP caches. Shorteners (t.co, nyti.ms, bit.ly) cannot be resolved here without a
 * network call: the normalizers take the platform's own expanded URL instead.
 */

const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'mc_cid',
  'mc_eid',
  'igshid',
  'igsh',
  'si',
  'spm',
  'share',
  'shared',
  'ref',
  'ref_src',
  'ref_url',
  'referrer',
  'smid',
  'smtyp',
  'sgrp',
  'ugrp',
  'unlocked_article_code',
  'partner',
  'emc',
  'cmpid',
  'campaign_id',
  'campaign',
  'action',
  'module',
  'pgtype',
  'region',
  'src',
  'source',
  'ncid',
  'ocid',
  'cid',
  'mod',
  'taid',
  'rss',
  'amp',
  'outputtype',
  'referringsource',
  'referring_source',
  'searchresultposition',
  'usqp',
  'amp_js_v',
  'amp_gsa',
  'amp_r',
  'aoh',
  '_ga',
  '_gl',
  'trk',
  'trkcampaign',
  'sr_share',
  'at_medium',
  'at_campaign',
  'context',
  'feature',
])

const HOST_PREFIXES = /^(?:www\d*|m|mobile|amp)\./

// The same few URLs (the article and its variants) recur in thousands of posts: remember recent answers.
const memo = new Map<string, string | null>()
const MEMO_SIZE = 20_000

export function canonicalUrl(input: string): string | null {
  const known = memo.get(input)
  if (known !== undefined) return known
  const out = canonicalise(input)
  if (memo.size >= MEMO_SIZE) memo.clear()
  memo.set(input, out)
  return out
}

function canonicalise(input: string): string | null {
  let raw = input.trim()
  if (!raw) return null
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    if (!/^[\w-]+(\.[\w-]+)+(\/|$)/.test(raw)) return null
    raw = `https://${raw}`
  }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return null
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null

  const unwrapped = unwrapAmpCache(url)
  if (unwrapped) return canonicalise(unwrapped)

  const host = url.hostname.toLowerCase().replace(/\.$/, '').replace(HOST_PREFIXES, '')
  let pathname = url.pathname
    .replace(/\.amp\.html$/i, '.html')
    .replace(/\/amp\/?$/i, '')
    .replace(/\/+$/, '')

  const kept: [string, string][] = []
  for (const [k, v] of url.searchParams) {
    const key = k.toLowerCase()
    if (key.startsWith('utm_') || key.startsWith('at_') || TRACKING_PARAMS.has(key)) continue
    kept.push([k, v])
  }
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a < b ? -1 : 1))
  const query = kept.length ? `?${new URLSearchParams(kept).toString()}` : ''
  if (pathname === '') pathname = '/'
  const port = url.port ? `:${url.port}` : ''
  return `https://${host}${port}${pathname === '/' && query === '' ? '' : pathname}${query}`
}

/** google.com/amp/s/HOST/PATH and HOST-with-dashes.cdn.ampproject.org/c/s/HOST/PATH point at HOST/PATH. */
function unwrapAmpCache(url: URL): string | null {
  const host = url.hostname.toLowerCase()
  const path = url.pathname + url.search
  if (/(^|\.)google\.[a-z.]+$/.test(host)) {
    const m = /^\/amp\/(s\/)?(.+)$/.exec(path)
    if (m) return `${m[1] ? 'https' : 'http'}://${m[2]}`
  }
  if (host.endsWith('.cdn.ampproject.org')) {
    const m = /^\/[a-z]\/(s\/)?(.+)$/.exec(path)
    if (m) return `${m[1] ? 'https' : 'http'}://${m[2]}`
  }
  return null
}

/** URLs written in the text itself (some clients send links without facets or entities). */
export function urlsInText(text: string): string[] {
  // A URL ends at white space, quotes, angle brackets, or the first Chinese/Japanese character or
  // full-width punctuation: "…china-ai.html这篇讲得很清楚" links the article, not a page named 这篇….
  const found = text.match(/\bhttps?:\/\/[^\s<>"'`\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff01-\uff5e]+/gi) ?? []
  return found.map(trimTrailing)
}

/** Sentence punctuation after a URL is not part of it; a closing bracket is, when the URL opened one. */
function trimTrailing(url: string): string {
  let u = url.replace(/[.,;:!?\]}>»”’]+$/u, '')
  while (u.endsWith(')') && count(u, ')') > count(u, '(')) u = u.slice(0, -1).replace(/[.,;:!?\]}>»”’]+$/u, '')
  return u
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1
}
