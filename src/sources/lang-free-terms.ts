import type { TopicConfig } from '../config/schema.js'

/*
 * Which keyword terms the collectors may ask for in every language. The language platforms declare for a
 * post is often wrong or missing (short posts, mixed languages, a Japanese phone writing English), and the
 * matcher ignores it; a `lang` filter only saves reads where the term itself does not already restrict the
 * posts. Two kinds of term do restrict them:
 *  - terms in Chinese or Japanese script: only posts written in that script contain them;
 *  - names (DeepSeek, H20, MiniMax, Qwen): they belong to no language, and asking once per language
 *    reads the same posts in pieces while missing every post whose tag is none of them.
 * Common Latin words (fonds, subsidies, "state fund") keep a filter: each platform compiler says which.
 */

/** The config's languages written in Chinese or Japanese script. */
export const CJK_LANGS: readonly string[] = ['zh', 'ja']

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u

/** One Latin token with a digit, or a capital after its first letter: H20, DeepSeek-R1, MiniMax, GLM. */
export function looksLikeName(term: string): boolean {
  const t = term.trim()
  if (!/^[$A-Za-z0-9][A-Za-z0-9.,-]*$/.test(t) || !/[A-Za-z]/.test(t)) return false
  return /\d/.test(t) || /.[A-Z]/.test(t)
}

export function isCjkTerm(term: string): boolean {
  return CJK.test(term)
}

export interface LangFreeTerms {
  /** Whether a rule's `any` term needs no language filter. */
  isFree(term: string): boolean
  /**
   * Free terms some rule takes on their own (no `with`, no `not`), lower-cased: asked for once, bare, on
   * behalf of every rule that lists them (a `with` elsewhere cannot narrow what the matcher already keeps).
   */
  bare: ReadonlySet<string>
}

/**
 * A topic's language-free terms. Names are recognised by their shape and, for names without one (Qwen, Kimi,
 * Nvidia), by the config itself: a Latin term listed under rules of two or more languages is no one language's.
 */
export function langFreeTerms(topic: TopicConfig): LangFreeTerms {
  const langsOf = new Map<string, Set<string>>()
  for (const r of topic.keywords)
    for (const t of r.any) {
      const k = t.trim().toLowerCase()
      const s = langsOf.get(k) ?? new Set<string>()
      s.add(r.lang ?? '*')
      langsOf.set(k, s)
    }
  const isFree = (term: string) => isCjkTerm(term) || looksLikeName(term) || (langsOf.get(term.trim().toLowerCase())?.size ?? 0) >= 2
  const bare = new Set<string>()
  for (const r of topic.keywords) if (!r.with?.length && !r.not?.length) for (const t of r.any) if (isFree(t)) bare.add(t.trim().toLowerCase())
  return { isFree, bare }
}
