import type { TopicConfig } from '../config/schema.js'
import { PLATFORMS } from '../domain/post.js'
import { UNCERTAIN, UNCLASSIFIED } from '../domain/stance.js'
import type { PostFilter } from '../store/post-filter.js'
import { DETECTED_LANGS } from '../text/detect-lang.js'

export type FilterField = 'label' | 'lang' | 'platform' | 'theme' | 'minConfidence'

/** A value a filter cannot take, with the values it can: what a person needs to correct it. */
export interface FilterProblem {
  field: FilterField
  value: string
  message: string
}

/** What each filter of a topic's posts accepts; a form (or `--help`) can offer exactly these. */
export function filterChoices(topic: TopicConfig): { labels: string[]; langs: string[]; platforms: string[]; themes: string[] } {
  return {
    labels: [...topic.stance.labels.map((l) => l.id), UNCERTAIN, UNCLASSIFIED],
    langs: [...DETECTED_LANGS, 'und'],
    platforms: [...PLATFORMS],
    themes: topic.themes.map((t) => t.id),
  }
}

/**
 * Every value of the filter the topic cannot match. Checked before querying: a mistyped label or theme
 * would otherwise export nothing and look like a quiet topic.
 */
export function checkPostFilter(topic: TopicConfig, f: PostFilter): FilterProblem[] {
  const c = filterChoices(topic)
  const problems: FilterProblem[] = []
  const oneOf = (field: FilterField, value: string, valid: string[], what: string) => {
    if (!valid.includes(value)) problems.push({ field, value, message: `${what}; use one of: ${valid.join(', ')}` })
  }
  for (const l of f.labels ?? []) oneOf('label', l, c.labels, `not a stance label of topic "${topic.id}"`)
  if (f.lang !== undefined) oneOf('lang', f.lang, c.langs, 'not a language the detector reports')
  if (f.platform !== undefined) oneOf('platform', f.platform, c.platforms, 'not a platform')
  if (f.theme !== undefined) {
    if (c.themes.length === 0) problems.push({ field: 'theme', value: f.theme, message: `topic "${topic.id}" has no themes (add them under topics[].themes)` })
    else oneOf('theme', f.theme, c.themes, `not a theme of topic "${topic.id}"`)
  }
  const p = f.minConfidence
  if (p !== undefined && !(p >= 0 && p <= 1))
    problems.push({ field: 'minConfidence', value: String(p), message: 'a confidence is a number from 0 to 1, e.g. 0.7' })
  return problems
}
