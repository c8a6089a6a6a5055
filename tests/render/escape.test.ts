import { describe, expect, it } from 'vitest'
import { displaySafe, escapeHtml, escapeMarkdown, safeHref, truncateGraphemes } from '../../src/render/escape.js'
import { UNSAFE_CHARS } from '../unsafe-chars.js'

const NUL = '\u0000'
const RLO = '\u202E'

const HOSTILE = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"><svg onload=alert(1)>',
  "' onmouseover='alert(1)",
  '[click me](javascript:alert(1))',
  '![x](https://evil.example/track.png)',
  '<javascript:alert(1)>',
  '<https://evil.example>',
  '**bold** and __also__ and _it_ and *it*',
  '`code` and ```fence```',
  '@everyone @here',
  '<!channel> <!here> <@U123>',
  `abc${RLO}txt.exe`,
  '\u2066isolate\u2069 \u202Aembed\u202C \u200Fmark\u200E \u061C',
  `nul${NUL}byte`,
  'bell\u0007 esc\u001b[31m del\u007f c1\u0085\u009b',
  '# not a heading',
  '> not a quote',
  '- not a list',
  '1. not a list',
  '| not | a table |',
  '~~not struck~~',
  '&lt;already escaped&gt; &amp; &#60;',
  'line one\nline two\r\nline three',
  '[ref]: https://evil.example',
]

/** Code points no output may contain: C0 controls except tab and newline, DEL, C1, bidi controls. */

/** CommonMark backslash-escapes undone: what a renderer would show as literal text. */
function unescapeMd(s: string): string {
  return s.replace(/\\([!-/:-@[-`{-~])/g, '$1')
}

/**
 * Characters that could open inline Markdown syntax outside a backslash escape, plus a first character
 * that would open a block. `(`, `!`, `:` and `@` are harmless once `[`, `<` and `&` are escaped.
 */
function unescapedMarkdownSyntax(s: string): string[] {
  const bare = s.replace(/\\[!-/:-@[-`{-~]/g, '')
  const inline = bare.match(/[\\`*_[\]<>|~&]/g) ?? []
  const block = /^\s*([#+\-=>]|\d+[.)])/.exec(bare)
  return block ? [...inline, block[1]!] : inline
}

describe('displaySafe', () => {
  it('removes bidi overrides, isolates, marks, NUL and other controls, keeps newline and tab', () => {
    expect(displaySafe(`a${RLO}b\u200Fc${NUL}d\ne\tf\u2066g\u2069\u0085`)).toBe('abcd\ne\tfg')
  })

  it('leaves ordinary text, emoji, ZWJ sequences and CJK alone', () => {
    const s = '中国AIファンド 👨‍👩‍👧‍👦 🇫🇷 café 𠀀'
    expect(displaySafe(s)).toBe(s)
  })
})

describe('escapeHtml', () => {
  it.each(HOSTILE)('neutralises %j', (s) => {
    const out = escapeHtml(s)
    expect(out).not.toMatch(/[<>"'`]/)
    expect(out).not.toMatch(UNSAFE_CHARS)
    // Every & left is the start of an entity the escaper wrote.
    expect(out.replace(/&#\d+;/g, '')).not.toContain('&')
  })

  it('encodes exactly the markup characters as numeric entities', () => {
    expect(escapeHtml('<script>alert("x") & \'y\' `z`</script>')).toBe('&#60;script&#62;alert(&#34;x&#34;) &#38; &#39;y&#39; &#96;z&#96;&#60;/script&#62;')
    expect(escapeHtml('<img src=x onerror=alert(1)>')).toBe('&#60;img src=x onerror=alert(1)&#62;')
  })

  it('escapes an already-escaped entity again, so it shows as typed', () => {
    expect(escapeHtml('&lt;b&gt;')).toBe('&#38;lt;b&#38;gt;')
  })

  it('drops the RTL override and NUL instead of passing them through', () => {
    expect(escapeHtml(`invoice${RLO}fdp.exe`)).toBe('invoicefdp.exe')
    expect(escapeHtml(`a${NUL}b`)).toBe('ab')
  })

  it('keeps CJK, emoji and newlines', () => {
    expect(escapeHtml('国家AI基金 👍🏽\n次の行')).toBe('国家AI基金 👍🏽\n次の行')
  })
})

describe('escapeMarkdown', () => {
  it.each(HOSTILE)('neutralises %j', (s) => {
    const out = escapeMarkdown(s)
    expect(unescapedMarkdownSyntax(out)).toEqual([])
    expect(out).not.toMatch(UNSAFE_CHARS)
    expect(out).not.toContain('\n')
    // Nothing is lost: a renderer shows the text as typed (on one line, without unsafe characters).
    expect(unescapeMd(out)).toBe(displaySafe(s).replace(/\s*\n\s*/g, ' '))
  })

  it('a javascript: link stays literal text', () => {
    expect(escapeMarkdown('[click](javascript:alert(1))')).toBe('\\[click\\](javascript:alert(1))')
  })

  it('bold, code and raw HTML stay literal', () => {
    expect(escapeMarkdown('**bold**')).toBe('\\*\\*bold\\*\\*')
    expect(escapeMarkdown('`x`')).toBe('\\`x\\`')
    expect(escapeMarkdown('<b>hi</b>')).toBe('\\<b\\>hi\\</b\\>')
  })

  it('leaves chat mentions to the chat escapers, but still escapes their angle brackets', () => {
    expect(escapeMarkdown('@everyone')).toBe('@everyone')
    expect(escapeMarkdown('<!channel>')).toBe('\\<!channel\\>')
  })

  it('escapes a first character that would open a block, and only that one', () => {
    expect(escapeMarkdown('# not a heading #2')).toBe('\\# not a heading #2')
    expect(escapeMarkdown('1. not a list, 2. either')).toBe('1\\. not a list, 2. either')
    expect(escapeMarkdown("China's A.I. fund: 8.5bn")).toBe("China's A.I. fund: 8.5bn")
  })

  it('a quote stays one line: newlines become single spaces', () => {
    expect(escapeMarkdown('one\n\n  two\r\nthree')).toBe('one two three')
  })

  it('a backslash in the text is itself escaped', () => {
    expect(escapeMarkdown('a\\*b')).toBe('a\\\\\\*b')
    expect(unescapeMd(escapeMarkdown('a\\*b'))).toBe('a\\*b')
  })

  it('keeps CJK and emoji untouched', () => {
    expect(escapeMarkdown('国家AI基金，太棒了！👨‍👩‍👧')).toBe('国家AI基金，太棒了！👨‍👩‍👧')
  })
})

describe('truncateGraphemes', () => {
  const seg = new Intl.Segmenter(undefined, { granularity: 'grapheme' })
  const graphemes = (s: string) => [...seg.segment(s)].map((x) => x.segment)
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

  it('leaves text within the limit unchanged', () => {
    expect(truncateGraphemes('hello', 5)).toBe('hello')
    expect(truncateGraphemes('👨‍👩‍👧‍👦', 1)).toBe('👨‍👩‍👧‍👦')
    expect(truncateGraphemes('', 3)).toBe('')
  })

  it('cuts Latin text with an ellipsis, without trailing spaces', () => {
    expect(truncateGraphemes('hello world', 5)).toBe('hello…')
    expect(truncateGraphemes('hello world', 6)).toBe('hello…')
  })

  it('never splits a ZWJ family, a skin tone, a flag, a non-BMP character or a combining mark', () => {
    expect(truncateGraphemes('ab👨‍👩‍👧‍👦cd', 3)).toBe('ab👨‍👩‍👧‍👦…')
    expect(truncateGraphemes('👍🏽👍🏽👍🏽', 1)).toBe('👍🏽…')
    expect(truncateGraphemes('🇫🇷🇨🇳🇯🇵', 2)).toBe('🇫🇷🇨🇳…')
    expect(truncateGraphemes('𠀀𠀁𠀂', 2)).toBe('𠀀𠀁…')
    const nfd = 'e\u0301e\u0301e\u0301'
    expect(truncateGraphemes(nfd, 2)).toBe('e\u0301e\u0301…')
  })

  it('for every limit, keeps whole graphemes only, at most `max` of them', () => {
    const text = 'A🇯🇵b👨‍👩‍👧‍👦 𠀀é\u0301中文👍🏽 x🏳️‍🌈y'
    const all = graphemes(text)
    for (let max = 0; max <= all.length + 1; max++) {
      const out = truncateGraphemes(text, max)
      expect(out).not.toMatch(LONE_SURROGATE)
      if (max >= all.length) {
        expect(out).toBe(text)
        continue
      }
      expect(out.endsWith('…')).toBe(true)
      const kept = graphemes(out.slice(0, -1))
      expect(kept.length).toBeLessThanOrEqual(max)
      expect(kept).toEqual(all.slice(0, kept.length))
    }
  })
})

describe('safeHref', () => {
  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(1)',
    '  javascript:alert(1)',
    'java\tscript:alert(1)',
    'java\nscript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'DATA:text/html;base64,PHNjcmlwdD4=',
    'vbscript:msgbox(1)',
    'file:///etc/passwd',
    '//evil.example/path',
    '/relative',
    'not a url',
    '',
  ])('rejects %j', (u) => {
    expect(safeHref(u)).toBeNull()
  })

  it('accepts http(s) URLs, normalised', () => {
    expect(safeHref('https://www.nytimes.com/2025/07/16/technology/china-ai.html')).toBe('https://www.nytimes.com/2025/07/16/technology/china-ai.html')
    expect(safeHref('HTTP://Example.COM')).toBe('http://example.com/')
  })

  it('an accepted URL cannot break out of an attribute or a <…> Markdown link', () => {
    const out = safeHref('https://ok.example/a"><script>alert(1)</script> b`c')!
    expect(out).not.toMatch(/["<>\s`]/)
    expect(out.startsWith('https://ok.example/')).toBe(true)
  })
})
