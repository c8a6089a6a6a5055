import { InvalidArgumentError, type Command } from 'commander'
import type { GlobalOptions } from './session.js'

/** Options of a command merged with the program's global ones. */
export function optionsOf<T>(cmd: Command): T & GlobalOptions {
  return cmd.optsWithGlobals<T & GlobalOptions>()
}

/** A commander argument parser that accepts only the listed values, with a message naming them. */
export function oneOf<T extends string>(values: readonly T[]) {
  return (v: string): T => {
    if (!(values as readonly string[]).includes(v)) throw new InvalidArgumentError(`use one of: ${values.join(', ')}`)
    return v as T
  }
}

export function positiveInt(v: string): number {
  const n = Number(v)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('use a whole number above 0')
  return n
}

/** A number from 0 to 1 (a confidence, a share). */
export function unitInterval(v: string): number {
  const n = Number(v)
  if (v.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidArgumentError('use a number from 0 to 1, e.g. 0.7')
  return n
}

/** A repeatable option that also takes comma-separated lists: `--label a,b --label c` is [a, b, c]. */
export function listOf(v: string, previous: string[] | undefined): string[] {
  const items = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (items.length === 0) throw new InvalidArgumentError('give at least one value (a list is comma-separated)')
  return [...(previous ?? []), ...items]
}

/** Signals stop long work after the current batch instead of killing it mid-transaction. */
export function abortOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController()
  const stop = () => ac.abort()
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
  return {
    signal: ac.signal,
    dispose: () => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
    },
  }
}

/** A number above 0, fractions allowed (seconds: `--timeout 0.5`). */
export function positiveNumber(v: string): number {
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('use a number above 0, e.g. 30 or 0.5')
  return n
}
