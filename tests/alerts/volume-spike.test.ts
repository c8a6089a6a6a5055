import { describe, expect, it } from 'vitest'
import { detectSpike, median, type SpikeSettings } from '../../src/alerts/volume-spike.js'

const SETTINGS: SpikeSettings = { window_hours: 3, baseline_days: 14, min_posts: 15, sensitivity: 4, min_ratio: 2.5, cooldown_hours: 12 }

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
      const v = detectSpike({ hourly: series.slice(0, end), historyHours: end }, SETTINGS)
      expect(v.fired, `hour ${end}`).toBe(false)
    }
  })

  it('compares night hours with night hours: a busy night fires, a busy day at the same count does not', () => {
    const series = rhythm(15)
    const nightEnd = 24 * 14 + 5
    series.splice(nightEnd - 3, 3, 12, 14, 13) // 39 posts where 6 are usual
    const night = detectSpike({ hourly: series.slice(0, nightEnd), historyHours: nightEnd }, SETTINGS)
    expect(night.fired).toBe(true)
    expect(night.expected).toBe(6)
    const day = rhythm(15)
    const dayEnd = 24 * 14 + 14
    day.splice(dayEnd - 3, 3, 12, 14, 13) // 39 posts where 30 are usual
    expect(detectSpike({ hourly: day.slice(0, dayEnd), historyHours: dayEnd }, SETTINGS).fired).toBe(false)
  })

  it('fires on a 4× spike and reports observed, expected and the score', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    series.splice(end - 3, 3, 40, 40, 40)
    const v = detectSpike({ hourly: series.slice(0, end), historyHours: end }, SETTINGS)
    expect(v).toMatchObject({ fired: true, observed: 120, expected: 30, baselineDays: 14 })
    expect(v.score).toBeGreaterThan(SETTINGS.sensitivity)
  })

  it('needs the minimum volume: 12 posts where 1 is usual is not an alert', () => {
    const series = rhythm(15, 1, 0)
    const end = 24 * 14 + 13
    series.splice(end - 3, 3, 4, 4, 4)
    const v = detectSpike({ hourly: series.slice(0, end), historyHours: end }, SETTINGS)
    expect(v.fired).toBe(false)
    expect(v.reason).toContain('minimum')
  })

  it('does not judge without three days of history', () => {
    const series = rhythm(3)
    series.splice(24 * 2 + 10, 3, 90, 90, 90)
    const v = detectSpike({ hourly: series.slice(0, 24 * 2 + 13), historyHours: 24 * 2 + 13 }, SETTINGS)
    expect(v.fired).toBe(false)
    expect(v.baselineDays).toBe(2)
  })

  it('ignores hours before collection started (zeros that are not quiet hours)', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    const v = detectSpike({ hourly: series.slice(0, end), historyHours: 24 * 4 }, SETTINGS)
    expect(v.baselineDays).toBe(3)
  })

  it('follows a new normal: after the whole conversation doubled, a doubled day is not a spike', () => {
    const series = [...rhythm(10), ...rhythm(5, 25, 5)]
    const end = 24 * 14 + 13
    const v = detectSpike({ hourly: series.slice(0, end), historyHours: end }, SETTINGS)
    expect(v.fired).toBe(false)
  })

  it('a previous spike in the baseline does not hide a new one (median, not mean)', () => {
    const series = rhythm(15)
    const end = 24 * 14 + 13
    series.splice(end - 24 * 3 - 3, 3, 200, 200, 200)
    series.splice(end - 3, 3, 40, 40, 40)
    expect(detectSpike({ hourly: series.slice(0, end), historyHours: end }, SETTINGS).fired).toBe(true)
  })

  it('median', () => {
    expect(median([3, 1, 2])).toBe(2)
    expect(median([4, 1, 2, 3])).toBe(2.5)
  })
})
