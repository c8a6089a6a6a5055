import type { ChannelConfig } from '../../config/schema.js'
import type { Env } from '../../config/env.js'
import { acceptedKinds, type Channel } from '../channel.js'
import { postJson } from '../http.js'
import type { Message } from '../../domain/message.js'
import { webhookUrl } from '../secrets.js'

/** What the generic webhook receives: the message as data, user text unescaped (the receiver renders it). */
export function webhookPayload(m: Message): Record<string, unknown> {
  return { kind: m.kind, key: m.key, topic: m.topicId, title: m.title, summary: m.summary, posts: m.posts, link: m.link ?? null, data: m.data }
}

/** POSTs the message as JSON to the URL in the named variable; anything but 2xx is a failure. */
export function webhookChannel(cfg: Extract<ChannelConfig, { type: 'webhook' }>, env: Env): Channel {
  const { url, problem } = webhookUrl(env, cfg.url_env)
  return {
    id: cfg.id,
    type: 'webhook',
    accepts: acceptedKinds(cfg),
    unavailable: problem,
    send: async (m, sc) => {
      await postJson(url!, webhookPayload(m), { signal: sc.signal, what: `webhook ${cfg.id}` })
    },
  }
}
