import { describe, expect, it } from 'vitest'
import { detectSpike, median, type SpikeSettings } from '../../src/alerts/volume-spike.js'

const SETTINGS: SpikeSettings = { window_hours: 3, baseline_days: 14, min_posts: 15, sensitivity: 4, min_ratio: 2.5, confirm_hours: 2, cooldown_hours: 12 }

/** The series up to hour `end`, every hour known except those before the last `historyHours`. */
function upTo(series: readonly number[], end: number, historyHours = end) {
  return { hourly: series.slice(0, end), known: series.slice(0, end).map((_, i) => i >= end - historyHours) }
}

/** Posts per hour with a day/night rhythm: `day` posts an hour from 08:00 to 20:00, `night` otherwise. */
function rhythm(days: number, day = 10, night = 2): number[] {
  const out: number[] = []
  for (let d = 0; d < days; d++) for (let h = 0; h < 24; h++) out.push(h >= 8 && h < 20 ? day : night)
  return out
}

describe('detectSpike', () => {
  it('stays quiet on an ordinary day and an ordinary night', () => {
    const series = rhythm(15)
    for (const end of [24 * 14 + 12, 24 * 14 + 3, 24 * 15]) {
      const v = detectSpike(upTo(series, end), SETTINGS)
      expect(v.fired, `hour ${end}`).toBe(false)
    }
  })

  it('compares night hours with night hours: a busy night fires, a busy day at the same count does not', () => {
    const series = rhythm(15)
    const nightEnd = 24 * 14 + 5
    series.splice(nightEnd - 3, 3, 12, 14, 13) // 39 posts where 6 are usual
    const night = detectSpike(upTo(series, nightEnd), SETTINGS)
    expect(night.fired).toBe(true)
    expect(night.expected).toBeCloseTo(6, 6)
    const day = rhythm(15)
    const dayEnd = 24 * 14 + 14
    day.splice(dayEnd - 3, 3, 12, 14, 13) // 39 posts where 30 are usual
    expect(detectSpike(upTo(day, dayEnd), SETTINGS).fired).toBe(false)
  })

  it('fires on a 4× spike and reports observed, expected and the score', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    series.splice(end - 3, 3, 40, 40, 40)
    const v = detectSpike(upTo(series, end), SETTINGS)
    expect(v).toMatchObject({ fired: true, observed: 120, windowHours: 3 })
    expect(v.expected).toBeCloseTo(30, 6)
    // The oldest of the 14 days lacks the morning before it (the day centred on its window): 13 count.
    expect(v.baselineDays).toBe(13)
    expect(v.score).toBeGreaterThan(SETTINGS.sensitivity)
  })

  it('needs the minimum volume: 12 posts where 1 is usual is not an alert', () => {
    const series = rhythm(15, 1, 0)
    const end = 24 * 14 + 13
    series.splice(end - 3, 3, 4, 4, 4)
    const v = detectSpike(upTo(series, end), SETTINGS)
    expect(v.fired).toBe(false)
    expect(v.reason).toContain('minimum')
  })

  it('does not judge without two days of history', () => {
    const series = rhythm(2)
    series.splice(24 + 10, 3, 90, 90, 90)
    const v = detectSpike(upTo(series, 24 + 13), SETTINGS)
    expect(v.fired).toBe(false)
    expect(v.baselineDays).toBeLessThan(2)
  })

  it('ignores hours before collection started (zeros that are not quiet hours)', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    const v = detectSpike(upTo(series, end, 24 * 4), SETTINGS)
    expect(v.baselineDays).toBe(3)
  })

  it('follows a new normal: after the whole conversation doubled, a doubled day is not a spike', () => {
    const series = [...rhythm(10), ...rhythm(5, 25, 5)]
    const end = 24 * 14 + 13
    const v = detectSpike(upTo(series, end), SETTINGS)
    expect(v.fired).toBe(false)
  })

  it('a previous spike in the baseline does not hide a new one (median, not mean)', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    series.splice(end - 24 * 3 - 3, 3, 200, 200, 200)
    series.splice(end - 3, 3, 40, 40, 40)
    expect(detectSpike(upTo(series, end), SETTINGS).fired).toBe(true)
  })

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
  })
})

describe('detectSpike: windows, gaps and weeks', () => {
  it('tests windows of 1 to window_hours hours: a sharp hour fires on the 1-hour window', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    series.splice(end - 1, 1, 60) // one hour at 6× the usual 10
    const v = detectSpike(upTo(series, end), SETTINGS)
    expect(v).toMatchObject({ fired: true, windowHours: 1, observed: 60 })
  })

  it('leaves hours of a coverage gap out of the baseline instead of counting them as quiet', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    // Three of the baseline days lost the window's hours to an outage: zeros that mean nothing.
    for (const d of [1, 2, 3]) series.splice(end - d * 24 - 3, 3, 0, 0, 0)
    series.splice(end - 3, 3, 22, 22, 22) // 66 where 30 is usual: not a spike
    const known = series.slice(0, end).map((_, i) => ![1, 2, 3].some((d) => i >= end - d * 24 - 3 && i < end - d * 24))
    const honest = detectSpike({ hourly: series.slice(0, end), known }, SETTINGS)
    expect(honest.fired).toBe(false)
    expect(honest.expected).toBeCloseTo(30, 6)
    expect(honest.baselineDays).toBe(10)
  })

  it('flags a spike seen through a coverage gap as partial coverage: its count is a lower bound', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    series.splice(end - 3, 3, 60, 0, 70) // the middle hour was not collected
    const known = series.slice(0, end).map((_, i) => i !== end - 2)
    const v = detectSpike({ hourly: series.slice(0, end), known }, SETTINGS)
    expect(v.fired).toBe(true)
    expect(v.partialCoverage).toBe(v.windowHours >= 2)
  })

  it('learns quieter weekends once two of the same weekday are known: a weekend spike fires, a weekend day does not', () => {
    // 21 days, every 7th day (the check's weekday) at half volume.
    const week: number[] = []
    for (let d = 0; d < 22; d++) for (let h = 0; h < 24; h++) week.push((h >= 8 && h < 20 ? 20 : 4) * ((21 - d) % 7 === 0 ? 0.5 : 1))
    const end = 21 * 24 + 14
    expect(detectSpike(upTo(week, end), SETTINGS).fired).toBe(false)
    const spiked = [...week]
    spiked.splice(end - 2, 2, 32, 32) // 3.2× the weekend's 10 an hour, only 1.6× a weekday's 20
    const v = detectSpike(upTo(spiked, end), SETTINGS)
    expect(v.fired).toBe(true)
    expect(v.expected).toBeCloseTo(v.windowHours * 10, 0)
  })

  it('scores small counts by their skewed tail, not a normal curve: 16 where 5 are usual is less extreme than its plain z', () => {
    const low = rhythm(15, 5, 1)
    const end = 24 * 14 + 13
    low.splice(end - 1, 1, 16)
    const v = detectSpike(upTo(low, end), { ...SETTINGS, window_hours: 1, min_posts: 1 })
    const plainZ = (16 - v.expected) / Math.sqrt(v.expected + (0.25 * v.expected) ** 2)
    expect(v.score).toBeGreaterThan(3)
    expect(v.score).toBeLessThan(plainZ)
  })
})
