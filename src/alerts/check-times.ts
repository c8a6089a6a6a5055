import { DateTime } from 'luxon'
import { parse } from 'node-cron'

/**
 * The moments a cron schedule fires in [from, to), in its time zone: when the daemon would have checked.
 * Walks local hours (luxon handles daylight-saving days) and tries the schedule's minutes in each.
 */
export function scheduleTimes(cron: string, zone: string, from: number, to: number): number[] {
  const f = parse(cron)
  const minutes = [...f.minute].sort((a, b) => a - b)
  const hours = new Set(f.hour)
  const days = new Set(f.dayOfMonth.map(Number))
  const months = new Set(f.month)
  const weekdays = new Set(f.dayOfWeek.map((d) => Number(d) % 7))
  const out: number[] = []
  let hour = DateTime.fromMillis(from, { zone }).startOf('hour')
  while (hour.toMillis() < to) {
    if (hours.has(hour.hour) && days.has(hour.day) && months.has(hour.month) && weekdays.has(hour.weekday % 7)) {
      for (const m of minutes) {
        const t = hour.toMillis() + m * 60_000
        if (t >= from && t < to) out.push(t)
      }
    }
    hour = hour.plus({ hours: 1 })
  }
  return out
}
