import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UsageError } from '../../src/domain/errors.js'
import { deliver, retryPending } from '../../src/notify/deliver.js'
import { deliveryAttempts, findDelivery, listDeliveries } from '../../src/store/deliveries.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { FAST_RETRY, notifyHarness, sampleMessage, type NotifyHarness } from './helpers.js'

const TOKEN = 'whsec-4f9c1e7a2b-TOKEN'

describe('deliver through a generic webhook', () => {
  let rx: WebhookReceiver
  let h: NotifyHarness
  beforeEach(async () => {
    rx = await startWebhookReceiver()
    h = notifyHarness({
      notify: { retry: FAST_RETRY, timeout_seconds: 5, channels: [{ id: 'hook', type: 'webhook', url_env: 'HOOK_URL' }] },
      env: { HOOK_URL: `${rx.url}/hooks/${TOKEN}` },
    })
  })
  afterEach(async () => {
    h.cleanup()
    await rx.close()
  })

  it('POSTs the message as JSON with the documented shape', async () => {
    const m = sampleMessage()
    const results = await deliver(h.ctx, m)
    expect(results).toEqual([{ channel: 'hook', key: 'alert:1', status: 'sent', attempts: 1 }])
    expect(rx.requests).toHaveLength(1)
    const req = rx.requests[0]!
    expect(req.method).toBe('POST')
    expect(req.path).toBe(`/hooks/${TOKEN}`)
    expect(req.headers['content-type']).toMatch(/^application\/json/)
    expect(req.json).toEqual({
      kind: 'alert',
      key: 'alert:1',
      topic: 'china-ai-fund',
      title: m.title,
      summary: m.summary,
      posts: m.posts,
      link: m.link,
      data: m.data,
    })
    const row = findDelivery(h.ctx.db, 'alert:1', 'hook')!
    expect(row).toMatchObject({ status: 'sent', attempts: 1, lastError: null, nextAttemptAt: null, kind: 'alert', topicId: 'china-ai-fund' })
    expect(row.deliveredAt).not.toBeNull()
    expect(row.message).toEqual(m)
  })

  it('fails twice with 500, then succeeds: sent after 3 attempts, each attempt recorded', async () => {
    rx.queue({ status: 500, body: 'boom' }, { status: 500, body: 'boom again' })
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toEqual({ channel: 'hook', key: 'alert:1', status: 'sent', attempts: 3 })
    expect(rx.requests).toHaveLength(3)
    const row = findDelivery(h.ctx.db, 'alert:1', 'hook')!
    expect(row.status).toBe('sent')
    expect(row.attempts).toBe(3)
    expect(deliveryAttempts(h.ctx.db, row.id).map((a) => [a.attempt, a.ok, a.error])).toEqual([
      [1, false, 'webhook hook answered HTTP 500: boom'],
      [2, false, 'webhook hook answered HTTP 500: boom again'],
      [3, true, null],
    ])
  })

  it('always 500: failed with a next attempt; retryPending delivers from the stored payload once the receiver recovers', async () => {
    rx.setDefault({ status: 500, body: 'down' })
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'failed', attempts: 3, error: 'webhook hook answered HTTP 500: down' })
    const failed = findDelivery(h.ctx.db, 'alert:1', 'hook')!
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastError: 'webhook hook answered HTTP 500: down' })
    expect(failed.nextAttemptAt).not.toBeNull()
    expect(failed.failingSince).not.toBeNull()

    rx.setDefault({ status: 200, body: 'ok' })
    const retried = await retryPending(h.ctx)
    expect(retried).toEqual([{ channel: 'hook', key: 'alert:1', status: 'sent', attempts: 1 }])
    expect(rx.requests).toHaveLength(4)
    expect(rx.requests[3]!.json).toEqual(rx.requests[0]!.json)
    expect(findDelivery(h.ctx.db, 'alert:1', 'hook')).toMatchObject({ status: 'sent', attempts: 4, nextAttemptAt: null, failingSince: null })
    // Nothing left to retry.
    expect(await retryPending(h.ctx)).toEqual([])
  })

  it('later rounds wait: not retried before next_attempt_at, and space out while the outage lasts', async () => {
    h.ctx.config = { ...h.ctx.config, notify: { ...h.ctx.config.notify, retry: { ...FAST_RETRY, later_minutes: 15 } } }
    rx.setDefault({ status: 503, body: 'maintenance' })
    await deliver(h.ctx, sampleMessage())
    const first = findDelivery(h.ctx.db, 'alert:1', 'hook')!
    expect(first.nextAttemptAt! - h.ctx.now().getTime()).toBe(15 * 60_000)
    expect(await retryPending(h.ctx)).toEqual([])
    h.advance(15 * 60_000)
    expect((await retryPending(h.ctx))[0]).toMatchObject({ status: 'failed' })
    const second = findDelivery(h.ctx.db, 'alert:1', 'hook')!
    expect(second.nextAttemptAt! - h.ctx.now().getTime()).toBe(15 * 60_000)
    h.advance(15 * 60_000)
    await retryPending(h.ctx)
    // Failing for 30 minutes now: the next wait is 30 minutes.
    expect(findDelivery(h.ctx.db, 'alert:1', 'hook')!.nextAttemptAt! - h.ctx.now().getTime()).toBe(30 * 60_000)
  })

  it('gives up after give_up_hours: failed with no next attempt', async () => {
    h.ctx.config = { ...h.ctx.config, notify: { ...h.ctx.config.notify, retry: { ...FAST_RETRY, give_up_hours: 1 } } }
    rx.setDefault({ status: 500 })
    await deliver(h.ctx, sampleMessage())
    h.advance(2 * 3_600_000)
    await retryPending(h.ctx)
    const row = findDelivery(h.ctx.db, 'alert:1', 'hook')!
    expect(row.status).toBe('failed')
    expect(row.nextAttemptAt).toBeNull()
    h.advance(24 * 3_600_000)
    expect(await retryPending(h.ctx)).toEqual([])
  })

  it('honours 429 Retry-After', async () => {
    rx.queue({ status: 429, body: 'slow down', headers: { 'retry-after': '1' } })
    const t0 = Date.now()
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'sent', attempts: 2 })
    expect(rx.requests[1]!.at - rx.requests[0]!.at).toBeGreaterThanOrEqual(950)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950)
  })

  it('a Retry-After longer than a run should wait ends the round and schedules the next one after it', async () => {
    rx.queue({ status: 429, headers: { 'retry-after': '7200' } })
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'failed', attempts: 1 })
    const row = findDelivery(h.ctx.db, 'alert:1', 'hook')!
    expect(row.nextAttemptAt).toBe(h.ctx.now().getTime() + 7_200_000)
  })

  it('a rejected payload (400) is not retried within the round', async () => {
    rx.setDefault({ status: 400, body: 'invalid_payload' })
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'failed', attempts: 1, error: 'webhook hook answered HTTP 400: invalid_payload' })
    expect(rx.requests).toHaveLength(1)
  })

  it('a delivered key is not delivered twice; force delivers it again', async () => {
    await deliver(h.ctx, sampleMessage())
    const again = await deliver(h.ctx, sampleMessage())
    expect(again).toEqual([
      { channel: 'hook', key: 'alert:1', status: 'skipped', attempts: 0, error: expect.stringMatching(/^already sent 2025-07-16T12:00:00/) },
    ])
    expect(rx.requests).toHaveLength(1)
    const forced = await deliver(h.ctx, sampleMessage(), { force: true })
    expect(forced).toEqual([{ channel: 'hook', key: 'alert:1', status: 'sent', attempts: 1 }])
    expect(rx.requests).toHaveLength(2)
    expect(findDelivery(h.ctx.db, 'alert:1', 'hook')!.attempts).toBe(2)
  })

  it('the receiver unreachable: a network failure, recorded without the URL', async () => {
    await rx.close()
    const [r] = await deliver(h.ctx, sampleMessage())
    expect(r).toMatchObject({ status: 'failed', attempts: 3, error: 'webhook hook: network error (ECONNREFUSED)' })
    rx = await startWebhookReceiver() // for afterEach
  })

  it('a stop request ends the waiting between tries; the delivery is left for the next retry pass', async () => {
    h.ctx.config = { ...h.ctx.config, notify: { ...h.ctx.config.notify, retry: { ...FAST_RETRY, backoff_seconds: 30 } } }
    rx.setDefault({ status: 500 })
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 200)
    const t0 = Date.now()
    const [r] = await deliver(h.ctx, sampleMessage(), { signal: ac.signal })
    expect(Date.now() - t0).toBeLessThan(5000)
    expect(r).toMatchObject({ status: 'failed', attempts: 1 })
    expect(findDelivery(h.ctx.db, 'alert:1', 'hook')!.nextAttemptAt).toBe(h.ctx.now().getTime())
  })

  it('the secret URL never appears in logs or in the deliveries table', async () => {
    rx.queue({ status: 500, body: `no route for /hooks/${TOKEN}` }, { status: 404, body: `unknown hook ${rx.url}/hooks/${TOKEN}` })
    await deliver(h.ctx, sampleMessage())
    const logs = h.logs.join('')
    expect(logs).toContain('delivery attempt failed')
    expect(logs).toContain('[REDACTED]')
    expect(logs).not.toContain(TOKEN)
    const dump = JSON.stringify(h.ctx.db.prepare('SELECT * FROM deliveries').all()) + JSON.stringify(h.ctx.db.prepare('SELECT * FROM delivery_attempts').all())
    expect(dump).toContain('[REDACTED]')
    expect(dump).not.toContain(TOKEN)
  })

  it('only the named channels, and an unknown channel id is a usage error', async () => {
    expect(await deliver(h.ctx, sampleMessage(), { channels: ['hook'] })).toHaveLength(1)
    await expect(deliver(h.ctx, sampleMessage(), { channels: ['nope'] })).rejects.toThrow(UsageError)
  })
})

describe('channel selection and missing secrets', () => {
  it('a channel whose variable is unset is skipped with the reason, recorded, and never crashes', async () => {
    const h = notifyHarness({
      notify: {
        retry: FAST_RETRY,
        channels: [
          { id: 'log', type: 'log' },
          { id: 'team-slack', type: 'slack' },
          { id: 'mail', type: 'email', from: 'bot@example.org', to: ['a@example.org'] },
          { id: 'bot', type: 'bluesky' },
          { id: 'digests-only', type: 'log', send: ['digest'] },
        ],
      },
    })
    try {
      const results = await deliver(h.ctx, sampleMessage())
      expect(results).toEqual([
        { channel: 'log', key: 'alert:1', status: 'sent', attempts: 1 },
        { channel: 'team-slack', key: 'alert:1', status: 'skipped', attempts: 0, error: 'not configured: SLACK_WEBHOOK_URL is not set' },
        { channel: 'mail', key: 'alert:1', status: 'skipped', attempts: 0, error: 'not configured: SMTP_URL is not set' },
        { channel: 'bot', key: 'alert:1', status: 'skipped', attempts: 0, error: 'not configured: BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set' },
      ])
      expect(
        listDeliveries(h.ctx.db)
          .map((d) => [d.channelId, d.status, d.lastError])
          .sort(),
      ).toEqual([
        ['bot', 'skipped', 'not configured: BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set'],
        ['log', 'sent', null],
        ['mail', 'skipped', 'not configured: SMTP_URL is not set'],
        ['team-slack', 'skipped', 'not configured: SLACK_WEBHOOK_URL is not set'],
      ])
      // Skipped deliveries are not retried by themselves.
      expect(await retryPending(h.ctx)).toEqual([])
      // A digest reaches the digest-only channel too.
      const digest = await deliver(h.ctx, sampleMessage({ kind: 'digest', key: 'digest:china-ai-fund:2025-07-16' }), { channels: ['log', 'digests-only'] })
      expect(digest.map((r) => [r.channel, r.status])).toEqual([
        ['log', 'sent'],
        ['digests-only', 'sent'],
      ])
      const line = h.logs.map((l) => JSON.parse(l) as { msg: string; notify?: { key: string } }).find((l) => l.notify?.key === 'alert:1')!
      expect(line.msg).toContain('Volume spike on X')
    } finally {
      h.cleanup()
    }
  })

  it('a webhook variable that is not an http(s) URL is "not configured", and its value is not quoted', async () => {
    const h = notifyHarness({ notify: { channels: [{ id: 'hook', type: 'webhook' }] }, env: { STANCEWATCH_WEBHOOK_URL: 'hunter2-not-a-url' } })
    try {
      const [r] = await deliver(h.ctx, sampleMessage())
      expect(r).toMatchObject({ status: 'skipped', error: 'not configured: STANCEWATCH_WEBHOOK_URL is not an http(s) URL' })
      expect(h.logs.join('')).not.toContain('hunter2')
    } finally {
      h.cleanup()
    }
  })

  it('the default config (no notify key) has just the log channel', async () => {
    const h = notifyHarness({ notify: undefined as unknown as Record<string, unknown> })
    try {
      expect(h.ctx.config.notify.channels).toEqual([{ id: 'log', type: 'log', send: ['alerts', 'digest'] }])
      expect(h.ctx.config.notify.public_url).toBeNull()
      expect(await deliver(h.ctx, sampleMessage())).toEqual([{ channel: 'log', key: 'alert:1', status: 'sent', attempts: 1 }])
    } finally {
      h.cleanup()
    }
  })
})
