import type { Db } from './db.js'
import { stmt } from './statements.js'

/** Counts are grouped in 15-minute slots: every time zone's offset is a multiple of 15 minutes. */
export const SLOT_MS = 15 * 60_000

export interface SlotCount {
  slot: number
  platform: string
  lang: string
  /** Only with `byTheme`: one of the post's themes, or null for a post with none. */
  theme?: string | null
  label: string
  human: number
  n: number
}

export interface StanceFilter {
  topicId: string
  from: number
  to: number
  platform?: string
  lang?: string
  /** Only posts tagged with this theme. */
  theme?: string
  /** One row per theme of each post (a post with two themes counts in both; one with none under null). */
  byTheme?: boolean
}

/**
 * Label counts per slot, platform and detected language for a topic and time range. Deleted posts are
 * left out; posts not yet classified count as `unclassified`.
 */
export function stanceSlotCounts(db: Db, f: StanceFilter): SlotCount[] {
  // Themes are a JSON array per row: json_each unnests it (a LEFT JOIN keeps posts without themes).
  return stmt(
    db,
    `SELECT pt.created_at / ${SLOT_MS} AS slot, p.platform AS platform, p.lang_detected AS lang,
            ${f.byTheme ? 'th.value AS theme,' : ''}
            coalesce(pt.stance_label, 'unclassified') AS label,
            sum(pt.stance_source = 'human') AS human, count(*) AS n
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     ${f.byTheme ? 'LEFT JOIN json_each(pt.themes) th' : ''}
     WHERE pt.topic_id = @topicId AND pt.created_at >= @from AND pt.created_at < @to AND p.deleted_at IS NULL
       AND (@platform IS NULL OR p.platform = @platform) AND (@lang IS NULL OR p.lang_detected = @lang)
       AND (@theme IS NULL OR EXISTS (SELECT 1 FROM json_each(pt.themes) WHERE value = @theme))
     GROUP BY slot, p.platform, p.lang_detected, ${f.byTheme ? 'theme, ' : ''}label`,
  ).all({ topicId: f.topicId, from: f.from, to: f.to, platform: f.platform ?? null, lang: f.lang ?? null, theme: f.theme ?? null }) as SlotCount[]
}
