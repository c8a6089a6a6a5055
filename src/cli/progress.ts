import cliProgress from 'cli-progress'
import type { Progress } from '../domain/progress.js'
import type { Io } from './io.js'

export interface ProgressReporter {
  update: (p: Progress) => void
  stop: () => void
}

const FORMATS = {
  bytes: '{label} [{bar}] {percentage}% | {doneMb}/{totalMb} MB | eta {eta_formatted}',
  posts: '{label} [{bar}] {percentage}% | {value}/{total} posts | eta {eta_formatted}',
  queries: '{label} [{bar}] {percentage}% | {value}/{total} queries | eta {eta_formatted}',
  // One phase after another (checking a file's rows, then writing them): a new label starts the bar again.
  rows: '{label} [{bar}] {percentage}% | {value}/{total} rows | eta {eta_formatted}',
  // `done`/`total` are milliseconds of time reached back into a window.
  'time back': '{label} [{bar}] {percentage}% | {doneH} of {totalH} h back',
}

/**
 * A progress bar on stderr when a person is watching; nothing when stderr is piped or logged. Time back
 * is per query: a new label (the next query's history pass) starts the bar again.
 */
export function progressBar(io: Io, unit: keyof typeof FORMATS): ProgressReporter {
  if (!io.stderrIsTTY) return { update: () => {}, stop: () => {} }
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: FORMATS[unit], hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  )
  let label: string | null = null
  return {
    update: (p) => {
      const payload = {
        label: p.label,
        doneMb: (p.done / 1e6).toFixed(1),
        totalMb: (p.total / 1e6).toFixed(1),
        doneH: (p.done / 3_600_000).toFixed(1),
        totalH: (p.total / 3_600_000).toFixed(0),
      }
      if (label === null || ((unit === 'time back' || unit === 'rows') && label !== p.label)) {
        if (label !== null) bar.stop()
        bar.start(p.total, p.done, payload)
        label = p.label
      } else {
        bar.setTotal(p.total)
        bar.update(p.done, payload)
        label = p.label
      }
    },
    stop: () => {
      if (label !== null) bar.stop()
      label = null
    },
  }
}
