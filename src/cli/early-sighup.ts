/**
 * SIGHUPs noted from the process's first moment (src/cli/bin.ts), before any command has a handler: Node
 * exits on SIGHUP while nothing listens, and a daemon that is still loading (a second or so) must not be
 * killed by `systemctl reload` or `stancewatch reload`. `start` re-reads its config once if one came;
 * every other command gets the default back (see main.ts).
 */
export interface EarlySighup {
  /** SIGHUPs received so far (the listener stays installed for the process's life). */
  count: number
  listener: () => void
}

export const EARLY_SIGHUP = Symbol.for('stancewatch.early-sighup')

/** What bin.ts installed, or undefined (the CLI run in-process, as tests do). */
export function earlySighup(): EarlySighup | undefined {
  return (globalThis as Record<symbol, unknown>)[EARLY_SIGHUP] as EarlySighup | undefined
}
