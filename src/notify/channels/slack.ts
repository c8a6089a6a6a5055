import type { ChannelConfig } from '../../config/schema.js'
import type { Env } from '../../config/env.js'
import { displaySafe, escapeSlack, safeHref, slackLink, truncateGraphemes } from '../../render/escape.js'
import { acceptedKinds, type Channel } from '../channel.js'
import { fitEscaped } from '../fit.js'
import { postJson } from '../http.js'
import type { Message, MessagePost } from '../../domain/message.js'
import { webhookUrl } from '../secrets.js'

// Block Kit limits: a header's text 150 characters, a section's 3000.
const HEADER_MAX = 150
const SECTION_MAX = 3000
const FALLBACK_MAX = 500
const MAX_POSTS = 5
const POST_GRAPHEMES = 600

type TextObject = { type: 'plain_text'; text: string; emoji?: boolean } | { type: 'mrkdwn'; text: string; verbatim?: boolean }
export interface SlackPayload {
  text: string
  blocks: { type: string; text?: TextObject }[]
  unfurl_links: boolean
  unfurl_media: boolean
}

/**
 * An incoming-webhook message: `text` is the notification fallback, the blocks a header, the summary, a few
 * posts as quotes linking to them, and the full digest's link. Every piece of text from outside is escaped
 * for mrkdwn; `verbatim` stops Slack from turning bare channel names and URLs in it into links. Post
 * previews are off: a digest quoting five posts should not unfurl five tweets.
 */
export function slackPayload(m: Message): SlackPayload {
  const blocks: SlackPayload['blocks'] = [
    // plain_text is never parsed for mentions or links, so it needs no escaping, only display-safe text.
    { type: 'header', text: { type: 'plain_text', text: fitEscaped(oneLine(m.title), HEADER_MAX, (t) => t), emoji: true } },
  ]
  if (m.summary.length) blocks.push(section(fitEscaped(m.summary.map(oneLine).join('\n'), SECTION_MAX, escapeSlack)))
  for (const p of m.posts.slice(0, MAX_POSTS)) blocks.push(section(postQuote(p)))
  const link = m.link ? safeHref(m.link) : null
  if (link) blocks.push(section(slackLink(link, m.kind === 'digest' ? 'Read the full digest' : 'Details')))
  return { text: fitEscaped(oneLine(m.title), FALLBACK_MAX, escapeSlack), blocks, unfurl_links: false, unfurl_media: false }
}

function section(text: string): SlackPayload['blocks'][number] {
  return { type: 'section', text: { type: 'mrkdwn', text, verbatim: true } }
}

/** `>post text` then `— author · platform · label · engagement`, the author linking to the post. */
function postQuote(p: MessagePost): string {
  const author = truncateGraphemes(oneLine(p.author), 80)
  const label = p.label ? ` · ${escapeSlack(p.label)}${p.human ? ' (labelled by a person)' : ''}` : ''
  const tail = ` · ${escapeSlack(oneLine(p.platform))}${label}${p.engagement ? ` · ${escapeSlack(oneLine(p.engagement))}` : ''}`
  let meta = `— ${slackLink(p.url, author)}${tail}`
  // An absurdly long URL is not worth the quote it would crowd out: the author is then shown unlinked.
  if (meta.length > 1000) meta = `— ${escapeSlack(author)}${tail}`.slice(0, 1000)
  const quote = fitEscaped(oneLine(truncateGraphemes(p.text, POST_GRAPHEMES)), SECTION_MAX - meta.length - 2, escapeSlack)
  return `>${quote}\n${meta}`
}

function oneLine(s: string): string {
  return displaySafe(s).replace(/\s+/g, ' ').trim()
}

/** Slack through an incoming webhook (the URL, which is the credential, from the named variable). */
export function slackChannel(cfg: Extract<ChannelConfig, { type: 'slack' }>, env: Env): Channel {
  const { url, problem } = webhookUrl(env, cfg.url_env)
  return {
    id: cfg.id,
    type: 'slack',
    accepts: acceptedKinds(cfg),
    unavailable: problem,
    send: async (m, sc) => {
      await postJson(url!, slackPayload(m), { signal: sc.signal, what: `Slack webhook ${cfg.id}` })
    },
  }
}
