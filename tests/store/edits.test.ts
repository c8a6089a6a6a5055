import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AppContext } from '../../src/context.js'
import { classify } from '../../src/jobs/classify.js'
import { exportPosts } from '../../src/jobs/export.js'
import { ingest } from '../../src/jobs/ingest.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { testContext } from '../helpers.js'

const DID = 'did:plc:editeditediteditediteditx'
const event = (operation: 'create' | 'update' | 'delete', text: string, timeUs: number) =>
  normalizePayload({
    did: DID,
    time_us: timeUs,
    kind: 'commit',
    commit: {
      rev: 'r',
      operation,
      collection: 'app.bsky.feed.post',
      rkey: '3ltedit000001',
      ...(operation === 'delete'
        ? {}
        : {
            record: { $type: 'app.bsky.feed.post', text, createdAt: '2025-07-16T12:00:00.000Z', langs: ['en'] },
            cid: 'bafyreibm6jg3ux5qumhcn2b3flc3tyu6dmlb4xa7u5bf44yegnrjhc4yeq',
          }),
    },
  })!

describe('edited posts', () => {
  let ctx: AppContext
  beforeEach(() => {
    ctx = testContext()
  })
  afterEach(() => ctx.db.close())

  const prov = { source: 'jetstream', query: null }
  const row = () =>
    ctx.db
      .prepare(
        'SELECT p.text, pt.stance_label AS label, pt.stance_source AS source, pt.stance_model_id AS model FROM posts p JOIN post_topics pt ON pt.post_id = p.id',
      )
      .get() as { text: string; label: string; source: string; model: number | null }

  it('replayed, the new version points at the event it came in, and export gives that event as its item', () => {
    const received = (n: NonNullable<ReturnType<typeof event>>, raw: unknown) => Object.assign(n, { received: { body: Buffer.from(JSON.stringify(raw)) } })
    const create = event('create', "China's $8.5bn state AI fund is smart industrial policy", 1752667200000000)
    const update = event('update', "China's $8.5bn state AI fund will distort the market", 1752667260000000)
    ingest(ctx, [received(create, create.posts[0]!.raw)], { source: 'replay', query: 'a.jsonl' })
    expect(ingest(ctx, [received(update, update.edits[0]!.raw)], { source: 'replay', query: 'a.jsonl' }).edits).toBe(1)
    const stored = ctx.db.prepare('SELECT p.raw, pay.body FROM posts p JOIN payloads pay ON pay.id = p.payload_id').get() as { raw: string; body: string }
    expect(stored.raw).toBe('')
    expect(JSON.parse(stored.body)).toMatchObject({ commit: { operation: 'update' } })
    expect(ctx.db.prepare('SELECT count(*) FROM payloads').pluck().get()).toBe(2)
    let out = ''
    exportPosts(ctx, { format: 'jsonl', includeDeleted: false, withRaw: true, bom: false }, (c) => (out += c))
    expect(JSON.parse(out).raw).toEqual(update.edits[0]!.raw)
  })

  it('replace the text, keep the previous text and labels, and go back to the model', async () => {
    ingest(ctx, [event('create', "China's $8.5bn state AI fund is smart industrial policy, a triumph of national will", 1752667200000000)], prov)
    await classify(ctx)
    const before = row()
    const stats = ingest(
      ctx,
      [event('update', "China's $8.5bn state AI fund will distort the market and waste money on zombie start-ups", 1752667260000000)],
      prov,
    )
    expect(stats.edits).toBe(1)
    expect(row().text).toContain('distort the market')
    expect(row().model).toBeNull()
    const edit = ctx.db.prepare('SELECT previous_text, previous_labels FROM post_edits').get() as { previous_text: string; previous_labels: string }
    expect(edit.previous_text).toContain('triumph of national will')
    expect(JSON.parse(edit.previous_labels)).toEqual({ 'china-ai-fund': expect.objectContaining({ label: before.label, source: 'model' }) })
    await classify(ctx)
    expect(row().model).not.toBeNull()
  })

  it('an edit repeated (the stream replays after a reconnect) changes nothing more', () => {
    ingest(ctx, [event('create', 'The state AI fund backs 400 start-ups in China', 1)], prov)
    ingest(ctx, [event('update', 'The state AI fund backs 400+ start-ups in China (fixed)', 2)], prov)
    const again = ingest(ctx, [event('update', 'The state AI fund backs 400+ start-ups in China (fixed)', 2)], prov)
    expect(again.edits).toBe(0)
    expect(ctx.db.prepare('SELECT count(*) FROM post_edits').pluck().get()).toBe(1)
  })

  it('a label given by a person survives the edit', async () => {
    ingest(ctx, [event('create', 'The state AI fund backs 400 start-ups in China', 1)], prov)
    ctx.db.prepare("UPDATE post_topics SET stance_label = 'praise', stance_source = 'human'").run()
    ingest(ctx, [event('update', 'The state AI fund backs 400 start-ups in China, wow', 2)], prov)
    await classify(ctx)
    expect(row()).toMatchObject({ label: 'praise', source: 'human' })
  })

  it('create, edit and delete in one batch apply in that order', () => {
    const stats = ingest(
      ctx,
      [
        event('create', 'The state AI fund backs 400 start-ups in China', 1),
        event('update', 'The state AI fund backs 400 start-ups in China!', 2),
        event('delete', '', 3),
      ],
      prov,
    )
    expect(stats).toMatchObject({ newPosts: 1, edits: 1, deletions: 1 })
    expect(ctx.db.prepare('SELECT text, deleted_at IS NOT NULL AS deleted FROM posts').get()).toEqual({
      text: 'The state AI fund backs 400 start-ups in China!',
      deleted: 1,
    })
  })
})
