import type { AppContext } from '../../src/context.js'
import { ingest } from '../../src/jobs/ingest.js'
import { findPost, type FoundPost } from '../../src/store/labels.js'
import { makePost } from '../post.js'
import { testContext, writeTestConfig } from '../helpers.js'

export const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
export const TOPIC = 'china-ai-fund'
export const KEY = 'sk-test-assistant-key-1f3a9c'

/** Posts the scripted server labels by keyword: concern, praise, neutral, and one it is unsure of. */
export const TEXTS = [
  'Subsidies will distort the whole market',
  'Another round of state money for zombie firms',
  'The fund is a bold plan and it is working',
  'Proud of this leadership on AI',
  'Does anyone know how the 400 start-ups were picked?',
  'Reading the piece on the fund this morning',
  'Hmm',
  '补贴会扭曲市场 security risk',
]

/** The shipped config with the first topic's assistant set as given (enabled with a model by default). */
export function assistantConfig(dir: string, assistant: Record<string, unknown> = {}, name = 'config.yaml'): string {
  return writeTestConfig(dir, (c) => (c.topics[0].assistant = { enabled: true, model: 'test-model', ...assistant }), name)
}

export function assistantContext(configPath: string, env: NodeJS.ProcessEnv, dbPath?: string): AppContext {
  return testContext({ configPath, env, dbPath, now: new Date('2025-07-20T12:00:00Z') })
}

/** Store posts on the topic (each links the article), one a day from 10 July, X ids from a base. */
export function storePosts(ctx: AppContext, texts: readonly string[], base = 100): void {
  const posts = texts.map((text, i) =>
    makePost({
      platformId: `19456000000000${String(base + i).padStart(5, '0')}`,
      text,
      links: [ARTICLE],
      createdAt: `2025-07-${String(10 + (i % 9)).padStart(2, '0')}T1${i % 10}:00:00.000Z`,
    }),
  )
  ingest(ctx, [{ kind: 'x-search', posts, edits: [], deletions: [], skipped: [], ignored: 0, streamTimeUs: null } as never], {
    source: 'replay',
    query: 'test',
  })
}

export function postByText(ctx: AppContext, text: string): FoundPost {
  const id = ctx.db.prepare('SELECT id FROM posts WHERE text = ? ORDER BY id LIMIT 1').pluck().get(text) as number
  return findPost(ctx.db, { kind: 'row', id, text: `#${id}` })!
}
