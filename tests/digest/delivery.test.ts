import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readEnv } from '../../src/config/env.js'
import { createContext, type AppContext } from '../../src/context.js'
import { classify } from '../../src/jobs/classify.js'
import { deliverDigests, makeDigests } from '../../src/jobs/digest.js'
import { ingest } from '../../src/jobs/ingest.js'
import { silentLogger } from '../../src/logger.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { startBskyServer, type BskyServer } from '../servers/bluesky.js'
import { startSmtpServer, type SmtpTestServer } from '../servers/smtp.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { tempDir, writeTestConfig } from '../helpers.js'

const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
const BOT = { identifier: 'stancebot.test', password: 'bot1-pass-word-zzzz', did: 'did:plc:stancebotstancebotstance', handle: 'stancebot.test' }
const SMTP = { user: 'bot@example.org', pass: 'smtp-secret-pass-1234' }
const HOSTILE = [
  '<!channel> @everyone the state AI fund is a scam',
  '<script>alert(1)</script> [win](javascript:alert(1)) China AI fund',
  'invoice\u202Efdp.exe the China AI fund',
  '国家意志！中国AI基金支持四百家初创企业 🚀',
]
const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].length

function page(): unknown {
  return {
    data: HOSTILE.map((text, i) => ({
      id: String(1945400000000000000n + BigInt(i)),
      text: `${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')} https://t.co/d${i}`,
      author_id: String(200 + i),
      created_at: `2025-07-16T1${i}:00:00.000Z`,
      public_metrics: { like_count: 100 - i, retweet_count: 1, reply_count: 0, quote_count: 0 },
      entities: { urls: [{ start: 0, end: 1, url: `https://t.co/d${i}`, expanded_url: ARTICLE, unwound_url: ARTICLE }] },
    })),
    includes: { users: HOSTILE.map((_, i) => ({ id: String(200 + i), username: `u${i}`, name: '@here <!channel>' })) },
    meta: { result_count: HOSTILE.length },
  }
}

/** One digest through every channel: files, generic webhook, Slack, Discord, e-mail and a Bluesky thread. */
describe('digest delivery', () => {
  const tmp = tempDir('stancewatch-digest-delivery-')
  let receiver: WebhookReceiver
  let smtp: SmtpTestServer
  let bsky: BskyServer
  let ctx: AppContext

  beforeAll(async () => {
    receiver = await startWebhookReceiver()
    smtp = await startSmtpServer(SMTP)
    bsky = await startBskyServer({ posts: [], accounts: [BOT] })
    const configPath = writeTestConfig(tmp.dir, (c) => {
      c.notify = {
        public_url: 'https://digests.example.org/stance/',
        retry: { attempts: 2, backoff_seconds: 0.01, later_minutes: 0, give_up_hours: 48 },
        timeout_seconds: 5,
        channels: [
          { id: 'hook', type: 'webhook', url_env: 'HOOK_URL' },
          { id: 'slack', type: 'slack', url_env: 'SLACK_URL', send: ['digest'] },
          { id: 'discord', type: 'discord', url_env: 'DISCORD_URL' },
          { id: 'mail', type: 'email', smtp_url_env: 'SMTP_URL', from: 'stancewatch <bot@example.org>', to: ['desk@example.org'] },
          { id: 'bot', type: 'bluesky', mode: 'post' },
        ],
      }
    })
    ctx = createContext({
      env: readEnv({
        HOOK_URL: `${receiver.url}/hook/secret-token-1234567890`,
        SLACK_URL: `${receiver.url}/slack/T000/B000/secret-slack-0987654321`,
        DISCORD_URL: `${receiver.url}/discord/123/secret-discord-abcdefghij`,
        SMTP_URL: `smtp://${encodeURIComponent(SMTP.user)}:${SMTP.pass}@127.0.0.1:${smtp.port}`,
        BSKY_SERVICE: bsky.url,
        BSKY_PUBLIC_API: bsky.url,
        BSKY_IDENTIFIER: BOT.identifier,
        BSKY_APP_PASSWORD: BOT.password,
      }),
      log: silentLogger,
      configPath,
      dbPath: ':memory:',
      now: () => new Date('2025-07-17T11:00:00Z'),
    })
    ingest(ctx, [normalizePayload(page())!], { source: 'replay', query: 'test' })
    await classify(ctx)
  }, 60_000)
  afterAll(async () => {
    ctx.db.close()
    await receiver.close()
    await smtp.close()
    await bsky.close()
    tmp.cleanup()
  })

  const at = (prefix: string) => receiver.requests.filter((r) => r.path.startsWith(prefix))

  it('sends the digest once through every channel, with user text escaped for each', async () => {
    const [r] = await deliverDigests(ctx, makeDigests(ctx, { date: '2025-07-16', outDir: tmp.dir }))
    expect(r!.deliveries.map((d) => [d.channel, d.status]).sort()).toEqual([
      ['bot', 'sent'],
      ['discord', 'sent'],
      ['hook', 'sent'],
      ['mail', 'sent'],
      ['slack', 'sent'],
    ])
    expect(r!.deliveredAt).toBe('2025-07-17T11:00:00.000Z')
    const link = 'https://digests.example.org/stance/digest-2025-07-16.html'

    const hook = at('/hook')[0]!.json as { kind: string; key: string; link: string; data: { volume: { total: number } } }
    expect(hook).toMatchObject({ kind: 'digest', key: 'digest:china-ai-fund:2025-07-16', link })
    expect(hook.data.volume.total).toBe(4)

    const slack = at('/slack')[0]!.body
    expect(slack).toContain(link)
    expect(slack).not.toContain('<!channel>')
    expect(slack).not.toMatch(/<script/)

    const discord = at('/discord')[0]!.json as { allowed_mentions: unknown; content?: string; embeds?: unknown[] }
    expect(discord.allowed_mentions).toEqual({ parse: [] })
    expect(JSON.stringify(discord)).not.toMatch(/(?<!\\u200b)@everyone/)

    const mail = smtp.mails[0]!.parsed
    expect(mail.subject).toBe(`${ctx.config.topics[0]!.name}: digest for Wednesday 16 July 2025`)
    expect(mail.html).toContain('<h1>')
    expect(mail.html).not.toContain('<script>alert(1)')
    expect(mail.text).toContain('MOST ENGAGED POSTS')
    expect(mail.text).not.toContain('\u202E')

    expect(bsky.records.length).toBeGreaterThanOrEqual(1)
    for (const p of bsky.records) expect(graphemes(p.record.text as string)).toBeLessThanOrEqual(300)
    const last = bsky.records.at(-1)!.record as { text: string; facets?: { features: { uri: string }[] }[] }
    expect(last.text).toContain(link)
    expect(last.facets?.some((f) => f.features[0]!.uri === link)).toBe(true)
  })

  it('rebuilding the day delivers nothing again; --redeliver does', async () => {
    const before = { hooks: receiver.requests.length, mails: smtp.mails.length, posts: bsky.records.length }
    const [again] = await deliverDigests(ctx, makeDigests(ctx, { date: '2025-07-16', outDir: tmp.dir }))
    expect(again!.deliveries.every((d) => d.status === 'skipped')).toBe(true)
    expect(receiver.requests.length).toBe(before.hooks)
    expect(smtp.mails.length).toBe(before.mails)
    expect(bsky.records.length).toBe(before.posts)

    const [forced] = await deliverDigests(ctx, makeDigests(ctx, { date: '2025-07-16', outDir: tmp.dir }), { force: true })
    expect(forced!.deliveries.every((d) => d.status === 'sent')).toBe(true)
    expect(receiver.requests.length).toBe(before.hooks + 3)
    expect(smtp.mails.length).toBe(before.mails + 1)
  })

  it('a day with no posts is still delivered, saying so', async () => {
    const [r] = await deliverDigests(ctx, makeDigests(ctx, { date: '2025-07-01', outDir: tmp.dir }))
    expect(r!.empty).toBe(true)
    expect(r!.deliveries.every((d) => d.status === 'sent')).toBe(true)
    const hook = at('/hook').at(-1)!.json as { summary: string[] }
    expect(hook.summary.join(' ')).toContain('No posts about this topic were collected on this day')
  })

  it('a failing channel is recorded as failed and does not stop the others', async () => {
    receiver.setDefault({ status: 500, body: 'down' })
    try {
      const [r] = await deliverDigests(ctx, makeDigests(ctx, { date: '2025-07-02', outDir: path.join(tmp.dir, 'b') }))
      const status = Object.fromEntries(r!.deliveries.map((d) => [d.channel, d.status]))
      expect(status).toMatchObject({ hook: 'failed', slack: 'failed', discord: 'failed', mail: 'sent', bot: 'sent' })
      const rows = ctx.db
        .prepare("SELECT channel_id, status, attempts FROM deliveries WHERE message_key = 'digest:china-ai-fund:2025-07-02' ORDER BY channel_id")
        .all()
      expect(rows).toContainEqual({ channel_id: 'hook', status: 'failed', attempts: 2 })
    } finally {
      receiver.setDefault({ status: 200, body: 'ok' })
    }
  })
})
