import { createReadStream, statSync } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { InputError } from '../domain/errors.js'

export interface ReplayLine {
  /** 1-based line number in the file. */
  line: number
  /** Bytes of the (possibly compressed) file read so far, for progress. */
  bytesRead: number
  text: string
}

/** Big reads: a 100 MB archive in 1 MB pieces costs a hundred reads and decodes, not a hundred thousand. */
const READ_BYTES = 1 << 20
const NEWLINE = 0x0a

/**
 * Read a JSONL archive (optionally gzipped) line by line, after `fromLine`. Lines are handed on as text:
 * parsing happens where the work is spread over threads, and a line that is not JSON is reported there.
 * Lines end at LF (a CR before it is dropped); JSON text cannot hold a raw line break, so no record is cut.
 * Read in large pieces, decoded once per piece: readline's per-line machinery cost a tenth of a replay.
 */
export async function* readReplayFile(file: string, fromLine = 0): AsyncGenerator<ReplayLine> {
  if (fileSize(file) < 0) throw new InputError(`cannot read the replay file ${file}: it does not exist or is not a file`)
  const raw = createReadStream(file, { highWaterMark: READ_BYTES })
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: READ_BYTES })) : raw
  let line = 0
  let rest: Buffer | null = null
  const linesOf = function* (text: string): Generator<ReplayLine> {
    let start = 0
    for (;;) {
      const end = text.indexOf('\n', start)
      if (end < 0) return
      line++
      const t = text.charCodeAt(end - 1) === 0x0d ? text.slice(start, end - 1) : text.slice(start, end)
      start = end + 1
      if (line <= fromLine || !t.trim()) continue
      yield { line, bytesRead: raw.bytesRead, text: t }
    }
  }
  try {
    for await (const piece of input as AsyncIterable<Buffer>) {
      const buf: Buffer = rest ? Buffer.concat([rest, piece]) : piece
      // Decode up to the last line break: a UTF-8 character is never split, and the tail waits for more.
      const cut = buf.lastIndexOf(NEWLINE)
      if (cut < 0) {
        rest = buf
        continue
      }
      rest = cut + 1 < buf.length ? buf.subarray(cut + 1) : null
      yield* linesOf(buf.toString('utf8', 0, cut + 1))
    }
    if (rest) yield* linesOf(rest.toString('utf8') + '\n')
  } catch (e) {
    throw new InputError(`cannot read the replay file ${file}: ${(e as Error).message}`)
  } finally {
    raw.destroy()
  }
}

/** Size in bytes, or -1 when the path is not a readable file. */
export function fileSize(file: string): number {
  try {
    const st = statSync(file)
    return st.isFile() ? st.size : -1
  } catch {
    return -1
  }
}
