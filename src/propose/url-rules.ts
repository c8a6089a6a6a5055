import { canonicalUrl } from '../match/canonical-url.js'

/*
 * The article's URL rules. The matcher already reduces every link to one spelling (canonical-url.ts: host
 * without www/m/amp, no tracking parameters, AMP paths and AMP caches unwrapped), so one `articles` entry
 * catches all the variants that reduce to it. An AMP link that lives elsewhere (another host or path) does
 * not, and is listed as well. `variants` shows the person what the rules catch.
 */

export interface UrlRules {
  /** What goes into `articles`: the canonical URL, and the AMP link when the matcher would not unify it. */
  articles: string[]
  /** Spellings of the article a post may carry, all matched by `articles`. */
  variants: string[]
}

export function urlRules(page: { url: string; canonical: string | null; ampUrl: string | null }): UrlRules {
  const main = page.canonical ?? page.url
  const articles = [main]
  const key = canonicalUrl(main)
  if (page.ampUrl && canonicalUrl(page.ampUrl) !== key) articles.push(page.ampUrl)
  if (canonicalUrl(page.url) !== key && !articles.includes(page.url)) articles.push(page.url)
  const variants = new Set<string>()
  for (const a of articles) {
    const u = new URL(a)
    const bare = u.hostname.replace(/^(?:www\d*|m|mobile|amp)\./, '')
    for (const host of [bare, `www.${bare}`, `m.${bare}`])
      for (const scheme of ['https:', 'http:']) variants.add(`${scheme}//${host}${u.port ? `:${u.port}` : ''}${u.pathname}`)
    if (/\.html?$/.test(u.pathname)) variants.add(`https://${u.host}${u.pathname.replace(/\.(html?)$/, '.amp.$1')}`)
    else variants.add(`https://${u.host}${u.pathname.replace(/\/?$/, '/amp')}`)
    variants.add(`https://www.google.com/amp/s/${u.host}${u.pathname}`)
  }
  if (page.ampUrl) variants.add(page.ampUrl)
  // Only spellings the matcher really reduces to a rule are shown: the list is a promise.
  const keys = new Set(articles.map(canonicalUrl))
  return { articles, variants: [...variants].filter((v) => keys.has(canonicalUrl(v)) && !articles.includes(v)) }
}
