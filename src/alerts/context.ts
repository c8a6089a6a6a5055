import type { WindowPost } from '../store/volume.js'
import { topTerms, type TopTerm } from './terms.js'

export interface ContextPost {
  url: string
  platform: string
  author: string
  text: string
  engagement: number
  likes?: number
  reposts?: number
  replies?: number
  quotes?: number
  label: string | null
  human: boolean
}

/** What a person needs to act on an alert without opening the database. */
export interface AlertContext {
  posts: number
  /** Most engaged first. */
  topPosts: ContextPost[]
  stanceMix: Record<string, number>
  /** Of the posts, how many carry a person's label rather than the model's. */
  humanLabels?: number
  languages: Record<string, number>
  platforms: Record<string, number>
  /** Share of the window's posts that link the article itself. */
  articleLinkShare: number
  topAccounts: { account: string; posts: number; engagement: number }[]
  topTerms: TopTerm[]
}

/** What the alert rule adds about itself. */
export interface RuleContext {
  /** Stance shift: the label whose share moved. */
  label?: string
  /** Stance shift: every label's share in the window and at the same hours of the baseline days. */
  shares?: { label: string; share: number; baselineShare: number; z: number }[]
  pValue?: number
  windowHours: number
  baselineDays: number
  /** Part of the window lies in a coverage gap: counts are a lower bound, and the gaps say where. */
  partialCoverage: boolean
  gaps: { source: string; start: string; end: string; reason: string }[]
  /** When the check ran (as of when, in a replay): it saw only what had been collected by then. */
  checkedAt: string
}

export type StoredAlertContext = AlertContext & RuleContext

export interface ContextOptions {
  /** Posts of the same scope before the window: terms are ranked by how much more the window uses them. */
  baseline?: readonly WindowPost[]
  topPosts?: number
}

export function buildAlertContext(posts: readonly WindowPost[], opts: ContextOptions = {}): AlertContext {
  const tally = (key: (p: WindowPost) => string) => {
    const m: Record<string, number> = {}
    for (const p of posts) m[key(p)] = (m[key(p)] ?? 0) + 1
    return m
  }
  const accounts = new Map<string, { posts: number; engagement: number }>()
  for (const p of posts) {
    const a = accountName(p)
    const c = accounts.get(a) ?? { posts: 0, engagement: 0 }
    c.posts++
    c.engagement += p.engagement
    accounts.set(a, c)
  }
  return {
    posts: posts.length,
    topPosts: [...posts]
      .sort((a, b) => b.engagement - a.engagement || a.createdAt - b.createdAt)
      .slice(0, opts.topPosts ?? 3)
      .map((p) => ({
        url: p.url,
        platform: p.platform,
        author: accountName(p),
        text: p.text,
        engagement: p.engagement,
        likes: p.likes,
        reposts: p.reposts,
        replies: p.replies,
        quotes: p.quotes,
        label: p.label,
        human: p.labelSource === 'human',
      })),
    stanceMix: tally((p) => p.label ?? 'unclassified'),
    humanLabels: posts.filter((p) => p.labelSource === 'human').length,
    languages: tally((p) => p.lang),
    platforms: tally((p) => p.platform),
    articleLinkShare: posts.length ? posts.filter((p) => (JSON.parse(p.rules) as string[]).some((r) => r.startsWith('article'))).length / posts.length : 0,
    topAccounts: [...accounts]
      .sort((a, b) => b[1].posts - a[1].posts || b[1].engagement - a[1].engagement)
      .slice(0, 5)
      .map(([account, c]) => ({ account, ...c })),
    topTerms: opts.baseline ? topTerms(posts, opts.baseline) : hashtagsAndRules(posts),
  }
}

/** Without a baseline (a digest's day): the hashtags people used and the keyword rules that matched, by posts. */
function hashtagsAndRules(posts: readonly WindowPost[]): TopTerm[] {
  const terms = new Map<string, number>()
  for (const p of posts) {
    const seen = new Set<string>()
    for (const m of p.text.matchAll(/#([\p{L}\p{N}_]{2,50})/gu)) seen.add(`#${m[1]!.toLowerCase()}`)
    for (const r of JSON.parse(p.rules) as string[]) if (r.startsWith('keyword:')) seen.add(r.slice(8))
    for (const t of seen) terms.set(t, (terms.get(t) ?? 0) + 1)
  }
  return [...terms]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([term, n]) => ({ term, posts: n }))
}

function accountName(p: WindowPost): string {
  return p.authorHandle ? `@${p.authorHandle}` : p.authorId
}
