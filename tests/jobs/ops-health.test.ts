import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readEnv } from '../../src/config/env.js'
import { createContext, type AppContext } from '../../src/context.js'
import { checkSilence } from '../../src/jobs/ops-health.js'
import { runJob } from '../../src/jobs/scheduled.js'
import { silentLogger } from '../../src/logger.js'
import { recordSuccess, recordNonRun } from '../../src/store/ops-health.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'
import { startXServer, type XServer } from '../servers/x-api.js'
import { makeXDataset } from '../servers/x-data.js'
import { tempDir, writeTestConfig } from '../helpers.js'

const BEARER = 'test-bearer-AAAAAAAAAAAAAAAAAAAAAMLheAAAAAAA0%2BuSeid'

describe('operational alerts', () => {
  const tmp = tempDir('stancewatch-ops-')
  let rx: WebhookReceiver
  let x: XServer
  let ctx: AppContext
  beforeAll(async () => {
    rx = await startWebhookReceiver()
    x = await startXServer({ ...makeXDataset({ seed: 9, count: 120, now: Date.now() }), bearer: BEARER })
    const configPath = writeTestConfig(tmp.dir, (c) => {
      c.sources.enabled = ['x']
      c.sources.x = { max_retries: 0, first_run_lookback_hours: 24 }
      c.notify = { retry: { attempts: 1, backoff_seconds: 0 }, channels: [{ id: 'ops', type: 'webhook', url_env: 'HOOK_URL', send: ['ops'] }] }
      c.daemon = { alert_after_failures: 3, alert_after_hours_without_collection: 6 }
    })
    ctx = createContext({
      env: readEnv({ X_BEARER_TOKEN: BEARER, X_API_BASE_URL: x.url, HOOK_URL: `${rx.url}/hook` }),
      log: silentLogger,
      configPath,
      dbPath: path.join(tmp.dir, 'ops.sqlite'),
    })
  })
  afterAll(async () => {
    ctx.db.close()
    await Promise.all([rx.close(), x.close()])
    tmp.cleanup()
  })
  const opsMessages = () => rx.requests.map((r) => r.json as { kind: string; key: string; title: string; summary: string[] })

  it('a source failing N times in a row raises one alert, a later failure none, and its recovery is announced once', async () => {
    x.inject(...Array.from({ length: 4 }, () => ({ kind: 'server-error' as const, status: 503 as const })))
    const statuses: string[] = []
    for (let i = 0; i < 4; i++) {
      const o = await runJob(ctx, 'collect')
      statuses.push(o.status)
      expect(o.reason).toMatch(/^x failed: X tweets\/search\/recent failed 1 times, last with HTTP 503/)
      expect(opsMessages(), `after failure ${i + 1}`).toHaveLength(i < 2 ? 0 : 1)
    }
    expect(statuses).toEqual(['failed', 'failed', 'failed', 'failed'])
    const [alert] = opsMessages()
    expect(alert).toMatchObject({ kind: 'ops', title: 'stancewatch: X collection failed 3 times in a row' })
    expect(alert!.summary.join(' ')).toContain('HTTP 503')

    const ok = await runJob(ctx, 'collect')
    expect(ok.status).toBe('ok')
    expect(opsMessages()).toHaveLength(2)
    expect(opsMessages()[1]).toMatchObject({ kind: 'ops', key: `${alert!.key}:recovered`, title: 'stancewatch: X collection works again' })
    await runJob(ctx, 'collect')
    expect(opsMessages()).toHaveLength(2)
  })

  it('a source that runs but has not succeeded for hours raises one alert; one skipped (budget) does not', async () => {
    const before = rx.requests.length
    const now = ctx.now().getTime()
    recordSuccess(ctx.db, 'source:bluesky', 'ok', now - 7 * 3_600_000)
    recordSuccess(ctx.db, 'source:jetstream', 'ok', now - 7 * 3_600_000)
    recordNonRun(ctx.db, 'source:jetstream', 'skipped', now - 3_600_000)
    await checkSilence(ctx, ['source:bluesky', 'source:jetstream'])
    await checkSilence(ctx, ['source:bluesky', 'source:jetstream'])
    const sent = opsMessages().slice(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.title).toBe('stancewatch: no successful Bluesky search for 7 h')
  })

  it('a collection with every source lacking credentials is skipped, and says why', async () => {
    const configPath = writeTestConfig(tmp.dir, (c) => void (c.sources.enabled = ['x', 'bluesky']), 'nocreds.yaml')
    const bare = createContext({ env: readEnv({}), log: silentLogger, configPath, dbPath: ':memory:' })
    try {
      const o = await runJob(bare, 'collect')
      expect(o.status).toBe('skipped')
      expect(o.reason).toBe(
        'x skipped: no credentials: X_BEARER_TOKEN is not set; bluesky skipped: no credentials: BSKY_IDENTIFIER and BSKY_APP_PASSWORD are not set',
      )
      expect(bare.db.prepare("SELECT status, reason FROM job_runs WHERE job = 'collect'").get()).toEqual({ status: 'skipped', reason: o.reason })
    } finally {
      bare.db.close()
    }
  })
})
