import type { WindowPost } from '../store/volume.js'

export interface ContextPost {
  url: string
  platform: string
  author: string
  text: string
  engagement: number
  label: string | null
  human: boolean
}

/** What a person needs to act on an alert without opening the database. */
export interface AlertContext {
  posts: number
  topPosts: ContextPost[]
  stanceMix: Record<string, number>
  languages: Record<string, number>
  platforms: Record<string, number>
  /** Share of the window's posts that link the article itself. */
  articleLinkShare: number
  topAccounts: { account: string; posts: number; engagement: number }[]
  topTerms: { term: string; posts: number }[]
}

export function buildAlertContext(posts: readonly WindowPost[], topN = 3): AlertContext {
  const tally = (key: (p: WindowPost) => string) => {
    const m: Record<string, number> = {}
    for (const p of posts) m[key(p)] = (m[key(p)] ?? 0) + 1
    return m
  }
  const accounts = new Map<string, { posts: number; engagement: number }>()
  const terms = new Map<string, number>()
  for (const p of posts) {
    const a = accountName(p)
    const c = accounts.get(a) ?? { posts: 0, engagement: 0 }
    c.posts++
    c.engagement += p.engagement
    accounts.set(a, c)
    // Terms: the hashtags people used and the keyword rules that matched, once per post.
    const seen = new Set<string>()
    for (const m of p.text.matchAll(/#([\p{L}\p{N}_]{2,50})/gu)) seen.add(`#${m[1]!.toLowerCase()}`)
    for (const r of JSON.parse(p.rules) as string[]) if (r.startsWith('keyword:')) seen.add(r.slice(8))
    for (const t of seen) terms.set(t, (terms.get(t) ?? 0) + 1)
  }
  return {
    posts: posts.length,
    topPosts: [...posts]
      .sort((a, b) => b.engagement - a.engagement || a.createdAt - b.createdAt)
      .slice(0, topN)
      .map((p) => ({ url: p.url, platform: p.platform, author: accountName(p), text: p.text, engagement: p.engagement, label: p.label, human: p.labelSource === 'human' })),
    stanceMix: tally((p) => p.label ?? 'unclassified'),
    languages: tally((p) => p.lang),
    platforms: tally((p) => p.platform),
    articleLinkShare: posts.length ? posts.filter((p) => (JSON.parse(p.rules) as string[]).some((r) => r.startsWith('article'))).length / posts.length : 0,
    topAccounts: [...accounts]
      .sort((a, b) => b[1].posts - a[1].posts || b[1].engagement - a[1].engagement)
      .slice(0, 5)
      .map(([account, c]) => ({ account, ...c })),
    topTerms: [...terms]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([term, n]) => ({ term, posts: n })),
  }
}

function accountName(p: WindowPost): string {
  return p.authorHandle ? `@${p.authorHandle}` : p.authorId
}
