import { describe, expect, it } from 'vitest'
import { parsePostLabels } from '../../src/classify/post-label-files.js'
import { InputError } from '../../src/domain/errors.js'

const rows = (text: string | Buffer, name: string) => parsePostLabels(Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), name)

describe('label files for stored posts', () => {
  it('reads CSV from a spreadsheet: BOM, CRLF, quoted fields with commas, quotes and line breaks, any column order and case', () => {
    const f = rows('\uFEFFNote,Label,POST\r\n"a, ""quoted"" note\r\nover two lines",concern,#12\r\n,praise,https://x.com/a/status/123\r\n\r\n', 'x.csv')
    expect(f.format).toBe('csv')
    expect(f.encoding).toBe('utf-8-bom')
    expect(f.rows).toEqual([
      { line: 2, ref: '#12', label: 'concern', topic: null, by: null },
      { line: 4, ref: 'https://x.com/a/status/123', label: 'praise', topic: null, by: null },
    ])
    expect(f.malformed).toEqual([])
  })

  it('reads TSV (quotes around a reference are not part of it) and UTF-16 with its BOM', () => {
    const text = 'id\tstance\ttopic\tby\n"#5"\tneutral\tchina-ai-fund\tann\nat://did:plc:x/app.bsky.feed.post/3k\tclear\t\t\n'
    const f = rows(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'x.tsv')
    expect(f.encoding).toBe('utf-16le')
    expect(f.rows).toEqual([
      { line: 2, ref: '#5', label: 'neutral', topic: 'china-ai-fund', by: 'ann' },
      { line: 3, ref: 'at://did:plc:x/app.bsky.feed.post/3k', label: 'clear', topic: null, by: null },
    ])
  })

  it('sniffs the format when the name says nothing (standard input)', () => {
    expect(rows('{"post": "#1", "label": "praise"}\n', 'stdin').format).toBe('jsonl')
    expect(rows('post\tlabel\n#1\tpraise\n', 'stdin').format).toBe('tsv')
    expect(rows('post,label\n#1,praise\n', 'stdin').format).toBe('csv')
  })

  it('returns each bad row with its line and why, and keeps the good ones', () => {
    const f = rows(
      [
        '{"post": "#1", "label": "praise"}',
        '{"post": "#2", "label": "praise"', // cut short
        '["#3", "praise"]',
        '{"post": 1946000000000000001, "label": "concern"}', // a tweet id as a JSON number has lost digits
        '{"url": "#4", "stance": null}',
        '{"post": "#5"}',
        '{"label": "praise"}',
        '{"post": "#6", "label": {"x": 1}}',
      ].join('\n'),
      'x.jsonl',
    )
    expect(f.rows).toEqual([
      { line: 1, ref: '#1', label: 'praise', topic: null, by: null },
      { line: 5, ref: '#4', label: null, topic: null, by: null },
    ])
    expect(f.malformed.map((m) => m.line)).toEqual([2, 3, 4, 6, 7, 8])
    expect(f.malformed[0]!.message).toContain('not valid JSON')
    expect(f.malformed[2]!.message).toContain('too big to be exact')
    expect(f.malformed[3]!.message).toContain('no label')
    expect(f.malformed[4]!.message).toContain('no post reference')
    const csv = rows('post,label\n#1,praise,extra\n#2,concern\n', 'x.csv')
    expect(csv.malformed).toEqual([{ line: 2, message: 'malformed line: 3 fields where the header has 2: "#1,praise,extra"' }])
    expect(csv.rows).toHaveLength(1)
  })

  it('refuses what cannot be read as a table, naming the accepted columns', () => {
    expect(() => rows('text,label\nhi,praise\n', 'x.csv')).toThrow(InputError)
    expect(() => rows('text,label\nhi,praise\n', 'x.csv')).toThrow(/x\.csv:1: no post column .* post, ref, url, id/)
    expect(() => rows('[{"post": "#1"}]', 'x.jsonl')).toThrow(/JSON array/)
    expect(() => rows('  \n', 'x.csv')).toThrow(/empty/)
  })
})
