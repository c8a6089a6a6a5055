import type { Logger } from '../logger.js'
import type { Db } from '../store/db.js'
import { autoCheckpointPages, hasWriteAheadLog, setAutoCheckpointPages } from '../store/wal.js'
import { startWorker } from '../threads/start.js'
import type { CheckpointWorkerData } from './replay-checkpoint-worker.js'

export interface BackgroundCheckpoints {
  /** Ends the thread and gives checkpoints back to the writer; resolves with how many rounds copied pages. */
  stop(): Promise<number>
}

/** Pages in the log before the writer checkpoints itself, while the background thread runs (default 1000). */
const WRITER_CHECKPOINT_PAGES = 4000
const EVERY_MS = 20

/**
 * For a bulk load (a large replay): copy the write-ahead log into the database on another thread. Left to
 * the writer, a checkpoint (copy, then two fsyncs) runs inside a commit every 1000 pages and the writing
 * waits for it; in the background the same copies and syncs happen, with the same durability
 * (synchronous=NORMAL), while the writer carries on. The writer still checkpoints, less often, for what
 * the background missed: only then can the log start over from its beginning, so it stays a few tens of MB.
 * A database in memory has no log: nothing to do.
 */
export function startBackgroundCheckpoints(db: Db, log: Logger): BackgroundCheckpoints {
  if (!hasWriteAheadLog(db)) return { stop: () => Promise.resolve(0) }
  const before = autoCheckpointPages(db)
  setAutoCheckpointPages(db, Math.max(before, WRITER_CHECKPOINT_PAGES))
  const workerData: CheckpointWorkerData = { file: db.name, everyMs: EVERY_MS }
  const worker = startWorker('./replay-checkpoint-worker', import.meta.url, { workerData })
  const stopped = new Promise<number>((resolve) => {
    worker.on('message', (m: { error?: string; stopped?: boolean; copyingRounds?: number }) => {
      if (m.error) log.warn({ error: m.error }, 'background checkpoints stopped; the writer checkpoints on its own')
      if (m.stopped) resolve(m.copyingRounds ?? 0)
    })
    worker.on('error', (e) => {
      log.warn({ error: e.message }, 'background checkpoints stopped; the writer checkpoints on its own')
      resolve(0)
    })
    worker.on('exit', () => resolve(0))
  })
  return {
    async stop() {
      worker.postMessage('stop')
      const rounds = await stopped
      setAutoCheckpointPages(db, before)
      return rounds
    },
  }
}
