import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { parseLabelled, readLabelledFile, unwrapTsvField } from '../../src/classify/labelled-files.js'
import { InputError } from '../../src/domain/errors.js'

const FIXTURES = fileURLToPath(new URL('../fixtures/datasets/', import.meta.url))
const fixture = (name: string) => path.join(FIXTURES, name)

const tmp = mkdtempSync(path.join(tmpdir(), 'stancewatch-datasets-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

/** The InputError thrown by `fn`; fails the test when `fn` does not throw one. */
function inputError(fn: () => unknown): InputError {
  try {
    fn()
  } catch (e) {
    expect(e).toBeInstanceOf(InputError)
    return e as InputError
  }
  throw new Error('expected an InputError')
}

const utf8 = (s: string) => Buffer.from(s, 'utf8')

describe('readLabelledFile: SemEval-style TSV', () => {
  const file = readLabelledFile(fixture('semeval.tsv'))

  it('reads the benchmark headers through their aliases and says so', () => {
    expect(file.format).toBe('tsv')
    expect(file.encoding).toBe('utf-8')
    expect(file.warnings).toEqual(['columns read by their benchmark names: "Tweet" → text, "Stance" → label'])
    expect(file.rows.map((r) => r.id)).toEqual(['101', '102', '103', '104', '105', '106'])
    expect(file.rows.map((r) => r.line)).toEqual([2, 3, 4, 5, 6, 7])
    expect(file.rows.map((r) => r.label)).toEqual(['AGAINST', 'AGAINST', 'FAVOR', 'FAVOR', 'NONE', 'NONE'])
    expect(file.rows[2]!.target).toBe('Climate Change is a Real Concern')
  })

  it('keeps quotes, hashtags and emoji exactly; trims only surrounding whitespace', () => {
    expect(file.rows[0]!.text).toBe('"There is no god" - he said. Yet I still pray. #faith #SemST')
    expect(file.rows[1]!.text).toBe(`@user She's "the most qualified" ever? 😂🙄 #SemST`)
    expect(file.rows[2]!.text).toBe('We need action now 🌍🔥 #climate #SemST')
    expect(file.rows[4]!.text).toBe('Just watching the news tonight.  #SemST')
  })

  it('unwraps a field a writer quoted (doubled inner quotes), but not a tweet that is a quotation', () => {
    expect(file.rows[3]!.text).toBe('"Equal pay" is not a slogan #SemST')
    expect(file.rows[5]!.text).toBe('"Just a quote"')
    expect(unwrapTsvField('"say ""hi"" now"')).toBe('say "hi" now')
    expect(unwrapTsvField('"one" and "two"')).toBe('"one" and "two"')
    expect(unwrapTsvField('"a "" b" c"')).toBe('"a "" b" c"')
  })
})

describe('CSV', () => {
  it('reads quoted commas, doubled quotes, line breaks and Chinese text (RFC 4180)', () => {
    const file = readLabelledFile(fixture('weibo.csv'))
    expect(file.format).toBe('csv')
    expect(file.warnings).toEqual([])
    expect(file.rows).toEqual([
      { text: '支持深圳交警，电动车太乱了, 早就该管管了！', label: 'FAVOR', target: '深圳禁摩限电', id: '1', line: 2 },
      { text: '放鞭炮是传统，"年味"就靠它\n第二行也是正文', label: 'AGAINST', target: '春节放鞭炮', id: '2', line: 3 },
      { text: 'Price: $399, nice, but "SE" again?', label: 'NONE', target: 'iPhone SE', id: '3', line: 5 },
    ])
  })

  it('takes the 微博 header and reports the alias', () => {
    const file = parseLabelled(utf8('微博,stance\n今天天气不错,NONE\n'), 'nlpcc.csv')
    expect(file.rows).toEqual([{ text: '今天天气不错', label: 'NONE', target: null, id: null, line: 2 }])
    expect(file.warnings).toEqual(['columns read by their benchmark names: "微博" → text, "stance" → label'])
  })

  it('counts lines past multi-line fields and blank lines', () => {
    const csv = 'text,label\n\n"first\nsecond\n\nfourth",FAVOR\n\nplain,NONE\n"a ""b""",AGAINST'
    const file = parseLabelled(utf8(csv), 'x.csv')
    expect(file.rows.map((r) => [r.line, r.text])).toEqual([
      [3, 'first\nsecond\n\nfourth'],
      [8, 'plain'],
      [9, 'a "b"'],
    ])
  })

  it('keeps a stray quote inside an unquoted field as a character', () => {
    const file = parseLabelled(utf8('text,label\nshe said "no" twice,AGAINST\n'), 'x.csv')
    expect(file.rows[0]!.text).toBe('she said "no" twice')
  })

  it('reports a quote that is never closed, with the line where its row starts', () => {
    const err = inputError(() => parseLabelled(utf8('text,label\nok,FAVOR\n"never closed,NONE\nmore,FAVOR\n'), 'open.csv'))
    expect(err.message).toMatch(/^open\.csv:3: a quoted field .* never closed/)
    expect(err.message).toContain('Fix:')
  })
})

describe('JSONL', () => {
  it('reads one object per line, with aliases, numbers and blank lines', () => {
    const file = readLabelledFile(fixture('data.jsonl'))
    expect(file.format).toBe('jsonl')
    expect(file.rows).toEqual([
      { text: 'Plain text', label: 'FAVOR', target: 'Atheism', id: 'a1', line: 1 },
      { text: 'spaced out', label: 'NONE', target: null, id: null, line: 3 },
      { text: 'numeric id', label: 'AGAINST', target: null, id: '7', line: 4 },
    ])
    expect(file.warnings).toEqual(['keys read by their benchmark names: "Tweet" → text, "Stance" → label'])
  })

  it('names the file and line of a line that is not JSON', () => {
    const err = inputError(() => parseLabelled(utf8('{"text":"a","label":"FAVOR"}\n{"text": "b", label: NONE}\n'), 'bad.jsonl'))
    expect(err.message).toMatch(/^bad\.jsonl:2: not valid JSON/)
    expect(err.message).toContain('Fix: write one JSON object per line')
  })

  it('rejects a JSON array with a way to convert it', () => {
    const err = inputError(() => parseLabelled(utf8('[{"text":"a","label":"FAVOR"}]'), 'arr.json'))
    expect(err.message).toContain('JSON Lines')
  })

  it('lists the keys found when no line has a label', () => {
    const err = inputError(() => parseLabelled(utf8('{"text":"a","polarity":"pos"}\n'), 'nolabel.jsonl'))
    expect(err.message).toContain('no line has a label key')
    expect(err.message).toContain('Keys found: "text", "polarity"')
    expect(err.message).toContain('label, stance, class')
  })
})

describe('encodings and line endings', () => {
  it('decodes Windows-1252: é, ü, €, and curly quotes 0x93/0x94', () => {
    const bytes = Buffer.concat([
      utf8('text\tlabel\tid\n'),
      Buffer.from([0x43, 0x61, 0x66, 0xe9, 0x20, 0x4d, 0xfc, 0x6c, 0x6c, 0x65, 0x72, 0x20, 0x80, 0x35, 0x20, 0x93, 0x6f, 0x6b, 0x94]), // Café Müller €5 “ok”
      utf8('\tFAVOR\t1\n'),
    ])
    const file = parseLabelled(bytes, 'cp1252.tsv')
    expect(file.encoding).toBe('windows-1252')
    expect(file.rows[0]!.text).toBe('Café Müller €5 \u201cok\u201d')
    expect(file.warnings.some((w) => w.includes('decoded as Windows-1252'))).toBe(true)
  })

  it('strips a UTF-8 byte-order mark before the header', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('text,label\nnaïve café ✓,FAVOR\n')])
    const file = parseLabelled(bytes, 'bom.csv')
    expect(file.encoding).toBe('utf-8-bom')
    expect(file.rows).toEqual([{ text: 'naïve café ✓', label: 'FAVOR', target: null, id: null, line: 2 }])
    expect(file.warnings).toEqual([])
  })

  it('decodes UTF-16 LE and BE with a byte-order mark (spreadsheet "Unicode text" exports)', () => {
    const content = 'text\tlabel\r\n支持 🎉 “yes”\tFAVOR\r\nnon, merci\tAGAINST\r\n'
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(content, 'utf16le')])
    const fileLe = parseLabelled(le, 'export.txt')
    expect(fileLe.encoding).toBe('utf-16le')
    expect(fileLe.format).toBe('tsv')
    expect(fileLe.rows.map((r) => [r.line, r.text, r.label])).toEqual([
      [2, '支持 🎉 “yes”', 'FAVOR'],
      [3, 'non, merci', 'AGAINST'],
    ])
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(content, 'utf16le').swap16()])
    const fileBe = parseLabelled(be, 'export.txt')
    expect(fileBe.encoding).toBe('utf-16be')
    expect(fileBe.rows).toEqual(fileLe.rows)
  })

  it('normalises CRLF and lone CR line endings, in every format', () => {
    const tsv = parseLabelled(utf8('text\tlabel\r\none\tFAVOR\r\ntwo\tNONE\r\n'), 'crlf.tsv')
    expect(tsv.rows.map((r) => [r.line, r.text, r.label])).toEqual([
      [2, 'one', 'FAVOR'],
      [3, 'two', 'NONE'],
    ])
    const csv = parseLabelled(utf8('text,label\r\n"multi\r\nline",FAVOR\r\nlast,NONE\r\n'), 'crlf.csv')
    expect(csv.rows.map((r) => [r.line, r.text, r.label])).toEqual([
      [2, 'multi\nline', 'FAVOR'],
      [4, 'last', 'NONE'],
    ])
    const cr = parseLabelled(utf8('text,label\rold mac,FAVOR\r'), 'cr.csv')
    expect(cr.rows.map((r) => [r.line, r.text, r.label])).toEqual([[2, 'old mac', 'FAVOR']])
    const jsonl = parseLabelled(utf8('{"text":"a","label":"FAVOR"}\r\n{"text":"b","label":"NONE"}\r\n'), 'crlf.jsonl')
    expect(jsonl.rows.map((r) => r.label)).toEqual(['FAVOR', 'NONE'])
  })

  it('reads UTF-8 with a few broken bytes as UTF-8, not as mojibake, and says where', () => {
    const bytes = Buffer.concat([utf8('text\tlabel\n中文没问题\tFAVOR\n坏'), Buffer.from([0xff]), utf8('字节\tNONE\n')])
    const file = parseLabelled(bytes, 'broken.tsv')
    expect(file.encoding).toBe('utf-8')
    expect(file.rows.map((r) => r.text)).toEqual(['中文没问题', '坏\uFFFD字节'])
    expect(file.warnings).toEqual(['1 byte that is not valid UTF-8 replaced with "\uFFFD" (line 3); the rest of the file is UTF-8'])
  })

  it('refuses GBK Chinese instead of reading it as Windows-1252 mojibake', () => {
    const gbk = Buffer.from('d6d0cec4'.repeat(10), 'hex') // 中文 ×10 in GBK
    const err = inputError(() => parseLabelled(Buffer.concat([utf8('text\tlabel\n'), gbk, utf8('\tFAVOR\n')]), 'weibo-gbk.tsv'))
    expect(err.message).toContain('GB18030')
    expect(err.message).toContain('Fix:')
  })

  it('refuses UTF-16 without a byte-order mark', () => {
    const err = inputError(() => parseLabelled(Buffer.from('text\tlabel\nhi\tFAVOR\n', 'utf16le'), 'nobom.tsv'))
    expect(err.message).toContain('UTF-16')
  })
})

describe('format detection', () => {
  it('goes by extension, and sniffs the content otherwise', () => {
    expect(parseLabelled(utf8('text\tlabel\na\tFAVOR\n'), 'x.tab').format).toBe('tsv')
    expect(parseLabelled(utf8('{"text":"a","label":"FAVOR"}\n'), 'x.ndjson').format).toBe('jsonl')
    expect(parseLabelled(utf8('\n{"text":"a","label":"FAVOR"}\n'), 'x.dat').format).toBe('jsonl')
    expect(parseLabelled(utf8('text\tlabel\na, b\tFAVOR\n'), 'x.dat').format).toBe('tsv')
    expect(parseLabelled(utf8('text,label\na,FAVOR\n'), 'noextension').format).toBe('csv')
  })
})

describe('errors a person can act on', () => {
  it('a missing text or label column lists the columns found and the accepted names', () => {
    const err = inputError(() => parseLabelled(utf8('ID\tTarget\tBody\tOpinion\n1\tAtheism\thello\tFAVOR\n'), 'semeval.tsv'))
    expect(err.message).toContain('semeval.tsv:1: no text and no label column in the header row')
    expect(err.message).toContain('Columns found: "ID", "Target", "Body", "Opinion"')
    expect(err.message).toContain('for the text: text, tweet, content, post, sentence, 微博')
    expect(err.message).toContain('for the label: label, stance, class')
    expect(err.message).toContain('Fix:')
  })

  it('hints at the separator when a .csv file is tab-separated', () => {
    const err = inputError(() => parseLabelled(utf8('text\tlabel\nhi\tFAVOR\n'), 'wrong.csv'))
    expect(err.message).toContain('no text and no label column')
    expect(err.message).toContain('name it .tsv')
  })

  it('a TSV row with the wrong number of fields names the line and what was found', () => {
    const tsv = 'ID\tTarget\tTweet\tStance\n1\tAtheism\tfine\tNONE\n\n2\tAtheism\ta tab\there\tFAVOR\n'
    const err = inputError(() => parseLabelled(utf8(tsv), 'data.tsv'))
    expect(err.message).toMatch(/^data\.tsv:4: found 5 fields where the header \(line 1\) has 4 \(ID, Target, Tweet, Stance\)/)
    expect(err.message).toContain('"2\\tAtheism\\ta tab\\there\\tFAVOR"')
    expect(err.message).toContain('Fix: look for a tab inside the text')
  })

  it('a CSV row with the wrong number of fields names the line where the row starts', () => {
    const csv = 'text,label,target\n"two\nlines",FAVOR,x\nan unquoted, comma,NONE,y\n'
    const err = inputError(() => parseLabelled(utf8(csv), 'data.csv'))
    expect(err.message).toMatch(/^data\.csv:4: found 4 fields where the header \(line 1\) has 3/)
    expect(err.message).toContain('put double quotes around every field that contains a comma')
  })

  it('an empty file, a header alone, or a missing file', () => {
    expect(inputError(() => parseLabelled(Buffer.alloc(0), 'e.tsv')).message).toContain('e.tsv: the file is empty')
    expect(inputError(() => parseLabelled(utf8('text\tlabel\n\n'), 'h.tsv')).message).toContain('nothing below the header')
    expect(inputError(() => readLabelledFile(path.join(tmp, 'nope.tsv'))).message).toContain('it does not exist')
  })
})

describe('rows and labels', () => {
  it('skips rows without text or label and says which lines, never silently', () => {
    const tsv = ['text\tlabel\ttarget', 'kept\tFAVOR\tA', 'no label\t\tA', '\tNONE\tA', 'also no label\t  \tB', '\t\t', '   ', 'kept too\tAGAINST\t'].join('\n')
    const file = parseLabelled(utf8(tsv), 'gaps.tsv')
    expect(file.rows.map((r) => [r.line, r.text, r.target])).toEqual([
      [2, 'kept', 'A'],
      [8, 'kept too', null],
    ])
    expect(file.warnings).toEqual([
      '1 row with neither text nor label skipped (line 6)',
      '1 row without text skipped (line 4)',
      '2 rows without a label skipped (lines 3, 5)',
    ])
  })

  it('fails when no row is left, with the reasons', () => {
    const err = inputError(() => parseLabelled(utf8('text,label\na,\nb,\n'), 'unlabelled.csv'))
    expect(err.message).toContain('no labelled rows: 2 rows without a label skipped (lines 2, 3)')
  })

  it('unifies a label written in mixed case to its most frequent spelling', () => {
    const csv = 'text,label\na,FAVOR\nb,favor\nc, FAVOR \nd,None\ne,AGAINST\n'
    const file = parseLabelled(utf8(csv), 'mixed.csv')
    expect(file.rows.map((r) => r.label)).toEqual(['FAVOR', 'FAVOR', 'FAVOR', 'None', 'AGAINST'])
    expect(file.warnings).toEqual(['label written in mixed case: "FAVOR" ×2, "favor" ×1; all read as "FAVOR"'])
  })

  it('prefers the canonical column when several could hold the text, and says so', () => {
    const file = parseLabelled(utf8('tweet,text,label\nthe tweet,the text,FAVOR\n'), 'two.csv')
    expect(file.rows[0]!.text).toBe('the text')
    expect(file.warnings).toEqual(['several columns could hold the text: used "text" (column 2), ignored "tweet" (column 1)'])
  })

  it('reads a file written to disk in Windows-1252 through readLabelledFile', () => {
    const file = path.join(tmp, 'legacy.csv')
    writeFileSync(file, Buffer.concat([utf8('Text,Label\n'), Buffer.from('Na\xefve \x93quote\x94 \x80 dans le caf\xe9', 'latin1'), utf8(',FAVOR\n')]))
    const read = readLabelledFile(file)
    expect(read.encoding).toBe('windows-1252')
    expect(read.rows[0]!.text).toBe('Naïve “quote” € dans le café')
  })
})
