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

/** A run of whole lines of an archive, as bytes: the unit a replay prepares (on whichever thread) and commits. */
export interface ReplayPiece {
  /** 1-based numbers of its first and last line (blank lines count). */
  firstLine: number
  lastLine: number
  /** Bytes of the (possibly compressed) file read so far, for progress. */
  bytesRead: number
  /** The lines' UTF-8, line breaks included; its own memory, so it can be transferred to another thread. */
  bytes: Uint8Array
}

/** Big reads: a 100 MB archive in 1 MB pieces costs a hundred reads, not a hundred thousand. */
const READ_BYTES = 1 << 20
const NEWLINE = 0x0a

/**
 * Read a JSONL archive (optionally gzipped) after `fromLine`, `linesPerPiece` lines at a time, without
 * decoding it: finding line breaks in bytes is cheap, and whoever prepares a piece decodes it (see
 * `linesOfPiece`). JSON text cannot hold a raw line break, so no record is cut, and a UTF-8 character never
 * contains the byte of one.
 */
export async function* readReplayPieces(file: string, fromLine: number, linesPerPiece: number): AsyncGenerator<ReplayPiece> {
  if (fileSize(file) < 0) throw new InputError(`cannot read the replay file ${file}: it does not exist or is not a file`)
  const raw = createReadStream(file, { highWaterMark: READ_BYTES })
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip({ chunkSize: READ_BYTES })) : raw
  /** Lines ended so far (by a line break). */
  let line = 0
  /** The current piece's bytes from earlier reads. */
  let parts: Buffer[] = []
  let count = 0
  let firstLine = fromLine + 1
  const piece = (lastLine: number, tail: Buffer): ReplayPiece => {
    const bytes = Buffer.concat([...parts, tail])
    const p = { firstLine, lastLine, bytesRead: raw.bytesRead, bytes: owned(bytes) }
    parts = []
    count = 0
    firstLine = lastLine + 1
    return p
  }
  try {
    for await (const buf of input as AsyncIterable<Buffer>) {
      let start = 0
      while (line < fromLine) {
        const nl = buf.indexOf(NEWLINE, start)
        if (nl < 0) break
        line++
        start = nl + 1
      }
      if (line < fromLine) continue
      for (let at = start; ; ) {
        const nl = buf.indexOf(NEWLINE, at)
        if (nl < 0) break
        line++
        count++
        at = nl + 1
        if (count === linesPerPiece) {
          yield piece(line, buf.subarray(start, at))
          start = at
        }
      }
      if (start < buf.length) parts.push(buf.subarray(start))
    }
    // What is left: whole lines, and maybe a last line without a line break.
    const rest = Buffer.concat(parts)
    if (rest.length) {
      const ended = rest[rest.length - 1] === NEWLINE
      parts = []
      yield piece(ended ? line : line + 1, ended ? rest : Buffer.concat([rest, Buffer.from('\n')]))
    }
  } catch (e) {
    throw new InputError(`cannot read the replay file ${file}: ${(e as Error).message}`)
  } finally {
    raw.destroy()
  }
}

/** A Buffer that does not share its memory (Node pools small ones), so that transferring it moves nothing else. */
function owned(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b : new Uint8Array(b)
}

/** A non-blank line of an archive: its text, and its bytes as read (the payload as received). */
export interface ArchiveLine {
  line: number
  text: string
  /** A view of the piece's memory: the line's UTF-8 without line break, CR or byte-order mark. */
  bytes: Uint8Array
}

const CR = 0x0d

/** The non-blank lines of a piece, each decoded once; a CR before a line break and a byte-order mark are dropped. */
export function linesOfPiece(piece: Pick<ReplayPiece, 'firstLine' | 'bytes'>): ArchiveLine[] {
  const b = Buffer.from(piece.bytes.buffer, piece.bytes.byteOffset, piece.bytes.byteLength)
  const out: ArchiveLine[] = []
  let line = piece.firstLine
  for (let start = 0; start < b.length; line++) {
    let end = b.indexOf(NEWLINE, start)
    if (end < 0) end = b.length
    const next = end + 1
    if (end > start && b[end - 1] === CR) end--
    if (b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf) start += 3
    const text = b.toString('utf8', start, end)
    if (text.trim()) out.push({ line, text, bytes: b.subarray(start, end) })
    start = next
  }
  return out
}

/** Line by line: for callers that want lines rather than pieces. */
export async function* readReplayFile(file: string, fromLine = 0): AsyncGenerator<ReplayLine> {
  for await (const piece of readReplayPieces(file, fromLine, 1000)) {
    for (const l of linesOfPiece(piece)) yield { ...l, bytesRead: piece.bytesRead }
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
