import { createHash } from 'node:crypto'
import { z } from 'zod'

/** Bump when the wording changes, so cached translations of the old wording are not reused. */
export const TRANSLATION_PROMPT_VERSION = 'keyword-translation/1'

const LANGUAGE_NAMES: Record<string, string> = { en: 'English', zh: 'Chinese', fr: 'French', ja: 'Japanese' }

export interface RuleTerms {
  id: string
  any: readonly string[]
  with?: readonly string[]
}

export interface TranslationPrompt {
  system: string
  user: string
  key: (model: string) => string
}

/**
 * The question for one keyword rule: its terms in each target language, as people there would write them in
 * a post (not word for word), in JSON.
 */
export function translationPrompt(topicName: string, rule: RuleTerms, to: readonly string[]): TranslationPrompt {
  const shape = Object.fromEntries(to.map((l) => [l, rule.with?.length ? { any: ['…'], with: ['…'] } : { any: ['…'] }]))
  const system = [
    `You translate search keywords for social media posts about: ${topicName}.`,
    `For each language asked (${to.map((l) => `${l}: ${LANGUAGE_NAMES[l] ?? l}`).join(', ')}), give the terms people writing in it would use for the same things: names as written there, short phrases, no explanations.`,
    `Reply with one JSON object only, shaped ${JSON.stringify(shape)}.`,
  ].join('\n')
  const user = JSON.stringify(rule.with?.length ? { any: rule.any, with: rule.with } : { any: rule.any })
  const hash = createHash('sha256').update(`${TRANSLATION_PROMPT_VERSION}\n${system}\n${user}`).digest('hex')
  return { system, user, key: (model) => createHash('sha256').update(`${model}\u0000${hash}`).digest('hex') }
}

const terms = z.array(z.string().trim().min(1).max(100)).min(1).max(50)

export type ParsedTranslation = { kind: 'ok'; byLang: Record<string, { any: string[]; with?: string[] }> } | { kind: 'malformed'; why: string }

/** Read the answer: every language asked, each with `any` terms (and `with` when the rule has them); duplicates dropped. */
export function parseTranslation(content: string, to: readonly string[], wantsWith: boolean): ParsedTranslation {
  let json: unknown
  try {
    json = JSON.parse(content)
  } catch {
    return { kind: 'malformed', why: 'not JSON' }
  }
  const schema = z.object(Object.fromEntries(to.map((l) => [l, z.object({ any: terms, with: wantsWith ? terms : terms.optional() })])))
  const r = schema.safeParse(json)
  if (!r.success) return { kind: 'malformed', why: `not ${to.join(', ')} with their terms` }
  const byLang: Record<string, { any: string[]; with?: string[] }> = {}
  for (const l of to) {
    const t = r.data[l] as { any: string[]; with?: string[] }
    byLang[l] = { any: [...new Set(t.any)], ...(wantsWith && t.with ? { with: [...new Set(t.with)] } : {}) }
  }
  return { kind: 'ok', byLang }
}
