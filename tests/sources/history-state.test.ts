import { describe, expect, it } from 'vitest'
import { bskyHistoryStart, stateAfterBskyHistoryPage } from '../../src/sources/bluesky/history.js'
import { bskyPassStart } from '../../src/sources/bluesky/pagination.js'
import { stateAfterHistoryPage, xHistoryStart } from '../../src/sources/x/history.js'
import { liveWatermark, nextPassBounds, RECENT_WINDOW_MS } from '../../src/sources/x/pagination.js'
import { snowflakeFromMs } from '../../tools/synthetic/ids.js'

const HOUR = 3_600_000
const DAY = 24 * HOUR
const NOW = Date.parse('2026-11-20T06:00:00.000Z')
const iso = (ms: number) => new Date(ms).toISOString()

describe('X query state: live watermark and first-run backlog', () => {
  it('a first run is history over the whole reachable window, not a live pass', () => {
    expect(nextPassBounds({}, NOW)).toBeNull()
    const h = xHistoryStart({}, NOW, 7 * DAY)!
    expect(h.pass).toEqual({ windowStart: NOW - RECENT_WINDOW_MS, start: NOW - RECENT_WINDOW_MS })
    expect(xHistoryStart({}, NOW, 24 * HOUR)!.pass.start).toBe(NOW - 24 * HOUR)
  })

  it('the first page sets the live watermark to its newest post and the backlog below its oldest', () => {
    const pass = xHistoryStart({}, NOW, 7 * DAY)!.pass
    const newest = snowflakeFromMs(NOW - HOUR)
    const oldest = snowflakeFromMs(NOW - 2 * DAY)
    const s = stateAfterHistoryPage({}, pass, { newest, oldest, more: true }, NOW)
    expect(s).toEqual({ since_id: newest, backlog: { start_time: iso(pass.windowStart), until_id: oldest } })
    // The next live pass asks only for what is newer; the backlog continues below, untouched by it.
    expect(nextPassBounds(s, NOW + HOUR)!.bounds).toEqual({ since_id: newest })
    const later = liveWatermark(s, snowflakeFromMs(NOW + 30 * 60_000), NOW + HOUR, 3)
    expect(later.backlog).toEqual(s.backlog)
    expect(xHistoryStart(later, NOW + HOUR, 7 * DAY)!.pass.untilId).toBe(oldest)
  })

  it('a first run without any post leaves a time watermark; a finished backlog disappears', () => {
    const pass = xHistoryStart({}, NOW, 7 * DAY)!.pass
    expect(stateAfterHistoryPage({}, pass, { newest: null, oldest: null, more: false }, NOW)).toEqual({ since_time: iso(NOW) })
    const live = snowflakeFromMs(NOW - 10 * 60_000)
    const s = {
      since_id: live,
      pending: { next_token: 't', newest_id: null, since_id: live },
      backlog: { start_time: iso(NOW - DAY), until_id: snowflakeFromMs(NOW - HOUR), gap_id: 3 },
    }
    const h = xHistoryStart(s, NOW, 7 * DAY)!
    expect(h.pass.gapId).toBe(3)
    // An interrupted live pass is kept beside the history.
    expect(stateAfterHistoryPage(s, h.pass, { newest: snowflakeFromMs(NOW - 2 * HOUR), oldest: snowflakeFromMs(NOW - 3 * HOUR), more: false }, NOW)).toEqual({
      since_id: live,
      pending: s.pending,
    })
  })

  it('history that has left the 7 days is lost, and a backlog wholly beyond them is settled without reading', () => {
    const s = { since_id: '9', backlog: { start_time: iso(NOW - 7 * DAY), until_id: snowflakeFromMs(NOW - 4 * DAY) } }
    const twoDaysLater = xHistoryStart(s, NOW + 2 * DAY, 7 * DAY)!
    expect(twoDaysLater.pass.start).toBe(NOW + 2 * DAY - RECENT_WINDOW_MS)
    expect(twoDaysLater.lost).toEqual({ from: NOW - 7 * DAY, to: NOW + 2 * DAY - RECENT_WINDOW_MS })
    expect(twoDaysLater.done).toBe(false)
    const fourDaysLater = xHistoryStart(s, NOW + 4 * DAY, 7 * DAY)!
    expect(fourDaysLater.done).toBe(true)
    expect(fourDaysLater.lost).toEqual({ from: NOW - 7 * DAY, to: NOW - 4 * DAY })
  })
})

describe('Bluesky query state: live watermark and first-run backlog', () => {
  it('a first run is history over [now − window, now), whose end becomes the live watermark', () => {
    expect(bskyPassStart({}, 15 * 60_000)).toBeNull()
    const b = bskyHistoryStart({}, NOW, 7 * DAY)!
    expect(b).toEqual({ since: iso(NOW - 7 * DAY), until: iso(NOW), reached: iso(NOW) })
    const s = stateAfterBskyHistoryPage({}, b, { since: b.since, until: b.until, cursor: '10' }, NOW - DAY)
    expect(s).toEqual({ since: iso(NOW), backlog: { since: b.since, until: b.until, cursor: '10', reached: iso(NOW - DAY) } })
    expect(bskyPassStart(s, 15 * 60_000)).toEqual({ since: iso(NOW - 15 * 60_000) })
    expect(bskyHistoryStart(s, NOW + DAY, 7 * DAY)).toEqual(s.backlog)
  })

  it('the last page of the history removes the backlog and keeps the watermark', () => {
    const s = { since: iso(NOW + HOUR), backlog: { since: iso(NOW - 7 * DAY), until: iso(NOW), cursor: '20', reached: iso(NOW - DAY), gap_id: 2 } }
    expect(stateAfterBskyHistoryPage(s, s.backlog, null, NOW - 6 * DAY)).toEqual({ since: iso(NOW + HOUR) })
  })
})
