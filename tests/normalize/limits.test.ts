import { describe, expect, it } from 'vitest'
import { capText, MAX_TEXT_CHARS } from '../../src/normalize/limits.js'
import { hasLoneSurrogate } from './fixtures.js'

describe('capText', () => {
  it('leaves text at or under the limit untouched', () => {
    const t = '𠮷'.repeat(MAX_TEXT_CHARS / 2)
    expect(capText(t)).toBe(t)
  })

  it.each([
    ['ASCII', 'a'.repeat(100_000), MAX_TEXT_CHARS],
    ['emoji after one ASCII char', 'x' + '😀'.repeat(50_000), MAX_TEXT_CHARS - 1],
    ['non-BMP CJK (𠮷, 2 UTF-16 units)', '𠮷'.repeat(50_000), MAX_TEXT_CHARS],
    ['flags (pairs of regional indicators)', '🇨🇳🇫🇷'.repeat(15_000), MAX_TEXT_CHARS],
  ])('cuts %s on a grapheme boundary', (_name, text, expectedLength) => {
    const capped = capText(text)
    expect(capped.length).toBe(expectedLength)
    expect(text.startsWith(capped)).toBe(true)
    expect(hasLoneSurrogate(capped)).toBe(false)
  })

  it('does not take seconds on a hostile 100,000-character post', () => {
    // Each grapheme step over the whole input costs time proportional to the input's length,
    // so scanning 25,000 graphemes of a long string blocks the event loop for seconds.
    const t0 = performance.now()
    capText('中'.repeat(100_000))
    expect(performance.now() - t0).toBeLessThan(500)
  })
})
