import { parentPort, workerData, type MessagePort } from 'node:worker_threads'
import type { TopicConfig } from '../config/schema.js'
import { compileTopics } from '../match/matcher.js'
import type { ReplayPiece } from '../sources/replay.js'
import { handOver, transferables, type HandedChunk } from './replay-handover.js'
import { chunkOfPiece, prepareChunk } from './replay-prepare.js'

/**
 * A worker thread that parses, normalizes and matches the pieces of a replay file the writing thread sends
 * it, and sends each back prepared. It gets the topics as data, not the config file, so that it starts
 * without loading the config's validator and parser.
 */
export interface ReplayWorkerData {
  topics: TopicConfig[]
  /** Where prepared chunks go: a port the writing thread can drain without waiting for its event loop. */
  results: MessagePort
}

/** Writing thread → worker: one piece, its bytes transferred. */
export interface PieceToPrepare extends Omit<ReplayPiece, 'bytesRead'> {
  id: number
}

export type ReplayWorkerMessage = { type: 'ready' } | { type: 'chunk'; chunk: HandedChunk } | { type: 'error'; message: string; input: boolean }

const data = workerData as ReplayWorkerData
const send = (m: ReplayWorkerMessage) => data.results.postMessage(m, m.type === 'chunk' ? transferables(m.chunk) : [])

try {
  const topics = compileTopics(data.topics)
  parentPort!.on('message', (p: PieceToPrepare) => {
    try {
      send({ type: 'chunk', chunk: handOver(prepareChunk(topics, chunkOfPiece(p.id, p))) })
    } catch (e) {
      send({ type: 'error', message: (e as Error).message, input: (e as Error).name === 'InputError' })
    }
  })
  send({ type: 'ready' })
} catch (e) {
  send({ type: 'error', message: (e as Error).message, input: false })
}
