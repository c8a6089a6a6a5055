import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { samplePayloads } from '../../bench/sample-posts.js'
import { handOver, takeOver } from '../../src/jobs/replay-handover.js'
import { prepareChunk, type PreparedChunk } from '../../src/jobs/replay-prepare.js'
import type { PostToStore } from '../../src/store/posts.js'
import { ROOT, testContext } from '../helpers.js'

const jetstream = JSON.parse(readFileSync(path.join(ROOT, 'tests/fixtures/payloads/jetstream-events.json'), 'utf8')) as Record<string, unknown>

/** What the writing thread reads of an item: everything but the payload object and the entity lists. */
function asStored(item: PostToStore) {
  const raw = item.rawJson instanceof Uint8Array ? Buffer.from(item.rawJson).toString('utf8') : (item.rawJson ?? JSON.stringify(item.post.raw))
  return { ...item, post: { ...item.post, raw: null, links: [], hashtags: [], mentions: [] }, rawJson: raw, matches: item.matches.map((m) => ({ themes: [], ...m })) }
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
    const before = { items: chunk.prepared.items.map(asStored), unmatched: chunk.prepared.unmatched.map((u) => asStored({ ...u, rawJson: JSON.stringify(u.post.raw) })) }
    const handed = handOver(structuredClone(chunk) as PreparedChunk)
    // Through a real structured clone, with the raw payloads' buffer transferred, as postMessage does.
    const received = takeOver(structuredClone(handed, { transfer: [handed.rawBytes] }))
    expect(received.prepared.items.map(asStored)).toEqual(before.items)
    expect(received.prepared.unmatched.map(asStored)).toEqual(before.unmatched)
    expect(received.prepared.stats).toEqual(chunk.prepared.stats)
    expect(chunk.prepared.edits.length).toBeGreaterThan(0)
    expect(received.prepared.edits.map(asStored)).toEqual(chunk.prepared.edits.map(asStored))
    expect({ ...received, prepared: null }).toEqual({ ...chunk, prepared: null })
    ctx.db.close()
  })
})
