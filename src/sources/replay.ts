import { statSync } from 'node:fs'
import { InputError } from '../domain/errors.js'
import { archiveReads, BrokenGzipError } from './archive-reads.js'

export interface ReplayLine {
  /** 1-based line number in the file. */
  line: number
  /** Bytes of the (possibly compressed) file read so far, for progress. */
  bytesRead: number
  text: string
}

/** A line longer than the cap, skipped: its number and its length in bytes. */
export interface TooLongLine {
  line: number
  bytes: number
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
  /** Lines longer than the cap: each is an empty line in `bytes`, so that the numbers of the others hold. */
  tooLong?: TooLongLine[]
  /** The last line has no line break: the end of a file perhaps still being written (see prepareChunk). */
  unterminated?: boolean
}

/** A `.gz` archive that cannot be read past a point; every complete line before it has been read. */
export class ArchiveCutError extends InputError {
  override name = 'ArchiveCutError'
  constructor(
    readonly file: string,
    readonly lastCompleteLine: number,
    readonly reason: string,
  ) {
    super(`the replay file ${file} is truncated or corrupt after line ${lastCompleteLine} (${reason})`)
  }
}

/** Big reads: a 100 MB archive in 1 MB pieces costs a hundred reads, not a hundred thousand. */
const READ_BYTES = 1 << 20
const NEWLINE = 0x0a
const LINE_BREAK = Buffer.from('\n')
const NOTHING = Buffer.alloc(0)
/**
 * Longer lines are skipped (`sources.replay_max_line_mb`): an archive line is one API page, well under a
 * megabyte; hundreds of megabytes without a line break are a broken file, and a string that long cannot
 * even be made (V8 stops at 512 MB) let alone parsed.
 */
export const MAX_LINE_BYTES = 64 << 20

/**
 * Read a JSONL archive (optionally gzipped) after `fromLine`, `linesPerPiece` lines at a time, without
 * decoding it: finding line breaks in bytes is cheap, and whoever prepares a piece decodes it (see
 * `linesOfPiece`). JSON text cannot hold a raw line break, so no record is cut, and a UTF-8 character never
 * contains the byte of one.
 *
 * A line over `maxLineBytes` is not kept: its bytes are dropped as they are read, its line break still
 * looked for, and it is reported in its piece's `tooLong`. A gzip stream that breaks ends the reading with
 * an ArchiveCutError, after a last piece of the complete lines decompressed before the break.
 */
export async function* readReplayPieces(file: string, fromLine: number, linesPerPiece: number, maxLineBytes = MAX_LINE_BYTES): AsyncGenerator<ReplayPiece> {
  if (fileSize(file) < 0) throw new InputError(`cannot read the replay file ${file}: it does not exist or is not a file`)
  // Reads no longer than the cap: a line over it always spans reads, and is measured where they meet.
  const { reads, bytesRead } = archiveReads(file, Math.min(READ_BYTES, maxLineBytes))
  /** Lines ended so far (by a line break). */
  let line = 0
  /** The current piece's bytes from earlier reads. */
  let parts: Buffer[] = []
  /** Bytes at the end of `parts` of the line not yet ended. */
  let open = 0
  /** The length so far of a line over the cap being passed over (its bytes are not kept), or null. */
  let dropping: number | null = null
  let tooLong: TooLongLine[] = []
  let count = 0
  let firstLine = fromLine + 1
  const piece = (tail: Buffer, unterminated = false): ReplayPiece => {
    const bytes = Buffer.concat([...parts, tail])
    const p: ReplayPiece = { firstLine, lastLine: line, bytesRead: bytesRead(), bytes: owned(bytes) }
    if (tooLong.length) p.tooLong = tooLong
    if (unterminated) p.unterminated = true
    parts = []
    tooLong = []
    count = 0
    firstLine = line + 1
    return p
  }
  const endTooLong = (bytes: number) => {
    line++
    count++
    tooLong.push({ line, bytes })
    parts.push(LINE_BREAK)
  }
  try {
    for await (const buf of reads) {
      let start = 0
      while (line < fromLine) {
        const nl = buf.indexOf(NEWLINE, start)
        if (nl < 0) break
        line++
        start = nl + 1
      }
      if (line < fromLine) continue
      if (dropping !== null || open > 0) {
        // The first line break of this read ends a line begun in an earlier one.
        const nl = buf.indexOf(NEWLINE)
        const length: number = (dropping ?? open) + (nl < 0 ? buf.length : nl)
        if (nl < 0 && dropping !== null) {
          dropping = length
          continue
        }
        if (nl >= 0 && length > maxLineBytes) {
          if (dropping === null) dropTail(parts, open)
          dropping = null
          open = 0
          endTooLong(length)
          start = nl + 1
          if (count === linesPerPiece) yield piece(NOTHING)
        }
      }
      let at = start
      for (;;) {
        const nl = buf.indexOf(NEWLINE, at)
        if (nl < 0) break
        line++
        count++
        at = nl + 1
        if (count === linesPerPiece) {
          yield piece(buf.subarray(start, at))
          start = at
        }
      }
      if (start < buf.length) parts.push(buf.subarray(start))
      // `at` is past the last line break of this read, or 0 if it has none: the open line goes on.
      open = at > 0 ? buf.length - at : open + buf.length
      if (open > maxLineBytes) {
        dropTail(parts, open)
        dropping = open
        open = 0
      }
    }
    // The file ends inside a line over the cap, or in a last line without a line break.
    if (dropping !== null) endTooLong(dropping)
    else if (open > 0) {
      line++
      count++
      yield piece(LINE_BREAK, true)
    }
    if (count > 0) yield piece(NOTHING)
  } catch (e) {
    if (!(e instanceof BrokenGzipError)) throw new InputError(`cannot read the replay file ${file}: ${(e as Error).message}`)
    // What was decompressed of the line the stream broke in is not a line.
    if (dropping === null) dropTail(parts, open)
    if (count > 0) yield piece(NOTHING)
    throw new ArchiveCutError(file, line, e.message)
  }
}

/** Remove the last `n` bytes of `parts`. */
function dropTail(parts: Buffer[], n: number): void {
  while (n > 0) {
    const last = parts.pop()!
    if (last.length > n) parts.push(last.subarray(0, last.length - n))
    n -= last.length
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
