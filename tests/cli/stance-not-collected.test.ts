import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { StanceSeries } from '../../src/aggregate/stance-over-time.js'
import { closeContext } from '../../src/context.js'
import { markTopicsCollected } from '../../src/store/topic-coverage.js'
import { storeFourteenDays, TOPIC } from '../digest/fourteen-days.js'
import { cli, CONFIG, tempDir, testContext } from '../helpers.js'

// Posts from 2025-07-08 (New York) on; the days asked for before it were never watched.
const RANGE = ['--from', '2025-07-05', '--to', '2025-07-09']

describe('stance: buckets before the topic was first collected', () => {
  const tmp = tempDir('stancewatch-stance-coverage-')
  const db = path.join(tmp.dir, 'stance.sqlite')
  const base = ['--config', CONFIG, '--db', db, 'stance', ...RANGE]
  beforeAll(() => {
    const ctx = testContext({ dbPath: db })
    storeFourteenDays(ctx)
    closeContext(ctx)
  })
  afterAll(tmp.cleanup)

  it('table: "not collected" instead of counts, and a note saying when the record begins', async () => {
    const r = await cli(base)
    expect(r.code, r.stderr).toBe(0)
    const rows = r.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\d/.test(l))
    expect(rows.map((l) => l.slice(0, 10))).toEqual(['2025-07-05', '2025-07-06', '2025-07-07', '2025-07-08', '2025-07-09'])
    for (const row of rows.slice(0, 3)) expect(row).toMatch(/^\d{4}-\d\d-\d\d\s+not collected$/)
    expect(rows[3]).toMatch(/^2025-07-08\s+5\s+2 40%/)
    expect(r.stdout).toMatch(/total\s+10\s/)
    expect(r.stdout).toContain("Not collected: before 2025-07-08 10:00, when the topic's record begins, nothing was watched (unknown, not zero).")
  })

  it('json: every bucket says whether it was collected; the series says from when', async () => {
    const s = JSON.parse((await cli([...base, '--json'])).stdout) as StanceSeries
    expect(s.buckets.map((b) => b.collected)).toEqual([false, false, false, true, true])
    expect(s.collectedFrom).toBe('2025-07-08T10:00:00.000-04:00')
    expect(s.totals).toMatchObject({ collected: true, total: 10 })
  })

  it('csv: empty cells, not zeros, for the buckets not collected', async () => {
    const rows = parseCsv<Record<string, string>>((await cli([...base, '--format', 'csv'])).stdout, { columns: true })
    const notCollected = rows.filter((r) => r.start!.startsWith('2025-07-07'))
    expect(notCollected).toHaveLength(5)
    for (const r of notCollected) expect([r.count, r.human, r.posts, r.share, r.ci_low, r.ci_high]).toEqual(['', '', '', '', '', ''])
    expect(rows.find((r) => r.start!.startsWith('2025-07-08') && r.label === 'concern')).toMatchObject({ count: '2', posts: '5', share: '0.4' })
  })

  it('chart: a not-collected bar, unlike a day without posts', async () => {
    const r = await cli([...base, '--format', 'chart'])
    expect(r.stdout).toMatch(/^2025-07-05\s+not collected\s*$/m)
    expect(r.stdout).not.toContain('no posts')
  })

  it('the first collection counts when it is earlier than the first post: from then on quiet days are zeros', async () => {
    const other = path.join(tmp.dir, 'early.sqlite')
    const ctx = testContext({ dbPath: other })
    storeFourteenDays(ctx)
    // A collector that reached its source on 6 July found nothing until the 8th.
    ctx.db.prepare('DELETE FROM topic_coverage').run()
    markTopicsCollected(ctx.db, [TOPIC], Date.parse('2025-07-06T16:00:00Z'))
    closeContext(ctx)
    const s = JSON.parse((await cli(['--config', CONFIG, '--db', other, 'stance', ...RANGE, '--json'])).stdout) as StanceSeries
    expect(s.buckets.map((b) => [b.collected, b.total])).toEqual([
      [false, 0],
      [true, 0],
      [true, 0],
      [true, 5],
      [true, 5],
    ])
    const table = (await cli(['--config', CONFIG, '--db', other, 'stance', ...RANGE])).stdout
    expect(table).toMatch(/^2025-07-06\s+0\s+–/m)
  })
})
