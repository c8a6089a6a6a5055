import type { TopicConfig } from '../config/schema.js'
import type { Post } from '../domain/post.js'
import type { TopicMatch } from '../domain/topic.js'
import { foldForMatch } from '../text/fold.js'
import { canonicalUrl, urlsInText } from './canonical-url.js'
import { TermIndex, type Found } from './term-index.js'

export type { TopicMatch }

/** Term lists are ids from `TermIndex.addList`; -1 is no list. */
interface CompiledRule {
  id: string
  any: number
  with: number
  not: number
}

/** A theme has the same shape as a keyword rule; its id is the bare theme id. */
type CompiledTheme = CompiledRule

export interface CompiledTopic {
  id: string
  articles: Map<string, string>
  rules: CompiledRule[]
  /** Sub-themes, in config order: tags on posts already on the topic, never a reason to join it. */
  themes: CompiledTheme[]
  hashtags: Map<string, string>
  accounts: { x: Set<string>; bluesky: Set<string>; requireAny: number }
  /** Shared by every topic compiled together: all terms are found in one pass per post. */
  terms: TermIndex
}

export function compileTopics(topics: readonly TopicConfig[]): CompiledTopic[] {
  const terms = new TermIndex()
  const listOf = (list: readonly string[] | undefined) => (list && list.length ? terms.addList(list.map((t) => terms.add(foldForMatch(t.trim())))) : -1)
  const compiled = topics.map((t) => ({
    id: t.id,
    articles: new Map(
      t.articles.flatMap((u, i) => {
        const c = canonicalUrl(u)
        return c ? [[c, i === 0 ? 'article' : `article:${i + 1}`] as [string, string]] : []
      }),
    ),
    rules: t.keywords.map((r) => ({ id: `keyword:${r.id}`, any: listOf(r.any), with: listOf(r.with), not: listOf(r.not) })),
    themes: t.themes.map((th) => ({ id: th.id, any: listOf(th.any), with: listOf(th.with), not: listOf(th.not) })),
    hashtags: new Map(t.hashtags.map((h) => [foldForMatch(h.replace(/^#/, '')), `hashtag:${h.replace(/^#/, '')}`])),
    accounts: {
      x: new Set(t.accounts.x.map(accountKey)),
      bluesky: new Set(t.accounts.bluesky.map(accountKey)),
      requireAny: listOf(t.accounts.require_any),
    },
    terms,
  }))
  terms.build()
  return compiled
}

/** Canonical form of every link in a post: the platform's expanded URLs plus any URL written in the text. */
export function canonicalLinks(post: Pick<Post, 'links' | 'text'>): string[] {
  const out = new Set<string>()
  for (const u of [...post.links, ...urlsInText(post.text)]) {
    const c = canonicalUrl(u)
    if (c) out.add(c)
  }
  return [...out]
}

/** Pure: the topics a post belongs to. `links` are its canonical links (see canonicalLinks). */
export function matchPost(post: Post, links: readonly string[], topics: readonly CompiledTopic[]): TopicMatch[] {
  if (topics.length === 0) return []
  const folded = foldForMatch(post.text)
  const found = topics[0]!.terms.scan(folded)
  let tags: Set<string> | null = null
  const matches: TopicMatch[] = []
  for (const topic of topics) {
    const rules: string[] = []
    for (const l of links) {
      const rule = topic.articles.get(l)
      if (rule !== undefined && !rules.includes(rule)) rules.push(rule)
    }
    if (found.size > 0) {
      for (const r of topic.rules) if (ruleHolds(found, r)) rules.push(r.id)
    }
    if (topic.hashtags.size > 0 && (post.hashtags.length > 0 || folded.includes('#') || folded.includes('＃'))) {
      tags ??= hashtagsOf(post, folded)
      for (const [tag, rule] of topic.hashtags) if (tags.has(tag)) rules.push(rule)
    }
    const watched = topic.accounts[post.platform]
    if (
      watched.size > 0 &&
      (watched.has(accountKey(post.author.id)) || (post.author.handle !== null && watched.has(accountKey(post.author.handle)))) &&
      (topic.accounts.requireAny < 0 || hasAny(found, topic.accounts.requireAny))
    ) {
      rules.push(`account:${post.author.handle ?? post.author.id}`)
    }
    if (rules.length > 0) matches.push({ topicId: topic.id, rules, themes: themesFound(found, topic) })
  }
  return matches
}

/**
 * The sub-themes a post's own text mentions, for every topic with themes (one pass over the text). For
 * posts that join a topic some other way than by `matchPost` (thread:reply, thread:quote), for edits,
 * and for `retag`. Topics without themes are left out of the map.
 */
export function themesOfText(text: string, topics: readonly CompiledTopic[]): Map<string, string[]> {
  const out = new Map<string, string[]>()
  const withThemes = topics.filter((t) => t.themes.length > 0)
  if (withThemes.length === 0) return out
  const found = withThemes[0]!.terms.scan(foldForMatch(text))
  for (const topic of withThemes) out.set(topic.id, themesFound(found, topic))
  return out
}

function themesFound(found: Found, topic: CompiledTopic): string[] {
  if (found.size === 0 || topic.themes.length === 0) return []
  const out: string[] = []
  for (const th of topic.themes) if (ruleHolds(found, th)) out.push(th.id)
  return out
}

/** Any `any` term, one `with` term when given, and no `not` term. */
function ruleHolds(found: Found, r: CompiledRule): boolean {
  return hasAny(found, r.any) && (r.with < 0 || hasAny(found, r.with)) && !hasAny(found, r.not)
}

function hasAny(found: Found, list: number): boolean {
  return list >= 0 && found.hasAnyOf(list)
}

/** The post's hashtag entities and the whole hashtags written in its text (#中国AI基金 is that tag, not #中国AI). */
function hashtagsOf(post: Post, folded: string): Set<string> {
  const tags = new Set(post.hashtags.map((h) => foldForMatch(h)))
  for (const m of folded.matchAll(/[#＃]([\p{L}\p{N}_]+)/gu)) tags.add(m[1]!)
  return tags
}

function accountKey(handle: string): string {
  const h = handle.trim()
  return (h.startsWith('@') ? h.slice(1) : h).toLowerCase()
}
