import type { ChannelConfig } from '../../config/schema.js'
import type { Env } from '../../config/env.js'
import { discordLink, displaySafe, escapeDiscord, safeHref, truncateGraphemes } from '../../render/escape.js'
import { acceptedKinds, type Channel } from '../channel.js'
import { fitEscaped, joinWithin } from '../fit.js'
import { postJson } from '../http.js'
import type { Message, MessagePost } from '../../domain/message.js'
import { webhookUrl } from '../secrets.js'

// Discord limits: message content 2000 characters, an embed's description 4096 (and 6000 in all).
const CONTENT_MAX = 2000
const DESCRIPTION_MAX = 4096
const LINE_MAX = 600
const MAX_POSTS = 5
const POST_GRAPHEMES = 500

export interface DiscordPayload {
  content: string
  embeds: { title: string; description: string; color: number }[]
  allowed_mentions: { parse: string[] }
}

/**
 * A webhook message: the title, summary and link as content, the notable posts as one embed (embeds
 * render masked links, so each author links to the post). `allowed_mentions: {parse: []}` is always sent:
 * whatever the escaping misses, nobody gets pinged; the escaping keeps text from looking like markup.
 */
export function discordPayload(m: Message): DiscordPayload {
  const link = m.link ? safeHref(m.link) : null
  const lines = [
    `**${fitEscaped(oneLine(m.title), LINE_MAX, escapeDiscord)}**`,
    ...m.summary.map((s) => fitEscaped(oneLine(s), LINE_MAX, escapeDiscord)),
    ...(link ? [discordLink(link, m.kind === 'digest' ? 'Read the full digest' : 'Details')] : []),
  ]
  const posts = m.posts.slice(0, MAX_POSTS).map(postQuote)
  return {
    content: joinWithin(lines, CONTENT_MAX),
    embeds: posts.length ? [{ title: m.kind === 'digest' ? 'Notable posts' : 'Posts', description: joinWithin(posts, DESCRIPTION_MAX), color: 0x4f6bed }] : [],
    allowed_mentions: { parse: [] },
  }
}

/** `> post text` then `— [author](post) · platform · label · engagement`, one blank line between posts. */
function postQuote(p: MessagePost): string {
  const label = p.label ? ` · ${escapeDiscord(p.label)}${p.human ? ' (labelled by a person)' : ''}` : ''
  const meta = `— ${discordLink(p.url, truncateGraphemes(oneLine(p.author), 80))} · ${escapeDiscord(oneLine(p.platform))}${label}${p.engagement ? ` · ${escapeDiscord(oneLine(p.engagement))}` : ''}`
  return `> ${fitEscaped(oneLine(truncateGraphemes(p.text, POST_GRAPHEMES)), 1200, escapeDiscord)}\n${meta.length > 600 ? `— ${escapeDiscord(truncateGraphemes(oneLine(p.author), 80))}` : meta}\n`
}

function oneLine(s: string): string {
  return displaySafe(s).replace(/\s+/g, ' ').trim()
}

/** Discord through a channel webhook (the URL, which is the credential, from the named variable). */
export function discordChannel(cfg: Extract<ChannelConfig, { type: 'discord' }>, env: Env): Channel {
  const { url, problem } = webhookUrl(env, cfg.url_env)
  return {
    id: cfg.id,
    type: 'discord',
    accepts: acceptedKinds(cfg),
    unavailable: problem,
    send: async (m, sc) => {
      await postJson(url!, discordPayload(m), { signal: sc.signal, what: `Discord webhook ${cfg.id}` })
    },
  }
}
