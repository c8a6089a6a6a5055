import { describe, expect, it } from 'vitest'
import { discordLink, escapeDiscord, escapeSlack, headerSafe, slackLink } from '../../src/render/escape.js'
import { UNSAFE_CHARS } from '../unsafe-chars.js'

const ZWSP = '\u200B'
const RLO = '\u202E'
const FAMILY = '👨‍👩‍👧‍👦'

const HOSTILE = [
  '<!channel> <!here> <!everyone>',
  '<@U123> <@W456|name> <#C789> <!subteam^S1>',
  '<http://evil.example|click here> <javascript:alert(1)|x>',
  '@everyone @here @channel',
  '<@123456789012345678> <@&987654321> <#111> </deploy:1>',
  '[click](http://evil.example) [x](javascript:alert(1))',
  '<script>alert(1)</script> <img src=x onerror=alert(1)>',
  '*bold* _italic_ ~strike~ `code` ```block``` ||spoiler|| **b** __u__',
  '# heading\n> quote\n- item\n+ item\n1. item\n-# subtext',
  `abc${RLO}txt.exe \u2066iso\u2069 \u200Fmark`,
  'nul\u0000 bell\u0007 esc\u001b[31m del\u007f c1\u0085\u009b',
  '&amp; &lt; already-escaped &#60;',
]

/** Code points no escaped output may contain: controls except tab/newline, DEL, C1, bidi controls. */

describe('escapeSlack', () => {
  it('leaves no < or > of its own: mentions, channel pings and links become literal text', () => {
    for (const s of HOSTILE) {
      const out = escapeSlack(s)
      expect(out).not.toMatch(/[<>]/)
      expect(out).not.toMatch(UNSAFE_CHARS)
      // Every & starts one of the three entities Slack decodes.
      expect(out.replace(/&(amp|lt|gt);/g, '')).not.toContain('&')
    }
    expect(escapeSlack('<!channel> <@U123> <http://evil|click>')).toBe('&lt;!channel&gt; &lt;@U123&gt; &lt;http://evil|click&gt;')
  })

  it('fences *, _, ~ and ` with zero-width spaces so they cannot open or close formatting', () => {
    expect(escapeSlack('*bold* `code`')).toBe(`${ZWSP}*${ZWSP}bold${ZWSP}*${ZWSP} ${ZWSP}\`${ZWSP}code${ZWSP}\`${ZWSP}`)
    const out = escapeSlack(HOSTILE[7]!)
    for (let i = 0; i < out.length; i++) if ('*_~`'.includes(out[i]!)) expect([out[i - 1], out[i + 1]]).toEqual([ZWSP, ZWSP])
  })

  it('breaks bare @everyone / @here / @channel, and escapes already-escaped text again (no double decoding)', () => {
    expect(escapeSlack('@everyone @here @channel @someone')).toBe(`@${ZWSP}everyone @${ZWSP}here @${ZWSP}channel @someone`)
    expect(escapeSlack('&lt;!channel&gt;')).toBe('&amp;lt;!channel&amp;gt;')
  })

  it('keeps CJK, emoji and ZWJ sequences, and handles 10,000 characters', () => {
    expect(escapeSlack(`中国AI基金 ${FAMILY} 🇫🇷`)).toBe(`中国AI基金 ${FAMILY} 🇫🇷`)
    const long = '<'.repeat(10_000)
    expect(escapeSlack(long)).toBe('&lt;'.repeat(10_000))
  })
})

describe('slackLink', () => {
  it('builds <url|label> for http(s) only, label escaped, link syntax characters in the URL encoded', () => {
    expect(slackLink('https://example.org/d?a=1&b=2', 'Full <digest> | now')).toBe('<https://example.org/d?a=1&b=2|Full &lt;digest&gt; | now>')
    expect(slackLink('https://example.org/a|b>c', 'x')).toBe('<https://example.org/a%7Cb%3Ec|x>')
    expect(slackLink('javascript:alert(1)', '<!channel>')).toBe('&lt;!channel&gt;')
    expect(slackLink('data:text/html,<script>', 'x')).toBe('x')
    expect(slackLink('not a url', 'x')).toBe('x')
  })
})

/** Discord markup left after removing backslash escapes. */
function bareDiscord(s: string): string[] {
  const bare = s.replace(/\\[!-/:-@[-`{-~]/g, '')
  return bare.match(/[\\*_~`|<>#[\]]|@(everyone|here)|^\s*([-+]|\d+[.)])/gm) ?? []
}

describe('escapeDiscord', () => {
  it('escapes every markdown, masked-link and mention character, and list markers at line starts', () => {
    for (const s of HOSTILE) {
      const out = escapeDiscord(s)
      expect(bareDiscord(out)).toEqual([])
      expect(out).not.toMatch(UNSAFE_CHARS)
    }
    expect(escapeDiscord('[click](http://evil.example)')).toBe('\\[click\\](http://evil.example)')
    expect(escapeDiscord('<@123> <@&9> <#7>')).toBe('\\<@123\\> \\<@&9\\> \\<\\#7\\>')
    expect(escapeDiscord('- a\n1. b\n-# c')).toBe('\\- a\n1\\. b\n\\-\\# c')
  })

  it('puts a zero-width space after @ in @everyone and @here', () => {
    expect(escapeDiscord('@everyone @Here @someone')).toBe(`@${ZWSP}everyone @${ZWSP}Here @someone`)
  })

  it('keeps CJK, emoji and ZWJ sequences, and handles 10,000 characters', () => {
    expect(escapeDiscord(`中国AI基金 ${FAMILY}`)).toBe(`中国AI基金 ${FAMILY}`)
    expect(escapeDiscord('*'.repeat(10_000))).toHaveLength(20_000)
  })
})

describe('discordLink', () => {
  it('builds [label](<url>) for http(s) only, with the URL unable to close the syntax early', () => {
    expect(discordLink('https://example.org/a(b)c d', 'Full [digest]')).toBe('[Full \\[digest\\]](<https://example.org/a%28b%29c%20d>)')
    expect(discordLink('https://example.org/x>y', 'x')).toBe('[x](<https://example.org/x%3Ey>)')
    expect(discordLink('javascript:alert(1)', '@everyone')).toBe(`@${ZWSP}everyone`)
  })
})

describe('headerSafe', () => {
  it('puts CR/LF injection on one line: no header can be started', () => {
    expect(headerSafe('Alert\r\nBcc: victim@example.org\r\n\r\nbody')).toBe('Alert Bcc: victim@example.org body')
    expect(headerSafe('a\nb\rc\td\u2028e\u2029f\u0085g')).toBe('a b c d e f g')
    for (const s of HOSTILE) {
      const out = headerSafe(s)
      expect(out).not.toMatch(/[\r\n]/)
      expect(out).not.toMatch(UNSAFE_CHARS)
    }
  })

  it('removes bidi overrides and controls, keeps emoji whole, and shortens long text on grapheme boundaries', () => {
    expect(headerSafe(`abc${RLO}exe.txt\u0000`)).toBe('abcexe.txt')
    const out = headerSafe(FAMILY.repeat(10_000))
    expect(out.endsWith('…')).toBe(true)
    expect(out.slice(0, -1)).toBe(FAMILY.repeat(200))
    expect(headerSafe('x'.repeat(10_000), 50)).toBe(`${'x'.repeat(50)}…`)
  })
})
