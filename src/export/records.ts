import { itemsOfPayload } from '../normalize/index.js'
import type { ExportRow } from '../store/export.js'

/** One exported post: the documented interface of `stancewatch export --format jsonl`. */
export interface ExportedPost {
  platform: string
  id: string
  url: string
  author: { id: string; handle: string | null; name: string | null; followers: number | null }
  text: string
  created_at: string
  created_at_source: string
  lang: string
  lang_declared: string | null
  metrics: { likes: number; reposts: number; replies: number; quotes: number } | null
  links: string[]
  topics: string[]
  matched_rules: string[]
  /** The exported topic's sub-themes this post mentions (config `topics[].themes` ids). */
  themes: string[]
  stance: { label: string; confidence: number | null; model: string | null; source: 'model' | 'human' } | null
  /**
   * Only on posts the optional assistant was asked about: its label (null: it was unsure), shown as the
   * assistant's, never as the post's stance.
   */
  assistant_label?: { label: string | null; confidence: number | null; model: string }
  reply_to: string | null
  quote_of: string | null
  conversation_id: string | null
  collected_at: string
  deleted: boolean
  deleted_at: string | null
  raw?: unknown
}

/**
 * Each post's own item, as stored before payloads were kept whole: from posts.raw, or found in the payload
 * it arrived in by the normalizer that found the post. Posts of one payload mostly come one after another
 * in an export, so the last payload read is kept, parsed.
 */
export class RawItems {
  private last: { id: number; items: Map<string, unknown> } | null = null

  of(r: Pick<ExportRow, 'raw' | 'payload_id' | 'payload' | 'platform_id'>): unknown {
    if (r.raw !== '' || r.payload_id === null) return JSON.parse(r.raw) as unknown
    if (this.last?.id !== r.payload_id) this.last = { id: r.payload_id, items: itemsOfPayload(r.payload === null ? null : JSON.parse(r.payload)) }
    return this.last.items.get(r.platform_id) ?? null
  }
}

export function toExported(r: ExportRow, rawItems: RawItems | null): ExportedPost {
  const human = r.stance_source === 'human'
  return {
    platform: r.platform,
    id: r.platform_id,
    url: r.url,
    author: { id: r.author_id, handle: r.author_handle, name: r.author_name, followers: r.author_followers },
    text: r.text,
    created_at: new Date(r.created_at).toISOString(),
    created_at_source: r.created_at_source,
    lang: r.lang_detected,
    lang_declared: r.lang,
    metrics: r.likes === null ? null : { likes: r.likes, reposts: r.reposts ?? 0, replies: r.replies ?? 0, quotes: r.quotes ?? 0 },
    links: JSON.parse(r.links) as string[],
    topics: JSON.parse(r.topics) as string[],
    matched_rules: JSON.parse(r.rules) as string[],
    themes: JSON.parse(r.themes) as string[],
    stance: r.stance_label
      ? { label: r.stance_label, confidence: human ? null : r.stance_confidence, model: human ? null : r.model_version, source: human ? 'human' : 'model' }
      : null,
    ...(r.assistant_model === null ? {} : { assistant_label: { label: r.assistant_label, confidence: r.assistant_confidence, model: r.assistant_model } }),
    reply_to: r.reply_to,
    quote_of: r.quote_of,
    conversation_id: r.conversation_id,
    collected_at: new Date(r.first_seen_at).toISOString(),
    deleted: r.deleted_at !== null,
    deleted_at: r.deleted_at === null ? null : new Date(r.deleted_at).toISOString(),
    ...(rawItems ? { raw: rawItems.of(r) } : {}),
  }
}

export const CSV_COLUMNS = [
  'platform',
  'id',
  'url',
  'author_id',
  'author_handle',
  'author_name',
  'author_followers',
  'text',
  'created_at',
  'lang',
  'lang_declared',
  'likes',
  'reposts',
  'replies',
  'quotes',
  'links',
  'topics',
  'matched_rules',
  'themes',
  'stance_label',
  'stance_confidence',
  'stance_model',
  'stance_source',
  'reply_to',
  'quote_of',
  'conversation_id',
  'collected_at',
  'deleted',
  // Last, so the columns before keep their places in analysts' sheets made before the assistant existed.
  'assistant_label',
  'assistant_confidence',
  'assistant_model',
] as const

/**
 * A CSV row. Cells that a spreadsheet would run as a formula (=, +, -, @, tab, CR first) get a leading
 * apostrophe: a post saying `=HYPERLINK(...)` must stay text when an analyst opens the file.
 */
export function toCsvRow(p: ExportedPost): string[] {
  const cells: (string | number | null)[] = [
    p.platform,
    p.id,
    p.url,
    p.author.id,
    p.author.handle,
    p.author.name,
    p.author.followers,
    p.text,
    p.created_at,
    p.lang,
    p.lang_declared,
    p.metrics?.likes ?? null,
    p.metrics?.reposts ?? null,
    p.metrics?.replies ?? null,
    p.metrics?.quotes ?? null,
    p.links.join(' '),
    p.topics.join(';'),
    p.matched_rules.join(';'),
    p.themes.join(';'),
    p.stance?.label ?? null,
    p.stance?.confidence ?? null,
    p.stance?.model ?? null,
    p.stance?.source ?? null,
    p.reply_to,
    p.quote_of,
    p.conversation_id,
    p.collected_at,
    p.deleted ? 'true' : 'false',
    p.assistant_label?.label ?? null,
    p.assistant_label?.confidence ?? null,
    p.assistant_label?.model ?? null,
  ]
  return cells.map((c) => (c === null ? '' : typeof c === 'number' ? String(c) : /^[=+\-@\t\r]/.test(c) ? `'${c}` : c))
}
