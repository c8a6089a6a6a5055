import { UNCLASSIFIED } from '../domain/stance.js'

/**
 * Which of a topic's posts to take, beside the time range: the filters of `stancewatch export`, kept here
 * once so that anything else exporting posts (a dashboard's download) selects exactly the same rows.
 * Every field left out means "any".
 */
export interface PostFilter {
  /** Current stance labels (a person's over the model's); `unclassified` takes posts no model has labelled. */
  labels?: readonly string[]
  /** Detected language (`posts.lang_detected`), not the platform's tag, which is often wrong. */
  lang?: string
  platform?: string
  /** A theme id of the topic (`post_topics.themes`). */
  theme?: string
  /**
   * The model's confidence at least this (0–1). A person's label counts as certain; a post with no label
   * has no confidence and is left out.
   */
  minConfidence?: number
  /** Words the text contains (case-insensitive for ASCII, as SQLite's lower()). */
  q?: string
}

/**
 * The filter as one WHERE fragment over `post_topics pt JOIN posts p`. It is the same text whatever the
 * filter holds (an absent field is a NULL parameter), so each query using it is prepared once.
 */
export const POST_FILTER_SQL = `(@pf_labels IS NULL OR coalesce(pt.stance_label, '${UNCLASSIFIED}') IN (SELECT value FROM json_each(@pf_labels)))
       AND (@pf_lang IS NULL OR p.lang_detected = @pf_lang)
       AND (@pf_platform IS NULL OR p.platform = @pf_platform)
       AND (@pf_theme IS NULL OR EXISTS (SELECT 1 FROM json_each(pt.themes) WHERE value = @pf_theme))
       AND (@pf_minConfidence IS NULL OR pt.stance_source = 'human' OR pt.stance_confidence >= @pf_minConfidence)
       AND (@pf_q IS NULL OR instr(lower(p.text), lower(@pf_q)) > 0)`

/** The parameters of POST_FILTER_SQL. */
export function postFilterParams(f: PostFilter = {}): Record<string, string | number | null> {
  return {
    pf_labels: f.labels?.length ? JSON.stringify(f.labels) : null,
    pf_lang: f.lang ?? null,
    pf_platform: f.platform ?? null,
    pf_theme: f.theme ?? null,
    pf_minConfidence: f.minConfidence ?? null,
    pf_q: f.q ?? null,
  }
}
