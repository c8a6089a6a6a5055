import { MessageChannel, receiveMessageOnPort, type Worker } from 'node:worker_threads'
import type { TopicConfig } from '../config/schema.js'
import { InputError } from '../domain/errors.js'
import type { CompiledTopic } from '../match/matcher.js'
import { readReplayPieces, type ReplayPiece } from '../sources/replay.js'
import { startWorker } from '../threads/start.js'
import { takeOver, type HandedChunk } from './replay-handover.js'
import { chunkOfPiece, prepareChunk, type PreparedChunk } from './replay-prepare.js'
import type { PieceToPrepare, ReplayWorkerData, ReplayWorkerMessage } from './replay-worker.js'

export interface ChunkSource {
  /** Prepared chunks in file order. */
  chunks: AsyncGenerator<{ chunk: PreparedChunk; bytesRead: number }>
  close: () => Promise<void>
}

/** Read and prepare a file on this thread: for small archives, where a worker would cost more than it saves. */
export function chunksHere(topics: readonly CompiledTopic[], file: string, fromLine: number, chunkLines: number, maxLineBytes: number): ChunkSource {
  async function* gen() {
    let id = 0
    for await (const piece of readReplayPieces(file, fromLine, chunkLines, maxLineBytes)) {
      yield { chunk: prepareChunk(topics, chunkOfPiece(id++, piece)), bytesRead: piece.bytesRead }
    }
  }
  return { chunks: gen(), close: async () => {} }
}

/**
 * Parsing a chunk allocates many short-lived objects: a young generation this size spares the worker most
 * scavenges, and the memory goes when the worker ends.
 */
const WORKER_YOUNG_GENERATION_MB = 64
/**
 * Pieces read and not yet stored, per worker: enough that a worker never waits for its next piece, few
 * enough that memory stays bounded however large the archive and however slow the writing.
 */
const AHEAD_PER_WORKER = 3

/**
 * Read a file here and have worker threads prepare it while this thread writes. The file is read and cut
 * into pieces of whole lines here (cheap: no decoding), and each piece's bytes are transferred to the
 * worker with the fewest in hand, at most `AHEAD_PER_WORKER` per worker ahead of the writing: no worker reads or decodes what another
 * prepares, and a slower one simply gets fewer pieces. This thread does not prepare pieces itself while it
 * waits: warming up a second copy of the parsing code costs more than it saves.
 */
export function chunksInWorkers(
  topicConfigs: readonly TopicConfig[],
  file: string,
  fromLine: number,
  chunkLines: number,
  maxLineBytes: number,
  workers: number,
): ChunkSource {
  const pieces = readReplayPieces(file, fromLine, chunkLines, maxLineBytes)
  /** Prepared chunks waiting for their turn to be written, still as handed over: a few objects each, not thousands. */
  const prepared = new Map<number, { chunk: HandedChunk; bytesRead: number }>()
  const bytesReadOf = new Map<number, number>()
  let failure: Error | null = null
  /** Why the file could not be read to its end (a broken .gz): raised once every piece read before is written. */
  let readFailure: Error | null = null
  let closing = false
  let wake: (() => void) | null = null
  const poke = () => {
    wake?.()
    wake = null
  }
  const pool = Array.from({ length: workers }, () => {
    // Results come back on a port of their own, which this thread drains whenever it decides what to do
    // next, without waiting for its event loop to turn.
    const { port1: results, port2 } = new MessageChannel()
    const workerData: ReplayWorkerData = { topics: [...topicConfigs], results: port2 }
    const w: Worker = startWorker('./replay-worker', import.meta.url, {
      workerData,
      transferList: [port2],
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    })
    const state = { w, results, ready: false, inFlight: 0, drain: () => {} }
    const onMessage = (m: ReplayWorkerMessage) => {
      if (m.type === 'ready') state.ready = true
      else if (m.type === 'chunk') {
        state.inFlight--
        prepared.set(m.chunk.id, { chunk: m.chunk, bytesRead: bytesReadOf.get(m.chunk.id) ?? 0 })
        bytesReadOf.delete(m.chunk.id)
      } else failure ??= m.input ? new InputError(m.message) : new Error(m.message)
      poke()
    }
    results.on('message', onMessage)
    state.drain = () => {
      for (let r = receiveMessageOnPort(results); r; r = receiveMessageOnPort(results)) onMessage(r.message as ReplayWorkerMessage)
    }
    w.on('error', (e) => {
      failure ??= e
      poke()
    })
    w.on('exit', (code) => {
      if (!closing) failure ??= new Error(`a replay worker stopped unexpectedly (exit code ${code})`)
      poke()
    })
    return state
  })

  let readId = 0
  /** The next chunk to hand to the writer. */
  let next = 0
  let allRead = false
  /** Hand out pieces to the ready workers, least busy first, until the writer has enough ahead (or the file ends). */
  const feed = async () => {
    for (;;) {
      const s = pool.filter((x) => x.ready).sort((a, b) => a.inFlight - b.inFlight)[0]
      if (!s || allRead || readId - next >= AHEAD_PER_WORKER * pool.length) return
      let r: IteratorResult<ReplayPiece>
      try {
        r = await pieces.next()
      } catch (e) {
        readFailure = e instanceof Error ? e : new Error(String(e))
        r = { done: true, value: undefined }
      }
      if (r.done) {
        allRead = true
        return
      }
      const { bytesRead, ...piece } = r.value
      const id = readId++
      bytesReadOf.set(id, bytesRead)
      const message: PieceToPrepare = { id, ...piece }
      s.w.postMessage(message, [piece.bytes.buffer as ArrayBuffer])
      s.inFlight++
    }
  }

  async function* gen() {
    for (;;) {
      for (const s of pool) s.drain()
      if (failure) throw failure
      await feed()
      const item = prepared.get(next)
      if (item) {
        prepared.delete(next)
        next++
        yield { chunk: takeOver(item.chunk), bytesRead: item.bytesRead }
        continue
      }
      if (allRead && pool.every((s) => s.inFlight === 0)) {
        if (readFailure) throw readFailure
        return
      }
      await new Promise<void>((resolve) => (wake = resolve))
    }
  }
  return {
    chunks: gen(),
    close: async () => {
      closing = true
      for (const s of pool) s.results.close()
      await Promise.all([pieces.return(undefined), ...pool.map((s) => s.w.terminate())])
    },
  }
}
