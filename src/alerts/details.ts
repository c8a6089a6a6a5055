import { alertById } from '../store/alerts.js'
import type { Db } from '../store/db.js'
import type { ContextPost, StoredAlertContext } from './context.js'
import type { TopTerm } from './terms.js'

/**
 * One stored alert with everything it carries, in one shape: what `stancewatch alerts show` prints and what
 * a web page about an alert would render. Times are ISO UTC; the reader's zone is the renderer's business.
 */
export interface AlertDetails {
  id: number
  kind: string
  topic: string
  /** Null: the topic across platforms. */
  platform: string | null
  state: string
  firedAt: string
  window: { start: string; end: string; hours: number | null }
  /** Volume spike: posts; stance shift: the moved label's share (0–1). */
  observed: number
  expected: number
  score: number
  /** Stance shift: the label whose share moved. */
  label: string | null
  /** Stance shift: each label's share in the window and at the same hours of the baseline days. */
  shares: { label: string; share: number; baselineShare: number; z: number }[]
  pValue: number | null
  baselineDays: number | null
  /** When the check ran: it saw only what had been collected by then. */
  checkedAt: string | null
  /** Part of the window was not collected: counts are a lower bound. */
  partialCoverage: boolean
  gaps: { source: string; start: string; end: string; reason: string }[]
  posts: number | null
  stanceMix: Record<string, number>
  humanLabels: number | null
  languages: Record<string, number>
  platforms: Record<string, number>
  articleLinkShare: number | null
  topTerms: TopTerm[]
  topAccounts: { account: string; posts: number; engagement: number }[]
  topPosts: ContextPost[]
}

/** The alert numbered `id`, or null when there is none. */
export function alertDetails(db: Db, id: number): AlertDetails | null {
  const a = alertById(db, id)
  if (!a) return null
  // What the rule stored; read defensively, as alerts stored by older versions may carry less.
  const c = (a.context ?? {}) as Partial<StoredAlertContext> & { partial_coverage?: boolean }
  const iso = (t: number) => new Date(t).toISOString()
  return {
    id: a.id,
    kind: a.kind,
    topic: a.topicId,
    platform: a.platform,
    state: a.state,
    firedAt: iso(a.firedAt),
    window: { start: iso(a.windowStart), end: iso(a.windowEnd), hours: c.windowHours ?? null },
    observed: a.observed,
    expected: a.expected,
    score: a.score,
    label: typeof c.label === 'string' ? c.label : null,
    shares: c.shares ?? [],
    pValue: c.pValue ?? null,
    baselineDays: c.baselineDays ?? null,
    checkedAt: c.checkedAt ?? null,
    partialCoverage: Boolean(c.partialCoverage ?? c.partial_coverage),
    gaps: c.gaps ?? [],
    posts: c.posts ?? null,
    stanceMix: c.stanceMix ?? {},
    humanLabels: c.humanLabels ?? null,
    languages: c.languages ?? {},
    platforms: c.platforms ?? {},
    articleLinkShare: c.articleLinkShare ?? null,
    topTerms: c.topTerms ?? [],
    topAccounts: c.topAccounts ?? [],
    topPosts: c.topPosts ?? [],
  }
}
