import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyKey } from '../../src/classify/label-memory.js'
import { closeContext } from '../../src/context.js'
import { digestMessage } from '../../src/digest/message.js'
import { renderPlainText } from '../../src/digest/plain.js'
import { runJob } from '../../src/jobs/scheduled.js'
import { savePage } from '../../src/store/posts.js'
import { reviewView, stanceView } from '../../src/web/views.js'
import { readFilters } from '../../src/web/filters.js'
import { reviewPage } from '../../src/web/pages/review.js'
import { stancePage } from '../../src/web/pages/stance.js'
import { cli, tempDir, testContext, writeTestConfig } from '../helpers.js'
import { makePost } from '../post.js'

const NEW = 'new-topic'
const DAY = '2025-07-16'

/** Three clearly different voices per label, in English and French, so a handful of labels can train a model. */
const TEXTS: Record<string, { en: string[]; fr: string[] }> = {
  support: {
    en: [
      'I love the widget tax, a great and fair policy for our towns',
      'The widget tax is great news, I fully support it and love it',
      'Great move: the widget tax will fund parks, love this fair idea',
      'Love it, the widget tax is great and fair, finally',
    ],
    fr: [
      'J’adore la taxe widget, une excellente mesure juste',
      'La taxe widget est excellente, j’adore, bravo',
      'Bravo pour la taxe widget, excellente et juste',
    ],
  },
  oppose: {
    en: [
      'The widget tax is a terrible mistake, I hate it and will fight it',
      'Hate the widget tax, terrible for small shops, scrap it now',
      'Terrible idea, this widget tax, scrap it, we hate it',
      'Scrap the widget tax: terrible, I hate paying more',
    ],
    fr: [
      'La taxe widget est une erreur terrible, je la déteste',
      'Je déteste la taxe widget, terrible pour les commerces',
      'Supprimez cette taxe widget terrible, je déteste',
    ],
  },
  neutral: {
    en: [
      'Council will vote on the widget tax on Tuesday at 6pm, agenda attached',
      'Widget tax vote scheduled for Tuesday; the agenda lists three amendments',
      'The widget tax agenda for Tuesday council session, schedule and minutes',
      'Tuesday agenda: widget tax, item four, council session schedule',
    ],
    fr: [
      'Le conseil votera la taxe widget mardi, ordre du jour joint',
      'Ordre du jour de mardi : taxe widget, point quatre',
      'Séance du conseil mardi sur la taxe widget, calendrier',
    ],
  },
}

interface Stored {
  id: number
  label: string
  lang: string
  text: string
}

describe('stance for a new topic: review first, not yet measured, a model once every label has enough', () => {
  const tmp = tempDir('stancewatch-new-topic-')
  afterAll(tmp.cleanup)
  const seeds = path.join(tmp.dir, 'new-topic.jsonl')
  writeFileSync(seeds, '')
  const config = writeTestConfig(tmp.dir, (c) => {
    c.topics.push({
      id: NEW,
      name: 'The widget tax',
      keywords: [{ id: 'widget', any: ['widget tax', 'taxe widget'] }],
      stance: {
        labels: [
          { id: 'support', name: 'Support', definition: 'The writer is for the widget tax.' },
          { id: 'oppose', name: 'Oppose', definition: 'The writer is against the widget tax.' },
          { id: 'neutral', name: 'Neutral', definition: 'Reports or asks without taking a side.' },
        ],
        seeds,
      },
    })
  })
  const db = path.join(tmp.dir, 'new-topic.sqlite')
  const run = (args: string[]) => cli(['--config', config, '--db', db, ...args])
  const out = path.join(tmp.dir, 'digests')
  const stored: Stored[] = []

  beforeAll(() => {
    const ctx = testContext({ configPath: config, dbPath: db })
    try {
      let n = 0
      const save = (topicId: string, text: string, lang: string, engagement: number) => {
        const post = makePost({
          platformId: String(1945600000000000000n + BigInt(++n)),
          text,
          lang,
          createdAt: new Date(Date.parse('2025-07-16T14:00:00Z') + n * 60_000).toISOString(),
          metrics: { likes: engagement, reposts: 0, replies: 0, quotes: 0 },
        })
        savePage(ctx.db, {
          items: [{ post, langDetected: lang, links: [], matches: [{ topicId, rules: ['test'], themes: [] }] }],
          deletions: [],
          source: 'test',
          query: null,
          observedAt: Date.parse('2025-07-16T20:00:00Z'),
        })
        return (ctx.db.prepare("SELECT id FROM posts WHERE platform = 'x' AND platform_id = ?").get(post.platformId) as { id: number }).id
      }
      for (const text of ['The state fund is a waste of public money', 'Proud of the fund and its vision', 'The fund backs 400 start-ups, report says'])
        save('china-ai-fund', text, 'en', 1)
      let engagement = 1000
      for (const [label, t] of Object.entries(TEXTS))
        for (const lang of ['en', 'fr'] as const) for (const text of t[lang]) stored.push({ id: save(NEW, text, lang, (engagement -= 10)), label, lang, text })
      // A retweet of the most engaged post: one label covers both, so review offers only one of them.
      save(NEW, `RT @someone: ${TEXTS.support!.en[0]}`, 'en', 5)
    } finally {
      closeContext(ctx)
    }
  })

  it('classify exits 0 and says the new topic awaits labels, while the first topic is classified', async () => {
    const r = await run(['classify', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const topics = JSON.parse(r.stdout).topics as { topicId: string; model: string | null; classified: number }[]
    expect(topics.find((t) => t.topicId === 'china-ai-fund')).toMatchObject({ model: expect.stringMatching(/^china-ai-fund@/), classified: 3 })
    expect(topics.find((t) => t.topicId === NEW)).toEqual({
      topicId: NEW,
      model: null,
      trained: false,
      classified: 0,
      status: 'awaiting-labels',
      counts: { support: 0, oppose: 0, neutral: 0 },
      floor: 5,
    })
    const human = await run(['classify', '--topic', NEW])
    expect(human.code, human.stderr).toBe(0)
    expect(human.stdout).toContain(
      'new-topic: stance not yet measured: labels so far support 0/5, oppose 0/5, neutral 0/5; label posts with `stancewatch review --topic new-topic`',
    )
  }, 90_000)

  it('the digest says stance is not yet measured and still shows volume, languages and the most engaged posts (md, json, html)', async () => {
    const r = await run(['digest', '--topic', NEW, '--date', DAY, '--out', out])
    expect(r.code, r.stderr).toBe(0)
    const md = readFileSync(path.join(out, NEW, `digest-${DAY}.md`), 'utf8')
    expect(md).toContain(
      '**Stance not yet measured: labels so far support 0/5, oppose 0/5, neutral 0/5 (a model is trained once every label has 5); label posts with `stancewatch review --topic new-topic`.**',
    )
    expect(md).toContain('**22 posts')
    expect(md).toMatch(/- Languages: English 13 \(59%\) · French 9 \(41%\)/)
    expect(md).toContain(`1. > ${TEXTS.support!.en[0]}`)
    expect(md).not.toContain('| Stance |')
    expect(md).not.toContain('model confidence')
    const json = JSON.parse(readFileSync(path.join(out, NEW, `digest-${DAY}.json`), 'utf8'))
    expect(json.notMeasured).toEqual({ counts: { support: 0, oppose: 0, neutral: 0 }, floor: 5, review: 'stancewatch review --topic new-topic' })
    expect(json.stance).toEqual([])
    expect(json.mostEngaged[0].text).toBe(TEXTS.support!.en[0])
    expect(json.volume.total).toBe(22)
    const sentence = 'Stance not yet measured: labels so far support 0/5, oppose 0/5, neutral 0/5'
    expect(renderPlainText(json)).toContain(`STANCE\n  ${sentence}`)
    expect(digestMessage(json, { html: '', text: '', markdown: '' }, null).summary).toContainEqual(expect.stringContaining(sentence))
    expect(digestMessage(json, { html: '', text: '', markdown: '' }, null).posts).toEqual([])
    const html = readFileSync(path.join(out, NEW, `digest-${DAY}.html`), 'utf8')
    expect(html).toContain('Stance not yet measured: labels so far support 0/5, oppose 0/5, neutral 0/5')
    expect(html).toContain('<code>stancewatch review --topic new-topic</code>')
  }, 60_000)

  it('review offers the new topic’s posts: one per copy set, languages in turn, most engaged first, with definitions and progress', async () => {
    const r = await run(['review', '--topic', NEW, '--n', '30', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const [q] = JSON.parse(r.stdout).topics
    expect(q).toMatchObject({ topicId: NEW, model: null, progress: { counts: { support: 0, oppose: 0, neutral: 0 }, floor: 5 } })
    expect(q.definitions).toContainEqual({ id: 'oppose', name: 'Oppose', definition: 'The writer is against the widget tax.' })
    const posts = q.posts as { id: number; text: string; lang: string; engagement: number }[]
    // 21 distinct texts; the retweet is a copy of the first.
    expect(posts).toHaveLength(21)
    expect(new Set(posts.map((p) => copyKey(p.text))).size).toBe(21)
    expect(posts[0]!.text).toBe(TEXTS.support!.en[0])
    // English (more posts) and French alternate while both last.
    expect(posts.slice(0, 6).map((p) => p.lang)).toEqual(['en', 'fr', 'en', 'fr', 'en', 'fr'])
    for (const lang of ['en', 'fr']) {
      const e = posts.filter((p) => p.lang === lang).map((p) => p.engagement)
      expect(e).toEqual([...e].sort((a, b) => b - a))
    }
    const human = await run(['review', '--topic', NEW, '--n', '3'])
    expect(human.stdout).toContain('new-topic (no model yet): 3 posts to label')
    expect(human.stdout).toContain('oppose: The writer is against the widget tax.')
    expect(human.stdout).toContain('labels so far: support 0/5 · oppose 0/5 · neutral 0/5')
  }, 60_000)

  it('the dashboard review and stance pages, stance and status say the same', async () => {
    const ctx = testContext({ configPath: config, dbPath: db })
    try {
      const v = reviewView(ctx, NEW, 5)
      expect(v.model).toBeNull()
      expect(v.progress).toEqual({ counts: { support: 0, oppose: 0, neutral: 0 }, floor: 5 })
      expect(v.queue).toHaveLength(5)
      const review = reviewPage(ctx, v).value
      expect(review).toContain('Labels so far: <strong>support 0/5 · oppose 0/5 · neutral 0/5</strong>')
      expect(review).toMatch(/<dt>support<\/dt>\s*<dd>The writer is for the widget tax.<\/dd>/)
      expect(review).not.toContain('model scores')
      const f = readFilters(ctx, new URLSearchParams({ topic: NEW, from: DAY, to: DAY }), NEW)
      const view = stanceView(ctx, f)
      expect(view.notMeasured).toMatchObject({ counts: { support: 0, oppose: 0, neutral: 0 }, floor: 5 })
      const page = stancePage(ctx, f, view).value
      expect(page).toMatch(/Stance not yet measured: labels so far <strong>support 0\/5, oppose 0\/5, neutral 0\/5<\/strong>/)
      // No chart of empty shares: the client draws none without its element.
      expect(page).not.toContain('id="chart"')
    } finally {
      closeContext(ctx)
    }
    const table = await run(['stance', '--topic', NEW, '--from', DAY, '--to', DAY])
    expect(table.code, table.stderr).toBe(0)
    expect(table.stdout).toContain('new-topic: Stance not yet measured: labels so far support 0/5, oppose 0/5, neutral 0/5')
    expect(table.stdout).not.toContain('support 0 ')
    const json = JSON.parse((await run(['stance', '--topic', NEW, '--from', DAY, '--to', DAY, '--json'])).stdout)
    expect(json.notMeasured).toMatchObject({ counts: { support: 0, oppose: 0, neutral: 0 }, floor: 5 })
    const status = await run(['status'])
    expect(status.stdout).toContain('awaiting labels: support 0/5, oppose 0/5, neutral 0/5')
    expect(status.stdout).toMatch(/model: china-ai-fund@/)
  }, 60_000)

  it('after 5 labels of each (through `label`), the scheduled classify trains a model and scores the posts; the digest shows stance', async () => {
    const labelFile = (rows: Stored[], name: string) => {
      const file = path.join(tmp.dir, name)
      writeFileSync(file, ['post,label,topic', ...rows.map((s) => `#${s.id},${s.label},${NEW}`)].join('\n'))
      return file
    }
    // Per label: three English and two French posts; four first, still short of the floor.
    const chosen = Object.keys(TEXTS).flatMap((label) => {
      const of = stored.filter((s) => s.label === label)
      return [...of.filter((s) => s.lang === 'en').slice(0, 3), ...of.filter((s) => s.lang === 'fr').slice(0, 2)]
    })
    const first = chosen.filter((_, i) => i % 5 !== 4)
    expect((await run(['label', '--file', labelFile(first, 'first.csv')])).code).toBe(0)
    const still = await run(['classify', '--topic', NEW, '--json'])
    expect(still.code).toBe(0)
    expect(JSON.parse(still.stdout).topics[0]).toMatchObject({ status: 'awaiting-labels', counts: { support: 4, oppose: 4, neutral: 4 } })

    expect(
      (
        await run([
          'label',
          '--file',
          labelFile(
            chosen.filter((_, i) => i % 5 === 4),
            'second.csv',
          ),
        ])
      ).code,
    ).toBe(0)
    const ctx = testContext({ configPath: config, dbPath: db })
    try {
      const outcome = await runJob(ctx, 'classify')
      expect(outcome.status, outcome.reason ?? '').toBe('ok')
      const results = outcome.detail as { topicId: string; model: string | null; trained: boolean; classified: number; status?: string }[]
      const r = results.find((x) => x.topicId === NEW)!
      expect(r).toMatchObject({ model: expect.stringMatching(/^new-topic@/), trained: true })
      expect(r.status).toBeUndefined()
      expect(r.classified).toBeGreaterThan(0)
      // Every post of the topic now has a stance: the people's, or the model's.
      const unscored = ctx.db.prepare('SELECT count(*) FROM post_topics WHERE topic_id = ? AND stance_source IS NULL').pluck().get(NEW)
      expect(unscored).toBe(0)
    } finally {
      closeContext(ctx)
    }

    const d = await run(['digest', '--topic', NEW, '--date', DAY, '--out', out])
    expect(d.code, d.stderr).toBe(0)
    const md = readFileSync(path.join(out, NEW, `digest-${DAY}.md`), 'utf8')
    expect(md).not.toContain('Stance not yet measured')
    expect(md).toContain('| Stance | Posts | Share (95% interval) |')
    expect(md).toContain('15 of these labels were given by people')
    const json = JSON.parse(readFileSync(path.join(out, NEW, `digest-${DAY}.json`), 'utf8'))
    expect(json.notMeasured).toBeNull()
    expect(json.stance.map((l: { label: string }) => l.label)).toEqual(['support', 'oppose', 'neutral', 'uncertain'])
    expect(json.health.model.version).toMatch(/^new-topic@/)
    const status = await run(['status'])
    expect(status.stdout).not.toContain('awaiting labels')
  }, 120_000)
})
