import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { addTopicToText, removeTopicFromText } from '../../src/config/edit-topics.js'
import { CONFIG } from '../helpers.js'

const shipped = readFileSync(CONFIG, 'utf8')
const comments = (text: string) => text.split('\n').filter((l) => /^\s*#/.test(l) || /\s#\s/.test(l))

const topic = {
  id: 'chip-exports',
  name: 'Chip exports',
  articles: ['https://www.example.com/2025/07/16/chips.html'],
  keywords: [{ id: 'chips-en', lang: 'en', any: ['H20', 'export controls'], with: ['China', 'Nvidia'] }],
  stance: {
    labels: [
      { id: 'support', name: 'Support', definition: 'Agrees.' },
      { id: 'oppose', name: 'Oppose', definition: 'Disagrees.' },
    ],
    seeds: 'seeds/chip-exports.jsonl',
  },
}

describe('editing the topics of a commented config file', () => {
  it('adding a topic keeps every comment and every line of the file as written', () => {
    const after = addTopicToText(shipped, topic, ' Proposed by `stancewatch topic add`: review it.')
    const oldComments = comments(shipped)
    const newComments = comments(after)
    // Every old comment line is still there, in order; the only new one is the proposal's.
    expect(newComments.filter((l) => !l.includes('Proposed by'))).toEqual(oldComments)
    expect(newComments.filter((l) => l.includes('Proposed by'))).toEqual(['  # Proposed by `stancewatch topic add`: review it.'])
    // Nothing else moved: the old text is the new text minus one inserted block.
    const oldLines = shipped.split('\n')
    const newLines = after.split('\n')
    const firstDiff = oldLines.findIndex((l, i) => l !== newLines[i])
    const added = newLines.length - oldLines.length
    expect(newLines.slice(0, firstDiff)).toEqual(oldLines.slice(0, firstDiff))
    expect(newLines.slice(firstDiff + added)).toEqual(oldLines.slice(firstDiff))
    const parsed = parse(after) as { topics: { id: string }[]; schedules: unknown }
    expect(parsed.topics.map((t) => t.id)).toEqual(['china-ai-fund', 'chip-exports'])
    expect(parsed.topics[1]).toEqual(topic)
    expect(parsed.schedules).toEqual((parse(shipped) as { schedules: unknown }).schedules)
  })

  it('removing the added topic gives back the file byte for byte', () => {
    const after = addTopicToText(shipped, topic, ' Proposed: review it.')
    expect(removeTopicFromText(after, 'chip-exports')).toBe(shipped)
  })

  it('removing a topic takes its own comments and keeps everyone else’s', () => {
    const two = addTopicToText(shipped, topic)
    const out = removeTopicFromText(two, 'china-ai-fund')
    expect((parse(out) as { topics: { id: string }[] }).topics.map((t) => t.id)).toEqual(['chip-exports'])
    expect(out).toContain('# Every time a person reads')
    expect(out).toContain('# Cron expressions')
    expect(out).not.toContain('# Keyword rules. A post matches a rule')
    expect(() => removeTopicFromText(shipped, 'nope')).toThrow(/no topic "nope"/)
  })

  // The last topic ends with commented-out keys: the yaml library ends that item's range at the next key,
  // so its range takes in the comment above `schedules:` too.
  const TAIL = '      # min_votes: 3\n      # max_age_days: 30\n'
  const tailed = (text: string) => text.replace('\n\n# Cron expressions', `\n${TAIL}\n# Cron expressions`)
  const cronComment = '\n\n# Cron expressions (minute hour day month weekday), run in `timezone`.\nschedules:\n'

  it('removing the last topic, ending with commented-out lines, keeps the next section’s comment', () => {
    const two = tailed(addTopicToText(shipped, topic, ' Proposed.'))
    expect(two).toContain(`${TAIL}${cronComment.slice(1)}`)
    const out = removeTopicFromText(two, 'chip-exports')
    expect(out).toContain(cronComment)
    expect(out).not.toContain('# min_votes')
    expect(out).toBe(shipped)
  })

  it('a topic’s commented-out tail is its own: removing its neighbour keeps it, removing it takes it', () => {
    const one = tailed(shipped)
    const two = addTopicToText(one, topic)
    // The new topic goes after the tail, before the next section's comment.
    expect(two).toContain(`${TAIL}  - id: chip-exports`)
    expect(two).toContain(cronComment)
    expect(removeTopicFromText(two, 'chip-exports')).toBe(one)
    const out = removeTopicFromText(two, 'china-ai-fund')
    expect(out).not.toContain('# min_votes')
    expect(out).toContain(cronComment)
    expect(comments(out)).toEqual(comments(removeTopicFromText(addTopicToText(shipped, topic), 'china-ai-fund')))
  })
})
