import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { deliver } from '../../src/notify/deliver.js'
import { runJob } from '../../src/jobs/scheduled.js'
import { findDelivery } from '../../src/store/deliveries.js'
import { deliveriesByChannel } from '../../src/store/status.js'
import { generateSeries, HOUR } from '../alerts/synthetic.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { FAST_RETRY, notifyHarness, sampleMessage, type NotifyHarness } from './helpers.js'

/*
 * The daemon's alerts job is where alerts meet delivery: it sends what it raised and, in the same round,
 * retries any delivery (alert or digest) that failed before.
 */
describe('the scheduled alerts job', () => {
  let rx: WebhookReceiver
  let h: NotifyHarness
  beforeEach(async () => {
    rx = await startWebhookReceiver()
    h = notifyHarness({
      notify: { retry: FAST_RETRY, timeout_seconds: 5, channels: [{ id: 'hook', type: 'webhook', url_env: 'HOOK_URL' }] },
      env: { HOOK_URL: `${rx.url}/hooks/daemon` },
    })
  })
  afterEach(async () => {
    h.cleanup()
    await rx.close()
  })

  it('delivers each new alert once and retries an earlier failed delivery in the same round', async () => {
    const start = Date.UTC(2025, 5, 2)
    const g = generateSeries(h.ctx, { seed: 21, start, days: 12, spikes: 1, firstSpikeDay: 8, spikeMultiplier: [5, 5], peakRate: 40, troughRate: 8 })
    const at = Math.ceil(g.spikes[0]!.end / HOUR) * HOUR + 5 * 60_000
    h.advance(at - HOUR - h.ctx.now().getTime())
    rx.setDefault({ status: 503, body: 'down' })
    const earlier = sampleMessage({ key: 'digest:china-ai-fund:2025-06-09', kind: 'digest' })
    const [failed] = await deliver(h.ctx, earlier)
    expect(failed).toMatchObject({ status: 'failed' })
    // What `status` shows meanwhile.
    expect(deliveriesByChannel(h.ctx.db, 0)).toEqual([
      { channel: 'hook', sent: 0, retrying: 1, gaveUp: 0, skipped: 0, nextAttemptAt: expect.any(Number), lastError: 'webhook hook answered HTTP 503: down' },
    ])
    h.advance(HOUR)
    rx.setDefault({ status: 200, body: 'ok' })

    const run1 = await runJob(h.ctx, 'alerts')
    expect(run1.status).toBe('ok')
    const first = run1.detail as { alerts: number[]; deliveries: string[]; retried: string[] }
    expect(first.alerts).toHaveLength(1)
    expect(first.deliveries).toEqual([`alert:${first.alerts[0]} hook:sent`])
    expect(first.retried).toEqual([`${earlier.key} hook:sent`])
    expect(findDelivery(h.ctx.db, earlier.key, 'hook')).toMatchObject({ status: 'sent' })
    expect(deliveriesByChannel(h.ctx.db, 0)).toEqual([{ channel: 'hook', sent: 2, retrying: 0, gaveUp: 0, skipped: 0, nextAttemptAt: null, lastError: null }])
    const bodies = rx.requests.map((r) => (r.json as { key: string }).key)
    expect(bodies.filter((k) => k === `alert:${first.alerts[0]}`)).toHaveLength(1)

    h.advance(HOUR)
    const second = (await runJob(h.ctx, 'alerts')).detail as { alerts: number[]; deliveries: string[]; retried: string[] }
    expect(second).toEqual({ alerts: [], deliveries: [], retried: [] })
  })
})
