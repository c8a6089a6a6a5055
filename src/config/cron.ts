import { Cron } from 'croner'

/**
 * A cron expression in a time zone: five fields (minute first) or six (seconds first). Local times that do
 * not exist (the hour skipped when clocks go forward) run at the next valid time; local times that happen
 * twice (when clocks go back) run once.
 */
export class CronSchedule {
  private readonly cron: Cron

  constructor(
    readonly expression: string,
    readonly timezone: string,
  ) {
    this.cron = new Cron(expression, { timezone, paused: true })
  }

  /** The first slot strictly after `after` (ms), or null if the expression never fires again. */
  next(after: number): number | null {
    return this.cron.nextRun(new Date(after))?.getTime() ?? null
  }

  /** The latest slot at or before `at`, or null if none. */
  previous(at: number): number | null {
    return this.cron.previousRuns(1, new Date(at + 1))[0]?.getTime() ?? null
  }
}

/** Whether croner accepts the expression (the config check and the scheduler use the same parser). */
export function isValidCron(expression: string): boolean {
  try {
    new Cron(expression, { paused: true })
    return true
  } catch {
    return false
  }
}
