import { parentPort, workerData } from 'node:worker_threads'
import { checkpointPassive, openForCheckpoints } from '../store/wal.js'

/**
 * Copies the write-ahead log into the database file, over and over, while another thread writes: see
 * replay-checkpoints.ts. PASSIVE never waits for (or blocks) the writer; it copies what is committed and syncs.
 */
export interface CheckpointWorkerData {
  file: string
  everyMs: number
}

const { file, everyMs } = workerData as CheckpointWorkerData
const db = openForCheckpoints(file)
let stopping = false
/** Rounds that found committed pages to copy: shows the thread did the work. */
let copyingRounds = 0
parentPort!.on('message', () => (stopping = true))

function tick(): void {
  try {
    if (checkpointPassive(db) > 0) copyingRounds++
  } catch (e) {
    // The writer's own checkpoints carry on without us: say why we stopped, and stop.
    parentPort!.postMessage({ error: (e as Error).message })
    stopping = true
  }
  if (!stopping) {
    setTimeout(tick, everyMs)
    return
  }
  db.close()
  parentPort!.postMessage({ stopped: true, copyingRounds })
  parentPort!.close()
}

tick()
