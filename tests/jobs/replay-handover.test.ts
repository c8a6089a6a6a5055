import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { samplePayloads } from '../../bench/sample-posts.js'
import { handOver, takeOver, transferables } from '../../src/jobs/replay-handover.js'
import { linesOfPiece } from '../../src/sources/replay.js'
import { prepareChunk, type PreparedChunk } from '../../src/jobs/replay-prepare.js'
import type { PostToStore } from '../../src/store/posts.js'
import { ROOT, testContext } from '../helpers.js'

const jetstream = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/payloads/jetstream-events.json'), 'utf8')) as Record<string, unknown>

/** What the writing thread reads of an item: everything but the payload object and the entity lists. */
function asStored({ createdAtMs: _, ...item }: PostToStore) {
  const raw = item.rawJson instanceof Uint8Array ? Buffer.from(item.rawJson).toString('utf8') : (item.rawJson ?? JSON.stringify(item.post.raw))
  return {
    ...item,
    post: { ...item.post, raw: null, links: [], hashtags: [], mentions: [] },
    rawJson: raw,
    matches: item.matches.map((m) => ({ themes: [], ...m })),
  }
}

describe('handing a prepared chunk from a worker to the writing thread', () => {
  it('gives the writer every field it stores, for posts in every language, replies and edits included', () => {
    const ctx = testContext()
    // The sample's X and Bluesky pages, and a Jetstream post with its edit.
    const payloads = [...samplePayloads(1), jetstream.create, jetstream.update]
    const lines = payloads.map((p, i) => ({ line: i + 1, text: JSON.stringify(p) }))
    const chunk = prepareChunk(ctx.topics, { id: 0, lines, lastLine: lines.length })
    expect(chunk.prepared.items.length).toBeGreaterThan(1000)
    expect(chunk.prepared.unmatched.length).toBeGreaterThan(0)
    const before = {
      items: chunk.prepared.items.map(asStored),
      unmatched: chunk.prepared.unmatched.map((u) => asStored({ ...u, rawJson: JSON.stringify(u.post.raw) })),
    }
    const handed = handOver(structuredClone<PreparedChunk>(chunk))
    // Through a real structured clone, with the raw payloads' buffer transferred, as postMessage does.
    const received = takeOver(structuredClone(handed, { transfer: [handed.rawBytes] }))
    expect(received.prepared.items.map(asStored)).toEqual(before.items)
    expect(received.prepared.unmatched.map(asStored)).toEqual(before.unmatched)
    // Times come parsed, so that the writer does not parse them again.
    for (const i of [...received.prepared.items, ...received.prepared.unmatched]) expect(i.createdAtMs).toBe(Date.parse(i.post.createdAt))
    expect(received.prepared.stats).toEqual(chunk.prepared.stats)
    expect(chunk.prepared.edits.length).toBeGreaterThan(0)
    expect(received.prepared.edits.map(asStored)).toEqual(chunk.prepared.edits.map(asStored))
    expect({ ...received, prepared: null }).toEqual({ ...chunk, prepared: null })
    ctx.db.close()
  })

  it('hands over the payloads as received in their own transferred memory, one object per payload', () => {
    const ctx = testContext()
    const text = [...samplePayloads(1), jetstream.create, jetstream.update].map((p) => JSON.stringify(p)).join('\n') + '\n'
    const piece = { firstLine: 1, bytes: new Uint8Array(Buffer.from(text)) }
    const lines = linesOfPiece(piece)
    const chunk = prepareChunk(ctx.topics, { id: 0, lines, lastLine: lines.length })
    const all = [...chunk.prepared.items, ...chunk.prepared.unmatched, ...chunk.prepared.edits]
    expect(all.every((i) => i.payload !== undefined && i.rawJson === undefined)).toBe(true)
    const bodyOf = (i: PostToStore) => Buffer.from(i.payload!.body as Uint8Array).toString('utf8')
    const before = all.map((i) => ({ id: i.post.platformId, body: bodyOf(i) }))
    const handed = handOver(chunk)
    const transfer = transferables(handed)
    // The piece's memory goes back with the chunk: nothing is copied.
    expect(transfer).toContain(piece.bytes.buffer)
    const back = takeOver(structuredClone(handed, { transfer }))
    expect(piece.bytes.byteLength).toBe(0)
    const after = [...back.prepared.items, ...back.prepared.unmatched, ...back.prepared.edits]
    expect(after.map((i) => ({ id: i.post.platformId, body: bodyOf(i) }))).toEqual(before)
    // Posts of one page still share one payload object, which is what makes the store keep it once.
    const distinct = (xs: PostToStore[]) => new Set(xs.map((i) => i.payload)).size
    expect(distinct(after)).toBe(distinct(all))
    expect(distinct(after)).toBeLessThan(after.length)
    ctx.db.close()
  })
})
