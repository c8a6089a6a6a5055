import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { discordPayload, type DiscordPayload } from '../../src/notify/channels/discord.js'
import { slackPayload, type SlackPayload } from '../../src/notify/channels/slack.js'
import { deliver } from '../../src/notify/deliver.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { FAST_RETRY, HOSTILE, hostilePost, notifyHarness, sampleMessage, type NotifyHarness } from './helpers.js'
import { UNSAFE_CHARS } from '../unsafe-chars.js'

const ZWSP = '\u200B'

/** Every `<…>` in Slack mrkdwn must be a link we built: `<http(s)://…|label>`. */
function slackAngles(text: string): string[] {
  return text.match(/<[^>]*>/g) ?? []
}

/** Slack formatting markers not fenced by zero-width spaces (a marker with them cannot open or close formatting). */
function bareSlackMarkers(text: string): string[] {
  const out: string[] = []
  for (let i = 0; i < text.length; i++) {
    if ('*_~`'.includes(text[i]!) && (text[i - 1] !== ZWSP || text[i + 1] !== ZWSP)) out.push(text.slice(Math.max(0, i - 10), i + 10))
  }
  return out
}

/** Discord markup characters left unescaped (backslash escapes removed first). */
function bareDiscordMarkup(text: string): string[] {
  const bare = text.replace(/\\[!-/:-@[-`{-~]/g, '')
  return bare.match(/[\\*_~`|<>#[\]]|@(everyone|here)/g) ?? []
}

describe('Slack payload', () => {
  it('has a fallback text, a header, the summary, each post as a quote, and the link', () => {
    const p: SlackPayload = slackPayload(sampleMessage())
    expect(p.text).toBe('Volume spike on X: 3.4× the usual for china-ai-fund &lt;!channel&gt;')
    expect(p.unfurl_links).toBe(false)
    expect(p.blocks.map((b) => [b.type, b.text?.type])).toEqual([
      ['header', 'plain_text'],
      ['section', 'mrkdwn'],
      ['section', 'mrkdwn'],
      ['section', 'mrkdwn'],
    ])
    expect(p.blocks[1]!.text!.text).toBe(`79 posts in 3 hours vs 9.0 expected\nStance: concern 41% · praise 33% @${ZWSP}here`)
    expect(p.blocks[3]!.text!.text).toBe('<https://example.org/d/2025-07-16|Details>')
    expect(slackPayload(sampleMessage({ kind: 'digest' })).blocks.at(-1)!.text!.text).toBe('<https://example.org/d/2025-07-16|Read the full digest>')
  })

  it('neutralises mentions, links and formatting in post text and author names', () => {
    const quote = slackPayload(sampleMessage()).blocks[2]!.text!.text
    expect(quote.startsWith('>')).toBe(true)
    const [text, meta] = quote.split('\n')
    // The only angle-bracket sequence is the link we built to the post.
    expect(slackAngles(quote)).toEqual([
      `<https://bsky.app/profile/someone.bsky.social/post/3lmnopq|@${ZWSP}everyone &lt;@U1&gt; ${ZWSP}*${ZWSP}admin${ZWSP}*${ZWSP}>`,
    ])
    expect(text).toContain('&lt;!channel&gt; &lt;!here&gt; &lt;@U123&gt;')
    expect(text).toContain('&lt;http://evil.example|click&gt;')
    expect(text).toContain('&lt;script&gt;')
    expect(text).toContain(`@${ZWSP}everyone @${ZWSP}here`)
    expect(text).not.toMatch(UNSAFE_CHARS)
    expect(bareSlackMarkers(text!)).toEqual([])
    expect(meta).toBe(
      `— <https://bsky.app/profile/someone.bsky.social/post/3lmnopq|@${ZWSP}everyone &lt;@U1&gt; ${ZWSP}*${ZWSP}admin${ZWSP}*${ZWSP}> · bluesky · concern · 12 likes · 3 reposts`,
    )
  })

  it('links only to http(s) URLs', () => {
    const p = slackPayload(sampleMessage({ link: 'javascript:alert(1)', posts: [hostilePost({ url: 'javascript:alert(document.cookie)' })] }))
    const all = p.blocks.map((b) => b.text?.text ?? '').join('\n')
    expect(all).not.toContain('javascript:alert(document')
    expect(all).not.toMatch(/<javascript:/)
    expect(p.blocks).toHaveLength(3) // no link block
  })

  it('respects the header (150) and section (3000) limits on grapheme boundaries', () => {
    const family = '👨‍👩‍👧‍👦'
    const p = slackPayload(
      sampleMessage({ title: family.repeat(400), summary: ['<&>'.repeat(4000)], posts: [hostilePost({ text: `${'x'.repeat(9_000)}${family}` })] }),
    )
    const header = p.blocks[0]!.text!.text
    expect(header.length).toBeLessThanOrEqual(150)
    expect(header.replace('…', '').length % family.length).toBe(0)
    for (const b of p.blocks.slice(1)) expect(b.text!.text.length).toBeLessThanOrEqual(3000)
    // Cut before an entity, never inside one.
    expect(p.blocks[1]!.text!.text).toMatch(/^(&lt;|&amp;|&gt;)+…$/)
  })
})

describe('Discord payload', () => {
  it('always sends allowed_mentions {parse: []} and puts posts in an embed', () => {
    const p: DiscordPayload = discordPayload(sampleMessage())
    expect(p.allowed_mentions).toEqual({ parse: [] })
    expect(p.content.split('\n')).toEqual([
      '**Volume spike on X: 3.4× the usual for china\\-ai\\-fund \\<!channel\\>**'.replace(/\\-/g, '-'),
      '79 posts in 3 hours vs 9.0 expected',
      `Stance: concern 41% · praise 33% @${ZWSP}here`,
      '[Details](<https://example.org/d/2025-07-16>)',
    ])
    expect(p.embeds).toHaveLength(1)
    expect(p.embeds[0]!.title).toBe('Posts')
  })

  it('escapes markdown, masked links and mentions in post text', () => {
    const desc = discordPayload(sampleMessage()).embeds[0]!.description
    const [quote, meta] = desc.split('\n')
    expect(quote!.startsWith('> ')).toBe(true)
    const text = quote!.slice(2)
    expect(bareDiscordMarkup(text)).toEqual([])
    expect(text).toContain('\\[click\\](http://evil.example)')
    expect(text).toContain('\\<@U123\\>')
    expect(text).toContain('\\<@&42\\>')
    expect(text).toContain('\\<\\#7\\>')
    expect(text).toContain(`@${ZWSP}everyone @${ZWSP}here`)
    expect(text).not.toMatch(UNSAFE_CHARS)
    expect(meta).toBe(
      `— [@${ZWSP}everyone \\<@U1\\> \\*admin\\*](<https://bsky.app/profile/someone.bsky.social/post/3lmnopq>) · bluesky · concern · 12 likes · 3 reposts`,
    )
  })

  it('keeps content within 2000 characters and an embed description within 4096', () => {
    const p = discordPayload(
      sampleMessage({
        summary: Array.from({ length: 40 }, () => '#'.repeat(200)),
        posts: Array.from({ length: 8 }, () => hostilePost({ text: HOSTILE.repeat(100) })),
      }),
    )
    expect(p.content.length).toBeLessThanOrEqual(2000)
    expect(p.embeds[0]!.description.length).toBeLessThanOrEqual(4096)
    expect(p.content.endsWith('…')).toBe(true)
  })
})

describe('Slack and Discord over HTTP', () => {
  let rx: WebhookReceiver
  let h: NotifyHarness
  beforeEach(async () => {
    rx = await startWebhookReceiver()
    h = notifyHarness({
      notify: {
        retry: FAST_RETRY,
        channels: [
          { id: 'team-slack', type: 'slack', send: ['alerts'] },
          { id: 'ops-discord', type: 'discord' },
        ],
      },
      env: {
        SLACK_WEBHOOK_URL: `${rx.url}/services/T000/B000/slack-secret-0a1b2c3d4e`,
        DISCORD_WEBHOOK_URL: `${rx.url}/api/webhooks/1234/discord-token-9f8e7d6c5b`,
      },
    })
  })
  afterEach(async () => {
    h.cleanup()
    await rx.close()
  })

  it('each receives its own payload as JSON', async () => {
    rx.setDefault({ status: 204 })
    const results = await deliver(h.ctx, sampleMessage())
    expect(results.map((r) => [r.channel, r.status])).toEqual([
      ['team-slack', 'sent'],
      ['ops-discord', 'sent'],
    ])
    const slack = rx.requests.find((r) => r.path.startsWith('/services/'))!
    const discord = rx.requests.find((r) => r.path.startsWith('/api/webhooks/'))!
    expect(slack.headers['content-type']).toMatch(/^application\/json/)
    expect(slack.json).toEqual(slackPayload(sampleMessage()))
    expect(discord.json).toEqual(discordPayload(sampleMessage()))
    expect((discord.json as DiscordPayload).allowed_mentions).toEqual({ parse: [] })
  })

  it('a digest skips the alerts-only Slack channel', async () => {
    const results = await deliver(h.ctx, sampleMessage({ kind: 'digest', key: 'digest:x:2025-07-16' }))
    expect(results.map((r) => r.channel)).toEqual(['ops-discord'])
  })

  it('Discord 429 with retry_after in the body is honoured', async () => {
    rx.queue({
      path: '/api/',
      status: 429,
      body: JSON.stringify({ message: 'You are being rate limited.', retry_after: 0.3, global: false }),
      headers: { 'content-type': 'application/json' },
    })
    const [, discord] = await deliver(h.ctx, sampleMessage())
    expect(discord).toMatchObject({ channel: 'ops-discord', status: 'sent', attempts: 2 })
    const times = rx.requests.filter((r) => r.path.startsWith('/api/')).map((r) => r.at)
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(280)
  })

  it('webhook tokens stay out of logs and the database even when a server echoes them', async () => {
    rx.queue(
      { path: '/services/', status: 404, body: 'no_service for slack-secret-0a1b2c3d4e' },
      { path: '/api/', status: 404, body: 'Unknown Webhook discord-token-9f8e7d6c5b' },
    )
    await deliver(h.ctx, sampleMessage())
    const everything =
      h.logs.join('') +
      JSON.stringify(h.ctx.db.prepare('SELECT * FROM deliveries').all()) +
      JSON.stringify(h.ctx.db.prepare('SELECT * FROM delivery_attempts').all())
    expect(everything).not.toContain('slack-secret-0a1b2c3d4e')
    expect(everything).not.toContain('discord-token-9f8e7d6c5b')
  })
})
