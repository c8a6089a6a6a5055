import { CronSchedule } from '../config/cron.js'

/** The moments a cron schedule fires in [from, to), in its time zone: when the daemon would have checked. */
export function scheduleTimes(cron: string, zone: string, from: number, to: number): number[] {
  const schedule = new CronSchedule(cron, zone)
  const out: number[] = []
  for (let t = schedule.next(from - 1); t !== null && t < to; t = schedule.next(t)) out.push(t)
  return out
}
