import type { AppContext } from '../../src/context.js'
import { saveClassifications } from '../../src/store/classifications.js'
import { savePage } from '../../src/store/posts.js'
import { markTopicsCollected } from '../../src/store/topic-coverage.js'
import { makePost } from '../post.js'
import { saveStubModel } from '../helpers.js'

export const TOPIC = 'china-ai-fund'
/** The digest's day (New York); its 14-day chart runs from 2025-07-03. */
export const DAY = '2025-07-16'
/** The topic was first collected on this day: the five days of the chart before it were never watched. */
export const FIRST_DAY = '2025-07-08'

const TEXTS = [
  ['国家人工智能产业投资基金规模600亿元，支持400多家初创企业，这是市场扭曲还是国家意志？', 'zh', 'concern'],
  ['中国のAIファンドは85億ドル規模。H20チップの販売再開と合わせて、日本の半導体産業への影響が気になる。', 'ja', 'neutral'],
  ['The $8.5bn state AI fund shows real national will: DeepSeek proved what focused investment can do.', 'en', 'praise'],
  ['Le fonds d’IA de l’État chinois fausse la concurrence et pose un problème de sécurité.', 'fr', 'concern'],
  [
    'Data-labelling villages are the hidden workforce behind the AI fund: https://example.org/a-very-long-link-without-any-break-0123456789abcdef',
    'en',
    'neutral',
  ],
] as const

/**
 * Posts on every day from FIRST_DAY to DAY, in four languages (CJK included), labelled by the model, with
 * the topic marked first collected on FIRST_DAY: a digest whose 14-day chart starts before collection did.
 */
export function storeFourteenDays(ctx: AppContext): void {
  const modelId = saveStubModel(ctx.db, TOPIC)
  markTopicsCollected(ctx.db, [TOPIC], Date.parse(`${FIRST_DAY}T16:00:00Z`))
  let n = 0
  for (let day = Date.parse(`${FIRST_DAY}T14:00:00Z`); day <= Date.parse(`${DAY}T14:00:00Z`); day += 86_400_000) {
    for (const [i, [text, lang, label]] of TEXTS.entries()) {
      n++
      const post = makePost({
        platform: i % 2 ? 'bluesky' : 'x',
        platformId: i % 2 ? `at://did:plc:fourteen${n}/app.bsky.feed.post/3lu${n}` : String(1945000000000000000n + BigInt(n)),
        url: i % 2 ? `https://bsky.app/profile/p${n}/post/3lu${n}` : `https://x.com/someone/status/${1945000000000000000n + BigInt(n)}`,
        text,
        lang,
        createdAt: new Date(day + i * 600_000).toISOString(),
        metrics: { likes: 10 + i, reposts: 1, replies: 0, quotes: 0 },
      })
      savePage(ctx.db, {
        items: [{ post, langDetected: lang, links: [], matches: [{ topicId: TOPIC, rules: ['keyword:fund-en'], themes: ['fund'] }] }],
        deletions: [],
        source: 'test',
        query: null,
        observedAt: day + 3_600_000,
      })
      const row = ctx.db
        .prepare('SELECT id, created_at AS createdAt FROM posts WHERE platform = ? AND platform_id = ?')
        .get(post.platform, post.platformId) as {
        id: number
        createdAt: number
      }
      saveClassifications(ctx.db, TOPIC, modelId, [{ postId: row.id, createdAt: row.createdAt, label, confidence: 0.8, scores: {} }], day + 3_600_000)
    }
  }
}
