import cliProgress from 'cli-progress'
import type { Progress } from '../jobs/collect.js'
import type { Io } from './io.js'

export interface ProgressReporter {
  update: (p: Progress) => void
  stop: () => void
}

/** A progress bar on stderr when a person is watching; nothing when stderr is piped or logged. */
export function progressBar(io: Io, unit: 'bytes' | 'posts' | 'queries'): ProgressReporter {
  if (!io.stderrIsTTY) return { update: () => {}, stop: () => {} }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: unit === 'bytes' ? '{label} [{bar}] {percentage}% | {doneMb}/{totalMb} MB | eta {eta_formatted}' : `{label} [{bar}] {percentage}% | {value}/{total} ${unit} | eta {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update: (p) => {
      const payload = { label: p.label, doneMb: (p.done / 1e6).toFixed(1), totalMb: (p.total / 1e6).toFixed(1) }
      if (!started) {
        bar.start(p.total, p.done, payload)
        started = true
      } else {
        bar.setTotal(p.total)
        bar.update(p.done, payload)
      }
    },
    stop: () => {
      if (started) bar.stop()
    },
  }
}
