import type { ChannelConfig } from '../../config/schema.js'
import type { Logger } from '../../logger.js'
import { displaySafe } from '../../render/escape.js'
import { acceptedKinds, type Channel } from '../channel.js'
import type { Message } from '../../domain/message.js'

/**
 * One structured log line per message: the channel that always works, and what a daemon's log shows.
 * Alerts are warnings (something needs a look), digests information.
 */
export function logChannel(cfg: Extract<ChannelConfig, { type: 'log' }>, log: Logger): Channel {
  return {
    id: cfg.id,
    type: 'log',
    accepts: acceptedKinds(cfg),
    unavailable: null,
    send: (m: Message) => {
      const line = {
        notify: {
          channel: cfg.id,
          kind: m.kind,
          key: m.key,
          topic: m.topicId,
          summary: m.summary.map(displaySafe),
          link: m.link ?? null,
          posts: m.posts.length,
        },
      }
      if (m.kind !== 'digest') log.warn(line, displaySafe(m.title))
      else log.info(line, displaySafe(m.title))
      return Promise.resolve()
    },
  }
}
