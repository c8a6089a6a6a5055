import { createReadStream, statSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { createGunzip } from 'node:zlib'
import { InputError } from '../domain/errors.js'

export interface ReplayLine {
  /** 1-based line number in the file. */
  line: number
  /** Bytes of the (possibly compressed) file read so far, for progress. */
  bytesRead: number
  text: string
}

/**
 * Read a JSONL archive (optionally gzipped) line by line, after `fromLine`. Lines are handed on as text:
 * parsing happens where the work is spread over threads, and a line that is not JSON is reported there.
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
      if (line <= fromLine || !text.trim()) continue
      yield { line, bytesRead: raw.bytesRead, text }
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
