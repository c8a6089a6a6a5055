import { Worker } from 'node:worker_threads'
import type { CompiledTopic } from '../match/matcher.js'
import { InputError } from '../domain/errors.js'
import { readReplayFile } from '../sources/replay.js'
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
 * Read and prepare a file on another core while this thread writes to SQLite: a large archive replays at
 * the speed of the writer, not of the writer plus the parser.
 */
export function chunksInWorker(configFile: string, file: string, fromLine: number, chunkLines: number, credits = 4): ChunkSource {
  const fromSources = import.meta.url.endsWith('.ts')
  const entry = new URL(`./replay-worker.${fromSources ? 'ts' : 'js'}`, import.meta.url)
  const workerData: ReplayWorkerData & { entry?: string } = { configFile, file, fromLine, chunkLines, credits, entry: entry.href }
  const worker = fromSources ? new Worker(new URL('./worker-boot.mjs', import.meta.url), { workerData }) : new Worker(entry, { workerData })
  const queue: ReplayWorkerMessage[] = []
  let wake: (() => void) | null = null
  let failure: Error | null = null
  worker.on('message', (m: ReplayWorkerMessage) => {
    queue.push(m)
    wake?.()
  })
  worker.on('error', (e) => {
    failure = e
    wake?.()
  })
  async function* gen() {
    for (;;) {
      while (queue.length === 0 && !failure) await new Promise<void>((r) => (wake = r))
      if (failure) throw failure
      const m = queue.shift()!
      if (m.type === 'end') return
      if (m.type === 'error') throw m.input ? new InputError(m.message) : new Error(m.message)
      yield { chunk: m.chunk, bytesRead: m.bytesRead }
    }
  }
  return { chunks: gen(), done: () => worker.postMessage('ack'), close: () => worker.terminate().then(() => undefined) }
}
