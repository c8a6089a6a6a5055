import type { TopicConfig } from '../config/schema.js'
import type { Post } from '../domain/post.js'
import type { TopicMatch } from '../domain/topic.js'
import { foldForMatch, isCjkChar } from '../text/fold.js'
import { canonicalUrl, urlsInText } from './canonical-url.js'

export type { TopicMatch }

interface CompiledRule {
  id: string
  any: RegExp
  with: RegExp | null
  not: RegExp | null
}

export interface CompiledTopic {
  id: string
  articles: Map<string, string>
  rules: CompiledRule[]
  hashtags: Map<string, string>
  accounts: { x: Set<string>; bluesky: Set<string>; requireAny: RegExp | null }
}

export function compileTopics(topics: readonly TopicConfig[]): CompiledTopic[] {
  return topics.map((t) => ({
    id: t.id,
    articles: new Map(
      t.articles.flatMap((u, i) => {
        const c = canonicalUrl(u)
        return c ? [[c, i === 0 ? 'article' : `article:${i + 1}`] as [string, string]] : []
      }),
    ),
    rules: t.keywords.map((r) => ({
      id: `keyword:${r.id}`,
      any: termsRegex(r.any)!,
      with: termsRegex(r.with ?? []),
      not: termsRegex(r.not ?? []),
    })),
    hashtags: new Map(t.hashtags.map((h) => [foldForMatch(h.replace(/^#/, '')), `hashtag:${h.replace(/^#/, '')}`])),
    accounts: {
      x: new Set(t.accounts.x.map(accountKey)),
      bluesky: new Set(t.accounts.bluesky.map(accountKey)),
      requireAny: termsRegex(t.accounts.require_any),
    },
  }))
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
  const folded = foldForMatch(post.text)
  const tags = new Set(post.hashtags.map((h) => foldForMatch(h)))
  // Whole hashtags written in the text: #中国AI基金 is that tag, not #中国AI followed by more.
  const textTags = [...folded.matchAll(/[#＃]([\p{L}\p{N}_]+)/gu)].map((m) => m[1]!)
  const handle = post.author.handle ? accountKey(post.author.handle) : null
  const authorId = accountKey(post.author.id)
  const matches: TopicMatch[] = []
  for (const topic of topics) {
    const rules: string[] = []
    for (const l of links) {
      const rule = topic.articles.get(l)
      if (rule && !rules.includes(rule)) rules.push(rule)
    }
    for (const r of topic.rules) {
      if (r.any.test(folded) && (!r.with || r.with.test(folded)) && !(r.not && r.not.test(folded))) rules.push(r.id)
    }
    for (const tag of textTags) tags.add(tag)
    for (const [tag, rule] of topic.hashtags) if (tags.has(tag)) rules.push(rule)
    const watched = topic.accounts[post.platform]
    if ((watched.has(authorId) || (handle !== null && watched.has(handle))) && (!topic.accounts.requireAny || topic.accounts.requireAny.test(folded))) {
      rules.push(`account:${post.author.handle ?? post.author.id}`)
    }
    if (rules.length > 0) matches.push({ topicId: topic.id, rules })
  }
  return matches
}

function accountKey(handle: string): string {
  return handle.trim().replace(/^@/, '').toLowerCase()
}

/**
 * One regex for a list of terms. Latin terms match whole words only ("AI" is not in "said" or French "j'ai", but
 * is in "国家AI基金"); Chinese and Japanese terms match anywhere, as those scripts have no spaces.
 */
function termsRegex(terms: readonly string[]): RegExp | null {
  if (terms.length === 0) return null
  const parts = terms.map((raw) => {
    const t = foldForMatch(raw.trim())
    // "data labelling", "data-labelling" and "data  labelling" are the same words.
    const body = escapeRegex(t).replace(/[\s\-‐–]+/g, '[\\s\\-‐–]+')
    const first = [...t][0] ?? ''
    const last = [...t].at(-1) ?? ''
    const before = /[\p{L}\p{N}]/u.test(first) && !isCjkChar(first) ? `(?<![${WORD_CHARS}])(?<!\\bj['’])` : ''
    // A term ending in a letter also matches with a version number after it (Qwen3, GPT4); one ending
    // in a digit does not run into more digits (H20 is not H200).
    const after = !/[\p{L}\p{N}]/u.test(last) || isCjkChar(last) ? '' : /\p{N}/u.test(last) ? `(?![${WORD_CHARS}])` : `(?![${LETTERS}])`
    return `${before}${body}${after}`
  })
  return new RegExp(parts.join('|'), 'u')
}

// Letters of alphabetic scripts and digits: a Latin term inside "国家AI基金" still stands alone.
const LETTERS = '\\p{Script=Latin}\\p{Script=Greek}\\p{Script=Cyrillic}'
const WORD_CHARS = `${LETTERS}\\p{N}`

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
