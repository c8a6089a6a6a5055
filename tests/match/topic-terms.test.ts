import { describe, expect, it } from 'vitest'
import { loadConfig } from '../../src/config/load.js'
import { canonicalLinks, compileTopics, matchPost } from '../../src/match/matcher.js'
import { TopicTerms } from '../../src/match/topic-terms.js'
import { frameTimeUs, plainNewPostText } from '../../src/sources/jetstream/frame.js'
import { normalizeJetstreamEvent } from '../../src/normalize/jetstream.js'
import { CONFIG } from '../helpers.js'
import { makeJetstreamEvents } from '../servers/jetstream-data.js'

const { config } = loadConfig(CONFIG)
const terms = new TopicTerms(config.topics)
/** What the consumer does with a raw frame: parse it, unless it is a plain new post without any topic's term. */
const prefilter = {
  mayMatter: (frame: string) => {
    const text = plainNewPostText(frame)
    return text === null || terms.mayMatch(text)
  },
}
const topics = compileTopics(config.topics)

function frame(text: string, extra: Record<string, unknown> = {}, operation = 'create'): string {
  return JSON.stringify({
    did: 'did:plc:aaaaaaaaaaaaaaaaaaaaaaaa',
    time_us: 1752667200123456,
    kind: 'commit',
    commit: {
      rev: 'x',
      operation,
      collection: 'app.bsky.feed.post',
      rkey: '3ltabcdefghij',
      record: { $type: 'app.bsky.feed.post', text, createdAt: '2025-07-16T12:00:00Z', ...extra },
      cid: 'bafy',
    },
  })
}

describe('a raw frame: its plain text against every topic term', () => {
  it('never turns away a frame the matcher would keep (20,000 generated events)', () => {
    const events = makeJetstreamEvents({ seed: 77, count: 20000, startUs: 1752667200000000, topicShare: 0.1 })
    let skipped = 0
    for (const ev of events) {
      const raw = JSON.stringify(ev)
      if (prefilter.mayMatter(raw)) continue
      skipped++
      const r = normalizeJetstreamEvent(JSON.parse(raw) as Record<string, unknown>)
      expect(r.type, raw).toBe('post')
      if (r.type === 'post') expect(matchPost(r.post, canonicalLinks(r.post), topics), raw).toEqual([])
    }
    // And it does its job: most chatter is never parsed.
    expect(skipped).toBeGreaterThan(events.length * 0.6)
  })

  it.each([
    ['terms split by a newline', 'the state AI fund\nis huge, China'],
    ['a term after an escaped quote', 'he said "DeepSeek" again'],
    ['Chinese terms', '英伟达H20又来了，出口管制有用吗'],
    ['full-width Latin', 'ＤｅｅｐＳｅｅｋ すごい'],
    ['accented French', 'les modèles ouverts chinois'],
    ['an ampersand-escaped text', 'R&D <3 DeepSeek'],
  ])('keeps %s', (_name, text) => {
    expect(prefilter.mayMatter(frame(text))).toBe(true)
  })

  it('keeps a post linking the article in any variant, through facets or an embed', () => {
    const facet = {
      facets: [
        {
          index: { byteStart: 0, byteEnd: 5 },
          features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://mobile.nytimes.com/2025/07/16/technology/china-ai.amp.html?smid=x' }],
        },
      ],
    }
    expect(prefilter.mayMatter(frame('look', facet))).toBe(true)
    const embed = {
      embed: {
        $type: 'app.bsky.embed.external',
        external: { uri: 'https://www.nytimes.com/2025/07/16/technology/china-ai.html', title: 't', description: 'd' },
      },
    }
    expect(prefilter.mayMatter(frame('look', embed))).toBe(true)
  })

  it('keeps a hashtag given only as a facet', () => {
    expect(
      prefilter.mayMatter(
        frame('wow', { facets: [{ index: { byteStart: 0, byteEnd: 3 }, features: [{ $type: 'app.bsky.richtext.facet#tag', tag: 'DeepSeek' }] }] }),
      ),
    ).toBe(true)
  })

  it('sends replies, quotes, edits, deletes and heavily escaped text through the full path', () => {
    expect(prefilter.mayMatter(frame('This. Exactly.', { reply: { root: { uri: 'at://x', cid: 'c' }, parent: { uri: 'at://x', cid: 'c' } } }))).toBe(true)
    expect(prefilter.mayMatter(frame('lol', { embed: { $type: 'app.bsky.embed.record', record: { uri: 'at://x', cid: 'c' } } }))).toBe(true)
    expect(prefilter.mayMatter(frame('lunch was great', {}, 'update'))).toBe(true)
    expect(
      prefilter.mayMatter('{"did":"did:plc:a","time_us":1,"kind":"commit","commit":{"operation":"delete","collection":"app.bsky.feed.post","rkey":"x"}}'),
    ).toBe(true)
    expect(prefilter.mayMatter(frame('\u4e2d').replace('中', '\\u4e2d'))).toBe(true)
  })

  it('turns away ordinary chatter, and reads its time without parsing', () => {
    const raw = frame('Lunch was great today, the ramen place on 5th is back')
    expect(prefilter.mayMatter(raw)).toBe(false)
    expect(frameTimeUs(raw)).toBe(1752667200123456)
  })
})
