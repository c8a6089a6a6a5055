import { createReadStream, type ReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'

/** A gzip stream that cannot be decompressed past some point: truncated, or corrupt. */
export class BrokenGzipError extends Error {
  override name = 'BrokenGzipError'
}

export interface ArchiveReads {
  /** The file's bytes (decompressed for `.gz`) in reads of at most `readBytes`. */
  reads: AsyncGenerator<Buffer>
  /** Bytes of the file itself read so far, for progress. */
  bytesRead: () => number
}

/**
 * Read a file, gunzipping a `.gz`. A gzip stream that breaks ends `reads` with a BrokenGzipError, and only
 * after every byte decompressed before the break has been yielded.
 */
export function archiveReads(file: string, readBytes: number): ArchiveReads {
  let raw: ReadStream | null = null
  // Opened when the first read is asked for: a generator never started runs no `finally` to close it.
  const open = () => (raw = createReadStream(file, { highWaterMark: readBytes }))
  const reads = file.endsWith('.gz') ? gunzipped(open, readBytes) : plain(open)
  return { reads, bytesRead: () => raw?.bytesRead ?? 0 }
}

async function* plain(open: () => ReadStream): AsyncGenerator<Buffer> {
  const raw = open()
  try {
    yield* raw as AsyncIterable<Buffer>
  } finally {
    raw.destroy()
  }
}

/** Decompressed reads waiting for the reader; the file is paused beyond this. */
const AHEAD = 4

/**
 * Not `for await` over the gunzip stream: an error destroys the stream, and the async iterator then drops
 * the reads it still buffers — the last complete lines. Here the gunzip stream is never paused, so every
 * read it makes is handed over at once; backpressure is applied to the file feeding it instead.
 */
async function* gunzipped(open: () => ReadStream, readBytes: number): AsyncGenerator<Buffer> {
  const raw = open()
  const gunzip = createGunzip({ chunkSize: readBytes })
  const ready: Buffer[] = []
  let ended = false
  let failure = null as Error | null
  let wake: (() => void) | null = null
  const poke = () => {
    wake?.()
    wake = null
  }
  const resumeIfRoom = () => {
    if (ready.length < AHEAD && !gunzip.writableNeedDrain && !failure) raw.resume()
  }
  gunzip.on('data', (b: Buffer) => {
    ready.push(b)
    if (ready.length >= AHEAD) raw.pause()
    poke()
  })
  gunzip.on('end', () => {
    ended = true
    poke()
  })
  gunzip.on('error', (e) => {
    failure ??= new BrokenGzipError(e.message)
    raw.pause()
    poke()
  })
  gunzip.on('drain', resumeIfRoom)
  raw.on('data', (b: string | Buffer) => {
    if (!gunzip.write(b)) raw.pause()
  })
  raw.on('end', () => gunzip.end())
  raw.on('error', (e) => {
    failure ??= e
    poke()
  })
  try {
    for (;;) {
      const b = ready.shift()
      if (b) {
        resumeIfRoom()
        yield b
      } else if (failure) throw failure
      else if (ended) return
      else await new Promise<void>((resolve) => (wake = resolve))
    }
  } finally {
    raw.destroy()
    gunzip.destroy()
  }
}
