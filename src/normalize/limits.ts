/**
 * X Premium posts reach 25,000 characters; anything longer is hostile or broken. Longer text is cut on a
 * grapheme boundary (an emoji or a CJK extension character is never split) and the raw payload keeps the rest.
 */
export const MAX_TEXT_CHARS = 25_000

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

export function capText(text: string): string {
  if (text.length <= MAX_TEXT_CHARS) return text
  // The grapheme that straddles the limit is dropped whole; containing() finds it without walking the text.
  const straddling = graphemes.segment(text).containing(MAX_TEXT_CHARS)
  return text.slice(0, straddling ? straddling.index : MAX_TEXT_CHARS)
}
