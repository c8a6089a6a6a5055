import { describe, expect, it } from 'vitest'
import { decide, type EpisodeRule } from '../../src/alerts/episode.js'

const H = 3_600_000
const RULE: EpisodeRule = { confirmHours: 2, cooldownHours: 6, maxEventHours: 15 * 24 }
/** A condition that holds at the listed hours (hour numbers since 0). */
const holdsAt =
  (...hours: number[]) =>
  (end: number) =>
    hours.includes(end / H)

describe('decide: one event, one alert', () => {
  it('needs the condition at confirm_hours consecutive checks', () => {
    expect(decide(10 * H, holdsAt(10), null, RULE)).toBe('unconfirmed')
    expect(decide(10 * H, holdsAt(9, 10), null, RULE)).toBe('fire')
    expect(decide(10 * H, holdsAt(9), null, RULE)).toBe('quiet')
    expect(decide(10 * H, holdsAt(10), null, { ...RULE, confirmHours: 1 })).toBe('fire')
  })

  it('keeps quiet within the cooldown of the previous alert', () => {
    expect(decide(14 * H, holdsAt(13, 14), 10 * H, RULE)).toBe('cooldown')
  })

  it('a condition that has held at every check since the alert is the same event, however long it lasts', () => {
    const always = () => true
    expect(decide(30 * H, always, 10 * H, RULE)).toBe('same-event')
    // …until it has been quiet once: then it is a new event.
    expect(decide(30 * H, (e) => e !== 20 * H, 10 * H, RULE)).toBe('fire')
  })

  it('an alert at or after this hour (a re-run, a restart) is never raised again', () => {
    expect(decide(10 * H, holdsAt(9, 10), 10 * H, RULE)).toBe('same-event')
    expect(decide(10 * H, holdsAt(9, 10), 12 * H, RULE)).toBe('same-event')
  })

  it('stops following an event back after maxEventHours', () => {
    expect(decide(400 * H, () => true, 10 * H, RULE)).toBe('fire')
  })
})
