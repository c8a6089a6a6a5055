import { stripVTControlCharacters } from 'node:util'

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' })

/** Terminal width of a string: CJK and emoji take two columns. */
export function displayWidth(s: string): number {
  let w = 0
  for (const { segment } of graphemes.segment(stripVTControlCharacters(s))) {
    const cp = segment.codePointAt(0)!
    w +=
      /\p{Extended_Pictographic}/u.test(segment) ||
      (cp >= 0x1100 && /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u.test(segment))
        ? 2
        : 1
  }
  return w
}

/** What a count cell says for a time nobody was collecting: unknown, not zero. */
export const NOT_COLLECTED = 'not collected'

/** A plain, aligned text table: right-aligned numbers (a column may also say NOT_COLLECTED), left-aligned words. */
export function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))))
  const numeric = header.map((_, i) => rows.every((r) => r[i] === NOT_COLLECTED || /^[\d.,%–() -]*$/.test(r[i] ?? '')))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i]! - displayWidth(c)))
        return numeric[i] ? pad + c : c + pad
      })
      .join('  ')
      .trimEnd()
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line)].join('\n')
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`
}
