import { describe, expect, it } from 'vitest'
import { scheduleTimes } from '../../src/alerts/check-times.js'

const iso = (ts: number[]) => ts.map((t) => new Date(t).toISOString().slice(0, 16))

describe('scheduleTimes: when the daemon would have checked', () => {
  it('hourly at :05', () => {
    const from = Date.parse('2025-07-16T00:00:00Z')
    expect(iso(scheduleTimes('5 * * * *', 'America/New_York', from, from + 3 * 3_600_000))).toEqual([
      '2025-07-16T00:05',
      '2025-07-16T01:05',
      '2025-07-16T02:05',
    ])
  })

  it('every 15 minutes, in office hours of the configured zone, on weekdays', () => {
    // Saturday 19 July and Monday 21 July 2025; 9:00 in New York is 13:00 UTC.
    const sat = scheduleTimes('*/15 9-10 * * 1-5', 'America/New_York', Date.parse('2025-07-19T00:00:00Z'), Date.parse('2025-07-20T00:00:00Z'))
    expect(sat).toEqual([])
    const mon = iso(scheduleTimes('*/15 9-10 * * 1-5', 'America/New_York', Date.parse('2025-07-21T00:00:00Z'), Date.parse('2025-07-22T00:00:00Z')))
    expect(mon).toHaveLength(8)
    expect(mon[0]).toBe('2025-07-21T13:00')
    expect(mon.at(-1)).toBe('2025-07-21T14:45')
  })

  it('follows daylight saving: a 23-hour day has 23 hourly checks', () => {
    const from = Date.parse('2025-03-09T05:00:00Z') // midnight in New York, the day clocks go forward
    expect(scheduleTimes('0 * * * *', 'America/New_York', from, from + 23 * 3_600_000)).toHaveLength(23)
  })
})
