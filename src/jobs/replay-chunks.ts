import type { Worker } from 'node:worker_threads'
import type { CompiledTopic } from '../match/matcher.js'
import { InputError } from '../domain/errors.js'
import { readReplayFile } from '../sources/replay.js'
import { startWorker } from '../threads/start.js'
import { takeOver } from './replay-handover.js'
import { prepareChunk, type PreparedChunk } from './replay-prepare.js'
import type { ReplayWorkerData, ReplayWorkerMessage } from './replay-worker.js'

export interface ChunkSource {
  chunks: AsyncGenerator<{ chunk: PreparedChunk; bytesRead: number }>
  /** Tell the producer a chunk is stored, so it may prepare one more. */
  done: () => void
  close: () => Promise<void>
}

/** Read and prepare a file on this thread: for small archives, where a worker would cost more than it saves. */
export function chunksHere(topics: readonly CompiledTopic[], file: string, fromLine: number, chunkLines: number): ChunkSource {
  async function* gen() {
    let id = 0
    let lines: { line: number; text: string }[] = []
    let bytesRead = 0
    for await (const item of readReplayFile(file, fromLine)) {
      lines.push({ line: item.line, text: item.text })
      bytesRead = item.bytesRead
      if (lines.length >= chunkLines) {
        yield { chunk: prepareChunk(topics, { id: id++, lines }), bytesRead }
        lines = []
      }
    }
    if (lines.length) yield { chunk: prepareChunk(topics, { id: id++, lines }), bytesRead }
  }
  return { chunks: gen(), done: () => {}, close: async () => {} }
}

/**
 * Parsing a chunk allocates many short-lived objects; with V8's default young generation the worker spends
 * about a fifth of its time in scavenges. 64 MB cuts the replay's time by ~15% (bench/ingest.bench.ts), and
 * the memory goes when the worker ends.
 */
const WORKER_YOUNG_GENERATION_MB = 64

/**
 * Read and prepare a file on other cores while this thread writes to SQLite: each worker reads the whole
 * file (cheap) but parses and matches only every n-th chunk; chunks are handed back here in file order.
 */
export function chunksInWorkers(configFile: string, file: string, fromLine: number, chunkLines: number, workers: number, credits = 3): ChunkSource {
  const ready = new Map<number, { chunk: PreparedChunk; bytesRead: number }>()
  const ended = new Set<number>()
  let failure: Error | null = null
  let wake: (() => void) | null = null
  const poke = () => {
    wake?.()
    wake = null
  }
  const pool = Array.from({ length: workers }, (_, index) => {
    const workerData: ReplayWorkerData = { configFile, file, fromLine, chunkLines, credits, index, workers }
    const w: Worker = startWorker('./replay-worker', import.meta.url, { workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } })
    w.on('message', (m: ReplayWorkerMessage) => {
      if (m.type === 'chunk') ready.set(m.chunk.id, { chunk: takeOver(m.chunk), bytesRead: m.bytesRead })
      else if (m.type === 'end') ended.add(index)
      else failure ??= m.input ? new InputError(m.message) : new Error(m.message)
      poke()
    })
    w.on('error', (e) => {
      failure ??= e
      poke()
    })
    return w
  })
  let next = 0
  async function* gen() {
    for (;;) {
      // Chunk `next` comes from worker next % n; if that worker has ended, every chunk has arrived.
      while (!ready.has(next) && !failure && !ended.has(next % workers)) await new Promise<void>((r) => (wake = r))
      if (failure) throw failure
      const item = ready.get(next)
      if (!item) return
      ready.delete(next)
      next++
      yield item
    }
  }
  return {
    chunks: gen(),
    // The chunk just stored came from worker (next - 1) % n: give it a credit back.
    done: () => pool[(next - 1) % workers]!.postMessage('ack'),
    close: async () => {
      await Promise.all(pool.map((w) => w.terminate()))
    },
  }
}
