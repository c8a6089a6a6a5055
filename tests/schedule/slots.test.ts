import { DateTime } from 'luxon'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../../src/logger.js'
import { Scheduler, type Slot } from '../../src/schedule/scheduler.js'
import { FakeClock, until } from './fake-clock.js'

const ZONE = 'America/New_York'
const local = (ms: number) => DateTime.fromMillis(ms, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm ZZZZ')
const at = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toMillis()

type Job = 'a' | 'b' | 'c'
const schedulers: Scheduler<Job>[] = []
afterEach(async () => {
  for (const s of schedulers.splice(0)) await s.stop()
})

/** A scheduler on a fake clock whose runs only record themselves, with slots kept in a map (the database's role). */
function harness(start: number, jobs: { name: Job; cron: string }[], saved = new Map<Job, number>()) {
  const clock = new FakeClock(start)
  const fired: { job: Job; slot: Slot; now: number }[] = []
  let busy = 0
  const scheduler = new Scheduler<Job>({
    jobs,
    timezone: ZONE,
    clock,
    slots: { last: (j) => saved.get(j) ?? null, save: (j, t) => void saved.set(j, Math.max(saved.get(j) ?? t, t)) },
    run: async (job, slot) => {
      busy++
      fired.push({ job, slot, now: clock.now() })
      await new Promise((r) => setImmediate(r))
      busy--
    },
    log: silentLogger,
  })
  schedulers.push(scheduler)
  const idle = () => busy === 0 && clock.sleeping() === jobs.length
  return { clock, fired, saved, scheduler, idle, advanceTo: (t: number) => clock.advanceTo(t, idle) }
}

describe('the scheduler on a controllable clock', () => {
  it('fires at the right local times across the spring daylight-saving change (a missing local time runs once, at the next valid time)', async () => {
    const h = harness(at('2026-03-06T12:00'), [
      { name: 'a', cron: '0 8 * * *' },
      { name: 'b', cron: '30 2 * * *' },
      { name: 'c', cron: '0 * * * *' },
    ])
    h.scheduler.start()
    await h.advanceTo(at('2026-03-10T12:00'))
    const of = (job: Job) => h.fired.filter((f) => f.job === job).map((f) => local(f.slot.at))
    expect(of('a')).toEqual(['2026-03-07 08:00 EST', '2026-03-08 08:00 EDT', '2026-03-09 08:00 EDT', '2026-03-10 08:00 EDT'])
    // 02:30 does not exist on 8 March in New York: that day's run comes at 03:00, once.
    expect(of('b')).toEqual(['2026-03-07 02:30 EST', '2026-03-08 03:00 EDT', '2026-03-09 02:30 EDT', '2026-03-10 02:30 EDT'])
    // Hourly: the day of the change has 23 hours, and no hour runs twice.
    const hourly = h.fired.filter((f) => f.job === 'c').map((f) => f.slot.at)
    expect(new Set(hourly).size).toBe(hourly.length)
    expect(hourly.filter((t) => local(t).startsWith('2026-03-08'))).toHaveLength(23)
    // Every run happened at its slot's time, never early.
    for (const f of h.fired) expect(f.now).toBe(f.slot.at)
  })

  it('fires once at a local time that happens twice when clocks go back in the autumn', async () => {
    const h = harness(at('2026-10-31T12:00'), [
      { name: 'a', cron: '30 1 * * *' },
      { name: 'b', cron: '0 8 * * *' },
    ])
    h.scheduler.start()
    await h.advanceTo(at('2026-11-03T12:00'))
    const of = (job: Job) => h.fired.filter((f) => f.job === job).map((f) => local(f.slot.at))
    expect(of('a')).toEqual(['2026-11-01 01:30 EDT', '2026-11-02 01:30 EST', '2026-11-03 01:30 EST'])
    expect(of('b')).toEqual(['2026-11-01 08:00 EST', '2026-11-02 08:00 EST', '2026-11-03 08:00 EST'])
  })

  it('never runs a slot twice when the clock moves backwards', async () => {
    const h = harness(at('2026-06-01T07:58'), [{ name: 'a', cron: '*/5 * * * *' }])
    h.scheduler.start()
    await h.advanceTo(at('2026-06-01T08:01'))
    expect(h.fired.map((f) => local(f.slot.at))).toEqual(['2026-06-01 08:00 EDT'])
    // The clock is set back four minutes (NTP, a VM resumed), and the loop recomputes its next slot.
    h.clock.set(at('2026-06-01T07:57'))
    h.scheduler.reschedule([{ name: 'a', cron: '*/5 * * * *' }], ZONE)
    await new Promise((r) => setImmediate(r))
    await h.advanceTo(at('2026-06-01T08:11'))
    expect(h.fired.map((f) => local(f.slot.at))).toEqual(['2026-06-01 08:00 EDT', '2026-06-01 08:05 EDT', '2026-06-01 08:10 EDT'])
  })

  it('a restart with a slot missed while down runs it once (however many were missed), then follows the schedule', async () => {
    const saved = new Map<Job, number>([['a', at('2026-06-01T08:00')]])
    const h = harness(at('2026-06-03T10:00'), [{ name: 'a', cron: '0 8 * * *' }], saved)
    h.scheduler.start()
    await h.advanceTo(at('2026-06-04T09:00'))
    expect(h.fired.map((f) => [f.slot.trigger, local(f.slot.at), local(f.now)])).toEqual([
      ['catch-up', '2026-06-03 08:00 EDT', '2026-06-03 10:00 EDT'],
      ['schedule', '2026-06-04 08:00 EDT', '2026-06-04 08:00 EDT'],
    ])
  })

  it('a first start runs nothing until the first slot (no catch-up without history)', async () => {
    const h = harness(at('2026-06-03T10:00'), [{ name: 'a', cron: '0 8 * * *' }])
    h.scheduler.start()
    await h.advanceTo(at('2026-06-04T07:59'))
    expect(h.fired).toEqual([])
    await h.advanceTo(at('2026-06-04T08:00'))
    expect(h.fired.map((f) => f.slot.trigger)).toEqual(['schedule'])
  })

  it('a run longer than the period skips the slots it overlapped instead of queueing them', async () => {
    const clock = new FakeClock(at('2026-06-01T07:59'))
    const fired: number[] = []
    let release: () => void = () => {}
    let running = 0
    const scheduler = new Scheduler<Job>({
      jobs: [{ name: 'a', cron: '* * * * *' }],
      timezone: ZONE,
      clock,
      slots: { last: () => null, save: () => {} },
      run: async (_job, slot) => {
        fired.push(slot.at)
        running++
        await new Promise<void>((r) => (release = r))
        running--
      },
      log: silentLogger,
    })
    schedulers.push(scheduler)
    scheduler.start()
    const settled = () => running === 1 || clock.sleeping() === 1
    await clock.advanceTo(at('2026-06-01T08:00'), settled)
    // The 08:00 run is still going at 08:03:30, past three more slots.
    clock.set(at('2026-06-01T08:03:30'))
    release()
    await until(() => clock.sleeping() === 1)
    await clock.advanceTo(at('2026-06-01T08:04:30'), settled)
    expect(fired.map(local)).toEqual(['2026-06-01 08:00 EDT', '2026-06-01 08:04 EDT'])
    release()
  })
})
