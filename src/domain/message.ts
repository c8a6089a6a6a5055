/*
 * What stancewatch delivers, independent of where: alerts and digests are built once as a Message, and
 * each channel (log, webhook, Slack, Discord, e-mail, Bluesky) renders it in its own medium with its own
 * escaping. Every string here is plain, unescaped text as people wrote it: hostile until a channel escapes it.
 */

/** `ops`: the bot's own health (a source failing, its recovery), for whoever runs it. */
export type MessageKind = 'alert' | 'digest' | 'ops'

export interface MessagePost {
  text: string
  /** Handle or display name, as the platform gave it. */
  author: string
  url: string
  platform: string
  label?: string | null
  /** The label was given by a person, not the model. */
  human?: boolean
  /** E.g. "1,204 likes · 310 reposts". */
  engagement?: string
}

export interface Message {
  kind: MessageKind
  /**
   * Stable identity of what is delivered (e.g. `alert:42`, `digest:china-ai-fund:2025-07-16`): a channel
   * that has delivered a key does not deliver it again unless forced.
   */
  key: string
  topicId: string
  /** One line, e.g. "Volume spike on X: 3.4× the usual for china-ai-fund". */
  title: string
  /** The headline numbers, one short line each. */
  summary: string[]
  /** Notable posts, most engaged first. */
  posts: MessagePost[]
  /** Public URL of the full item (a published digest), when one is configured. */
  link?: string | null
  /** Full renderings, when the item has them (the digest): e-mail sends html with text as its alternative. */
  body?: { html: string; text: string; markdown: string }
  /** The facts as JSON: what the generic webhook posts. */
  data: unknown
}

export interface DeliveryResult {
  channel: string
  key: string
  status: 'sent' | 'failed' | 'skipped'
  attempts: number
  error?: string
}
