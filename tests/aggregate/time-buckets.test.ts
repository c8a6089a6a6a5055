import { DateTime } from 'luxon'
import { describe, expect, it } from 'vitest'
import { bucketsBetween, dayOf, dayRange, parseUserTime } from '../../src/aggregate/time-buckets.js'
import { UsageError } from '../../src/domain/errors.js'

const NY = 'America/New_York'
const HOUR = 3_600_000
const at = (iso: string) => Date.parse(iso)
const hours = (b: { startMs: number; endMs: number }) => (b.endMs - b.startMs) / HOUR

function expectContiguous(bs: { start: string; end: string; startMs: number; endMs: number }[]) {
  for (let i = 1; i < bs.length; i++) {
    expect(bs[i]!.startMs).toBe(bs[i - 1]!.endMs)
    expect(bs[i]!.start).toBe(bs[i - 1]!.end)
  }
  for (const b of bs) {
    expect(Date.parse(b.start)).toBe(b.startMs)
    expect(Date.parse(b.end)).toBe(b.endMs)
  }
}

describe('bucketsBetween', () => {
  it('days across spring-forward: 2025-03-09 in New York is 23 hours', () => {
    const bs = bucketsBetween(at('2025-03-08T05:00:00Z'), at('2025-03-11T04:00:00Z'), 'day', NY)
    expect(bs.map((b) => b.start)).toEqual(['2025-03-08T00:00:00.000-05:00', '2025-03-09T00:00:00.000-05:00', '2025-03-10T00:00:00.000-04:00'])
    expect(bs.at(-1)!.end).toBe('2025-03-11T00:00:00.000-04:00')
    expect(bs.map(hours)).toEqual([24, 23, 24])
    expectContiguous(bs)
  })

  it('days across fall-back: 2025-11-02 in New York is 25 hours', () => {
    const bs = bucketsBetween(at('2025-11-01T04:00:00Z'), at('2025-11-04T05:00:00Z'), 'day', NY)
    expect(bs.map((b) => b.start)).toEqual(['2025-11-01T00:00:00.000-04:00', '2025-11-02T00:00:00.000-04:00', '2025-11-03T00:00:00.000-05:00'])
    expect(bs.map(hours)).toEqual([24, 25, 24])
    expectContiguous(bs)
  })

  it('hours across spring-forward skip the 02:00 hour that does not exist', () => {
    const bs = bucketsBetween(at('2025-03-09T05:00:00Z'), at('2025-03-09T09:00:00Z'), 'hour', NY)
    expect(bs.map((b) => b.start)).toEqual([
      '2025-03-09T00:00:00.000-05:00',
      '2025-03-09T01:00:00.000-05:00',
      '2025-03-09T03:00:00.000-04:00',
      '2025-03-09T04:00:00.000-04:00',
    ])
    expect(bs.map(hours)).toEqual([1, 1, 1, 1])
    expectContiguous(bs)
  })

  it('hours across fall-back have the 01:00 hour twice, with both offsets', () => {
    const bs = bucketsBetween(at('2025-11-02T04:00:00Z'), at('2025-11-02T08:00:00Z'), 'hour', NY)
    expect(bs.map((b) => b.start)).toEqual([
      '2025-11-02T00:00:00.000-04:00',
      '2025-11-02T01:00:00.000-04:00',
      '2025-11-02T01:00:00.000-05:00',
      '2025-11-02T02:00:00.000-05:00',
    ])
    expect(bs.map(hours)).toEqual([1, 1, 1, 1])
  })

  it('a day over a day range covers exactly 24 × days on both sides of the year', () => {
    // Summer and winter, whole days only.
    const summer = bucketsBetween(at('2025-07-01T04:00:00Z'), at('2025-07-08T04:00:00Z'), 'day', NY)
    expect(summer).toHaveLength(7)
    expect(summer.every((b) => hours(b) === 24)).toBe(true)
  })

  it('weeks start on Monday; the week holding the DST change is 167 hours', () => {
    // 2025-03-05 is a Wednesday.
    const bs = bucketsBetween(at('2025-03-05T17:00:00Z'), at('2025-03-20T00:00:00Z'), 'week', NY)
    expect(bs.map((b) => b.start)).toEqual(['2025-03-03T00:00:00.000-05:00', '2025-03-10T00:00:00.000-04:00', '2025-03-17T00:00:00.000-04:00'])
    for (const b of bs) expect(DateTime.fromISO(b.start, { setZone: true }).weekday).toBe(1)
    expect(bs.map(hours)).toEqual([167, 168, 168])
    expectContiguous(bs)
  })

  it('the first bucket starts at the start of the unit holding `from`; the last one ends at or after `to`', () => {
    const from = at('2025-07-16T14:37:00Z')
    const to = at('2025-07-16T17:05:00Z')
    const bs = bucketsBetween(from, to, 'hour', NY)
    expect(bs[0]!.start).toBe('2025-07-16T10:00:00.000-04:00')
    expect(bs.at(-1)!.endMs).toBeGreaterThanOrEqual(to)
    expect(bs.at(-1)!.startMs).toBeLessThan(to)
    expect(bs).toHaveLength(4)
  })

  it('follows the zone it is given', () => {
    const bs = bucketsBetween(at('2025-07-16T00:00:00Z'), at('2025-07-17T00:00:00Z'), 'day', 'Asia/Shanghai')
    expect(bs.map((b) => b.start)).toEqual(['2025-07-16T00:00:00.000+08:00', '2025-07-17T00:00:00.000+08:00'])
  })
})

describe('parseUserTime', () => {
  it('a bare date means local midnight for --from and the end of that day for --to', () => {
    expect(parseUserTime('2025-07-16', NY, 'from', '--from')).toBe(at('2025-07-16T04:00:00Z'))
    expect(parseUserTime('2025-07-16', NY, 'to', '--to')).toBe(at('2025-07-17T04:00:00Z'))
    expect(parseUserTime(' 2025-07-16 ', NY, 'from', '--from')).toBe(at('2025-07-16T04:00:00Z'))
  })

  it('the end of a DST day is 23 or 25 hours after its start', () => {
    expect(parseUserTime('2025-03-09', NY, 'to', '--to') - parseUserTime('2025-03-09', NY, 'from', '--from')).toBe(23 * HOUR)
    expect(parseUserTime('2025-11-02', NY, 'to', '--to') - parseUserTime('2025-11-02', NY, 'from', '--from')).toBe(25 * HOUR)
    expect(parseUserTime('2025-03-09', NY, 'to', '--to')).toBe(at('2025-03-10T04:00:00Z'))
  })

  it('an ISO time with an offset is that instant, whatever the zone or edge', () => {
    expect(parseUserTime('2025-07-16T08:00:00+02:00', NY, 'from', '--from')).toBe(at('2025-07-16T06:00:00Z'))
    expect(parseUserTime('2025-07-16T08:00:00+02:00', 'Asia/Tokyo', 'to', '--to')).toBe(at('2025-07-16T06:00:00Z'))
    expect(parseUserTime('2025-07-16T08:00Z', NY, 'to', '--to')).toBe(at('2025-07-16T08:00:00Z'))
  })

  it('an ISO time without an offset is read in the configured zone', () => {
    expect(parseUserTime('2025-07-16T08:00', NY, 'from', '--from')).toBe(at('2025-07-16T12:00:00Z'))
    expect(parseUserTime('2025-01-16T08:00', NY, 'from', '--from')).toBe(at('2025-01-16T13:00:00Z'))
  })

  it.each(['2025-02-30', '2025-13-01', 'yesterday', '', '16/07/2025', '2025-07-16T25:00', 'now'])('%j is a UsageError naming the flag and value', (bad) => {
    let err: unknown
    try {
      parseUserTime(bad, NY, 'from', '--since')
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(UsageError)
    expect((err as UsageError).exitCode).toBe(2)
    expect((err as Error).message).toContain(`--since ${bad}`)
    expect((err as Error).message).toContain('YYYY-MM-DD')
  })
})

describe('dayRange and dayOf', () => {
  it('dayRange is local midnight to local midnight, 23 or 25 hours on DST days', () => {
    expect(dayRange('2025-07-16', NY)).toEqual({ from: at('2025-07-16T04:00:00Z'), to: at('2025-07-17T04:00:00Z') })
    const spring = dayRange('2025-03-09', NY)
    expect((spring.to - spring.from) / HOUR).toBe(23)
    const fall = dayRange('2025-11-02', NY)
    expect((fall.to - fall.from) / HOUR).toBe(25)
  })

  it.each(['2025-7-1', '2025-02-30', 'tomorrow', '2025-07-16T00:00'])('dayRange(%j) is a UsageError', (bad) => {
    expect(() => dayRange(bad, NY)).toThrow(UsageError)
  })

  it('dayOf gives the local calendar day', () => {
    expect(dayOf(at('2025-07-17T03:59:59Z'), NY)).toBe('2025-07-16')
    expect(dayOf(at('2025-07-17T04:00:00Z'), NY)).toBe('2025-07-17')
  })
})
