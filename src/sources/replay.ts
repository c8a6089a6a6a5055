import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { InputError } from '../domain/errors.js'

export interface ReplayLine {
  /** 1-based line number in the file. */
  line: number
  /** Bytes of the (possibly compressed) file read so far, for progress. */
  bytesRead: number
  payload?: unknown
  /** Set when the line is not JSON. */
  error?: string
}

/**
 * Read a JSONL archive (optionally gzipped) one payload per line. A line that is not JSON is reported,
 * not thrown: one bad line must not cost the rest of the file.
 */
export async function* readReplayFile(file: string, fromLine = 0): AsyncGenerator<ReplayLine> {
  if (fileSize(file) < 0) throw new InputError(`cannot read the replay file ${file}: it does not exist or is not a file`)
  const raw = createReadStream(file)
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw
  const rl = createInterface({ input, crlfDelay: Infinity })
  let line = 0
  try {
    for await (const text of rl) {
      line++
      if (line <= fromLine) continue
      const trimmed = text.trim()
      if (!trimmed) continue
      const bytesRead = raw.bytesRead
      try {
        yield { line, bytesRead, payload: JSON.parse(trimmed.replace(/^\uFEFF/, '')) as unknown }
      } catch (e) {
        yield { line, bytesRead, error: `line ${line} is not valid JSON (${(e as Error).message})` }
      }
    }
  } catch (e) {
    throw new InputError(`cannot read the replay file ${file}: ${(e as Error).message}`)
  } finally {
    rl.close()
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
