import type { Config } from '../config/schema.js'
import type { Message, MessageKind } from '../domain/message.js'

/**
 * The harmless message `stancewatch notify test` sends: clearly a test, with a key of its own each time
 * (so it never counts as delivering a real alert or digest), and the public link when one is configured
 * so the link rendering is checked too.
 */
export function testMessage(config: Config, kind: MessageKind, now: Date): Message {
  return {
    kind,
    key: `test:${now.toISOString()}`,
    topicId: config.topics[0]!.id,
    title: 'stancewatch: test message',
    summary: [
      'If you can read this, the channel works.',
      `Sent ${now.toISOString()} by \`stancewatch notify test\` as ${kind === 'alert' ? 'an alert' : kind === 'ops' ? 'an operational alert' : 'a digest'}; nothing needs doing.`,
    ],
    posts: [],
    link: config.notify.public_url,
    data: { test: true, sentAt: now.toISOString() },
  }
}
