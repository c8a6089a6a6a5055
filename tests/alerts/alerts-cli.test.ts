import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { closeContext } from '../../src/context.js'
import type { AlertHit, FiredAlert } from '../../src/alerts/alert-run.js'
import { alertMessages, checkAlerts } from '../../src/jobs/alerts.js'
import { alertById } from '../../src/store/alerts.js'
import { cli, CONFIG, tempDir, testContext } from '../helpers.js'
import { generateSeries, HOUR } from './synthetic.js'

describe('stancewatch alerts (check, backtest, list, ack)', () => {
  const tmp = tempDir('stancewatch-alerts-')
  const db = path.join(tmp.dir, 'alerts.sqlite')
  const base = ['--config', CONFIG, '--db', db]
  const start = Date.UTC(2025, 5, 2)
  let spike: { start: number; end: number }
  let end: number

  beforeAll(() => {
    const ctx = testContext({ dbPath: db })
    const g = generateSeries(ctx, { seed: 21, start, days: 12, spikes: 1, firstSpikeDay: 8, spikeMultiplier: [5, 5], peakRate: 40, troughRate: 8 })
    spike = g.spikes[0]!
    end = g.end
    closeContext(ctx)
  })
  afterAll(tmp.cleanup)

  const iso = (t: number) => new Date(t).toISOString()

  it('backtest --json lists what would have fired, as the documented array, and stores nothing', async () => {
    const r = await cli([...base, 'alerts', 'backtest', '--from', iso(start), '--to', iso(end), '--json'])
    expect(r.code, r.stderr).toBe(0)
    const alerts = JSON.parse(r.stdout) as AlertHit[]
    expect(alerts).toHaveLength(1)
    expect(Object.keys(alerts[0]!)).toEqual(expect.arrayContaining(['kind', 'topic', 'window_start', 'window_end', 'observed', 'expected', 'score']))
    expect(alerts[0]).toMatchObject({ kind: 'volume_spike', topic: 'china-ai-fund', platform: null })
    expect(Date.parse(alerts[0]!.window_end)).toBeGreaterThan(spike.start)
    expect(Date.parse(alerts[0]!.window_start)).toBeLessThan(spike.end)
    const list = JSON.parse((await cli([...base, 'alerts', 'list', '--json'])).stdout) as { alerts: unknown[] }
    expect(list.alerts).toEqual([])
  })

  it('backtest prints a table in the configured zone and a summary line', async () => {
    const r = await cli([...base, 'alerts', 'backtest', '--from', '2025-06-02', '--to', '2025-06-13'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain('window (America/New_York)')
    expect(r.stdout).toMatch(/1 alert would have fired over \d+ checks: 1 volume spike, 0 stance shifts \(nothing stored or sent\)/)
  })

  it('backtest refuses a reversed range and an unknown topic (exit 2)', async () => {
    expect((await cli([...base, 'alerts', 'backtest', '--from', '2025-06-10', '--to', '2025-06-02'])).code).toBe(2)
    const r = await cli([...base, 'alerts', 'backtest', '--from', '2025-06-02', '--to', '2025-06-10', '--topic', 'nope'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('no topic "nope" in')
    expect(r.stderr).toContain('topics: china-ai-fund')
  })

  it('check stores an alert once: the same event is not raised again by a re-run, a restart or the next hour', async () => {
    const firing = Math.ceil(spike.end / HOUR) * HOUR + 5 * 60_000
    const times = Array.from({ length: 8 }, (_, i) => firing - 4 * HOUR + i * HOUR)
    const raised: number[] = []
    for (const t of times) {
      const r = await cli([...base, 'alerts', 'check', '--at', iso(t), '--json'])
      expect(r.code, r.stderr).toBe(0)
      raised.push(...(JSON.parse(r.stdout) as { alerts: { id: number }[] }).alerts.map((a) => a.id))
    }
    expect(raised).toEqual([1])
    const again = await cli([...base, 'alerts', 'check', '--at', iso(times[4]!)])
    expect(again.stdout.trim()).toBe('no new alerts')
  })

  it('check --deliver sends each new alert through the notify channels once (the log channel by default)', async () => {
    const other = path.join(tmp.dir, 'deliver.sqlite')
    const ctx = testContext({ dbPath: other })
    generateSeries(ctx, { seed: 21, start, days: 12, spikes: 1, firstSpikeDay: 8, spikeMultiplier: [5, 5], peakRate: 40, troughRate: 8 })
    closeContext(ctx)
    const at = iso(Math.ceil(spike.end / HOUR) * HOUR + 5 * 60_000)
    const r = await cli(['--config', CONFIG, '--db', other, 'alerts', 'check', '--at', at, '--deliver', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout) as { alerts: { id: number }[]; deliveries: { channel: string; key: string; status: string }[] }
    expect(out.deliveries).toEqual([expect.objectContaining({ channel: 'log', key: `alert:${out.alerts[0]!.id}`, status: 'sent' })])
    expect(r.stderr).toContain('Volume spike')
  })

  it('list shows the state; ack and resolve change it; --state filters', async () => {
    let r = await cli([...base, 'alerts', 'list'])
    expect(r.stdout).toMatch(/1\s+open\s+volume_spike\s+china-ai-fund\s+all/)
    expect((await cli([...base, 'alerts', 'ack', '1'])).stdout.trim()).toBe('#1: acknowledged')
    r = await cli([...base, 'alerts', 'list', '--state', 'open'])
    expect(r.stdout.trim()).toBe('no open alerts stored')
    r = await cli([...base, 'alerts', 'list', '--state', 'acknowledged', '--json'])
    expect((JSON.parse(r.stdout) as { alerts: { id: number; state: string }[] }).alerts).toEqual([expect.objectContaining({ id: 1, state: 'acknowledged' })])
    expect((await cli([...base, 'alerts', 'resolve', '#1'])).code).toBe(0)
    const bad = await cli([...base, 'alerts', 'ack', '99'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('no alert #99')
    expect((await cli([...base, 'alerts', 'list', '--state', 'closed'])).code).toBe(2)
  })

  it('a stored alert carries the context a person acts on, and becomes a message keyed alert:<id>', () => {
    const ctx = testContext({ dbPath: db })
    try {
      const c = alertById(ctx.db, 1)!.context as Record<string, unknown>
      expect(c).toMatchObject({ windowHours: expect.any(Number), baselineDays: expect.any(Number), partialCoverage: false, gaps: [] })
      expect((c.topPosts as { url: string }[])[0]!.url).toMatch(/^https:\/\//)
      expect((c.topTerms as { term: string }[]).map((t) => t.term)).toContain('#h20ban')
      expect(Object.keys(c.languages as object)).toEqual(['en'])
      expect(c.articleLinkShare).toBeGreaterThan(0.1)
      expect(checkAlerts(ctx, new Date(end))).toEqual([])
      const [m] = alertMessages(ctx, [{ id: 1 } as FiredAlert])
      expect(m!.key).toBe('alert:1')
      expect(m!.title).toMatch(/^Volume spike: \d+ posts in \d h, [\d.]+× the usual \d+ — china-ai-fund$/)
    } finally {
      closeContext(ctx)
    }
  })
})
