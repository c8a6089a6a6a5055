import { parentPort, workerData } from 'node:worker_threads'
import { loadConfig } from '../config/load.js'
import { compileTopics } from '../match/matcher.js'
import { readReplayFile } from '../sources/replay.js'
import { handOver, type HandedChunk } from './replay-handover.js'
import { prepareChunk } from './replay-prepare.js'

/**
 * A worker thread that reads a replay file and parses, normalizes and matches it, chunk by chunk, while the
 * main thread writes. It runs at most `credits` chunks ahead of the writer: memory stays bounded however
 * large the archive.
 */
export interface ReplayWorkerData {
  configFile: string
  file: string
  fromLine: number
  chunkLines: number
  credits: number
  /** This worker prepares the chunks whose number modulo `workers` is `index`; it reads past the others. */
  index: number
  workers: number
}

export type ReplayWorkerMessage = { type: 'chunk'; chunk: HandedChunk; bytesRead: number } | { type: 'end' } | { type: 'error'; message: string; input: boolean }

const data = workerData as ReplayWorkerData
const { config } = loadConfig(data.configFile)
const topics = compileTopics(config.topics)
let credits = data.credits
let wake: (() => void) | null = null
parentPort!.on('message', () => {
  credits++
  wake?.()
  wake = null
})

const send = (m: ReplayWorkerMessage) => parentPort!.postMessage(m, m.type === 'chunk' ? [m.chunk.rawBytes] : [])

async function main(): Promise<void> {
  let id = 0
  let lines: { line: number; text: string }[] = []
  let bytesRead = 0
  const flush = async () => {
    const mine = id % data.workers === data.index
    if (mine) {
      while (credits <= 0) await new Promise<void>((r) => (wake = r))
      credits--
      send({ type: 'chunk', chunk: handOver(prepareChunk(topics, { id, lines })), bytesRead })
    }
    id++
    lines = []
  }
  for await (const item of readReplayFile(data.file, data.fromLine)) {
    lines.push({ line: item.line, text: item.text })
    bytesRead = item.bytesRead
    if (lines.length >= data.chunkLines) await flush()
  }
  if (lines.length) await flush()
  send({ type: 'end' })
}

main().catch((e: Error) => send({ type: 'error', message: e.message, input: e.name === 'InputError' }))
