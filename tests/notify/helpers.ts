import { readEnv } from '../../src/config/env.js'
import { createContext, type AppContext } from '../../src/context.js'
import { createLogger } from '../../src/logger.js'
import type { Message, MessagePost } from '../../src/domain/message.js'
import { tempDir, writeTestConfig } from '../helpers.js'

/** Post text that tries every trick chat media fall for: mentions, links, markup, HTML, bidi. */
export const HOSTILE =
  '<!channel> <!here> <@U123> @everyone @here <@&42> <#7> [click](http://evil.example) <http://evil.example|click> *bold* _it_ ~strike~ `code` ```fence``` # head\n- list\n> quote <script>alert(1)</script> javascript:alert(1) a\u202Eexe.txt ||spoiler||'

export function hostilePost(over: Partial<MessagePost> = {}): MessagePost {
  return {
    text: HOSTILE,
    author: '@everyone <@U1> *admin*',
    url: 'https://bsky.app/profile/someone.bsky.social/post/3lmnopq',
    platform: 'bluesky',
    label: 'concern',
    engagement: '12 likes · 3 reposts',
    ...over,
  }
}

export function sampleMessage(over: Partial<Message> = {}): Message {
  return {
    kind: 'alert',
    key: 'alert:1',
    topicId: 'china-ai-fund',
    title: 'Volume spike on X: 3.4× the usual for china-ai-fund <!channel>',
    summary: ['79 posts in 3 hours vs 9.0 expected', 'Stance: concern 41% · praise 33% @here'],
    posts: [hostilePost()],
    link: 'https://example.org/d/2025-07-16',
    data: { observed: 79, expected: 9 },
    ...over,
  }
}

export interface NotifyHarness {
  ctx: AppContext
  /** Every log line written (JSON), as the process would write it to stderr. */
  logs: string[]
  /** Move the context's clock. */
  advance(ms: number): void
  cleanup(): void
}

/**
 * A context over a temporary config with the given notify section, environment variables and an
 * in-memory database; logs are captured through the real logger (secret scrubbing included).
 */
export function notifyHarness(o: { notify: Record<string, unknown>; env?: Record<string, string> }): NotifyHarness {
  const t = tempDir('stancewatch-notify-')
  const configPath = writeTestConfig(t.dir, (c) => {
    c.notify = o.notify
  })
  const logs: string[] = []
  let clock = Date.parse('2025-07-16T12:00:00Z')
  const ctx = createContext({
    env: readEnv(o.env ?? {}),
    log: createLogger('debug', { write: (s: string) => void logs.push(s) }),
    configPath,
    dbPath: ':memory:',
    now: () => new Date(clock),
  })
  return {
    ctx,
    logs,
    advance: (ms) => void (clock += ms),
    cleanup: () => {
      ctx.db.close()
      t.cleanup()
    },
  }
}

/** Retries fast enough for tests. */
export const FAST_RETRY = { attempts: 3, backoff_seconds: 0.01, later_minutes: 0, give_up_hours: 48 }
