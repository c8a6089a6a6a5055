import type { Db } from './db.js'
import { stmt } from './statements.js'

/** Counts are grouped in 15-minute slots: every time zone's offset is a multiple of 15 minutes. */
export const SLOT_MS = 15 * 60_000

export interface SlotCount {
  slot: number
  platform: string
  lang: string
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
}

/**
 * Label counts per slot, platform and detected language for a topic and time range. Deleted posts are
 * left out; posts not yet classified count as `unclassified`.
 */
export function stanceSlotCounts(db: Db, f: StanceFilter): SlotCount[] {
  return stmt(
    db,
    `SELECT pt.created_at / ${SLOT_MS} AS slot, p.platform AS platform, p.lang_detected AS lang,
            coalesce(pt.stance_label, 'unclassified') AS label,
            sum(pt.stance_source = 'human') AS human, count(*) AS n
     FROM post_topics pt JOIN posts p ON p.id = pt.post_id
     WHERE pt.topic_id = @topicId AND pt.created_at >= @from AND pt.created_at < @to AND p.deleted_at IS NULL
       AND (@platform IS NULL OR p.platform = @platform) AND (@lang IS NULL OR p.lang_detected = @lang)
     GROUP BY slot, p.platform, p.lang_detected, label`,
  ).all({ topicId: f.topicId, from: f.from, to: f.to, platform: f.platform ?? null, lang: f.lang ?? null }) as SlotCount[]
}
