import path from 'node:path'
import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'
import { normalizePayload, type Normalized } from '../normalize/index.js'
import { fileSize, readReplayFile } from '../sources/replay.js'
import { getCursor } from '../store/cursors.js'
import { collectBluesky } from './collect-bluesky.js'
import { collectX } from './collect-x.js'
import { ingest } from './ingest.js'
import { RunRecorder, type RunResult } from './run-recorder.js'

export const SOURCES = ['replay', 'x', 'bluesky', 'jetstream'] as const
export type SourceName = (typeof SOURCES)[number]

export interface Progress {
  done: number
  total: number
  label: string
}

export interface CollectOptions {
  source: SourceName
  files?: readonly string[]
  /** Replay from the first line even if a cursor says the file was already read. */
  restart?: boolean
  onProgress?: (p: Progress) => void
  /** Stop after the current batch (SIGINT/SIGTERM); what is stored stays consistent. */
  signal?: AbortSignal
}

export interface CollectResult extends RunResult {
  /** Replay only: which lines of which files this run read. */
  files?: { file: string; fromLine: number; toLine: number }[]
}

/** Lines per transaction: big enough to amortise the commit, small enough that an interrupt loses little work. */
const REPLAY_BATCH_LINES = 200
const MAX_LOGGED_BAD_LINES = 20

export async function collect(ctx: AppContext, opts: CollectOptions): Promise<CollectResult> {
  switch (opts.source) {
    case 'replay':
      return collectReplay(ctx, opts)
    case 'x':
      return collectX(ctx, { signal: opts.signal })
    case 'bluesky':
      return collectBluesky(ctx, { signal: opts.signal })
    case 'jetstream':
      throw new UsageError(`the ${opts.source} collector is not available in this version; use --source replay`)
    default: {
      const never: never = opts.source
      throw new UsageError(`unknown source ${String(never)}`)
    }
  }
}

async function collectReplay(ctx: AppContext, opts: CollectOptions): Promise<CollectResult> {
  const files = (opts.files?.length ? opts.files : ctx.config.sources.replay_files).map((f) => path.resolve(f))
  if (files.length === 0) throw new UsageError('no file to replay: pass --file FILE (or list files under sources.replay_files in the config)')
  for (const f of files) if (fileSize(f) < 0) throw new UsageError(`the replay file ${f} does not exist or is not a file`)

  const run = new RunRecorder(ctx, 'replay', files)
  let badLines = 0
  const filesDone: NonNullable<CollectResult['files']> = []
  const totalBytes = files.reduce((s, f) => s + fileSize(f), 0)
  let bytesBefore = 0

  try {
    for (const file of files) {
      const key = file
      const fromLine = opts.restart ? 0 : Number(getCursor(ctx.db, 'replay', key) ?? 0)
      let lastLine = fromLine
      let batch: Normalized[] = []
      const flush = () => {
        if (lastLine === fromLine && batch.length === 0) return
        const stats = ingest(ctx, batch, { source: 'replay', query: path.basename(file) }, { source: 'replay', key, value: String(lastLine) })
        run.page(stats, 0, batch.length)
        batch = []
      }
      let linesInBatch = 0
      for await (const item of readReplayFile(file, fromLine)) {
        lastLine = item.line
        linesInBatch++
        const normalized = item.error === undefined ? normalizePayload(item.payload) : null
        if (normalized) batch.push(normalized)
        else {
          const reason = item.error !== undefined ? 'replay: line is not valid JSON' : 'replay: unknown payload shape'
          run.skip(reason)
          if (++badLines <= MAX_LOGGED_BAD_LINES) ctx.log.warn({ file, line: item.line, reason: item.error ?? reason }, 'replay line skipped')
        }
        if (linesInBatch >= REPLAY_BATCH_LINES) {
          flush()
          linesInBatch = 0
          opts.onProgress?.({ done: bytesBefore + item.bytesRead, total: totalBytes, label: path.basename(file) })
          if (opts.signal?.aborted) break
        }
      }
      flush()
      bytesBefore += fileSize(file)
      opts.onProgress?.({ done: bytesBefore, total: totalBytes, label: path.basename(file) })
      filesDone.push({ file, fromLine, toLine: lastLine })
      if (opts.signal?.aborted) break
    }
  } catch (e) {
    run.fail(e)
    throw e
  }
  if (badLines > MAX_LOGGED_BAD_LINES) ctx.log.warn({ badLines }, 'more replay lines were skipped than logged')
  const stopped = opts.signal?.aborted ?? false
  const result = run.finish(stopped ? 'partial' : 'ok', stopped ? 'interrupted; the next run resumes after the last stored line' : null)
  return { ...result, files: filesDone }
}
