import os from 'node:os'
import path from 'node:path'
import type { AppContext } from '../context.js'
import type { Progress } from '../domain/progress.js'
import { InputError, UsageError } from '../domain/errors.js'
import { ArchiveCutError, fileSize } from '../sources/replay.js'
import { getCursor } from '../store/cursors.js'
import { collectBluesky } from './collect-bluesky.js'
import { consumeJetstream } from './collect-jetstream.js'
import { collectX } from './collect-x.js'
import { commitPrepared } from './ingest.js'
import { startBackgroundCheckpoints } from './replay-checkpoints.js'
import { chunksHere, chunksInWorkers } from './replay-chunks.js'
import { RunRecorder, type RunResult } from './run-recorder.js'

export const SOURCES = ['replay', 'x', 'bluesky', 'jetstream'] as const
export type SourceName = (typeof SOURCES)[number]

export interface CollectOptions {
  source: SourceName
  files?: readonly string[]
  /** Replay from the first line even if a cursor says the file was already read. */
  restart?: boolean
  /** Replay: bytes read of all files; X and Bluesky: how far back in time a first-run history pass has reached (ms). */
  onProgress?: (p: Progress) => void
  /** Stop after the current batch (SIGINT/SIGTERM); what is stored stays consistent. */
  signal?: AbortSignal
  /** Jetstream: stop after this many seconds (default: run until stopped). */
  durationS?: number
  /** X and Bluesky: only this topic's queries; the posts they return are still matched against every topic. */
  topic?: string
}

export interface CollectResult extends RunResult {
  /** Replay only: which lines of which files this run read. */
  files?: ReplayedFile[]
}

export interface ReplayedFile {
  file: string
  fromLine: number
  toLine: number
  /** The last line, cut short and without a line break (still being written?): the next run reads it. */
  incompleteLine?: number
}

/** Lines per transaction: big enough to amortise the commit, small enough that an interrupt loses little work. */
const REPLAY_BATCH_LINES = 1000
const MAX_LOGGED_BAD_LINES = 20
const PARALLEL_MIN_BYTES = 4 * 1024 * 1024
/** One core writes; the others parse (parsing costs about twice the writing, so two help when there are three cores). */
const REPLAY_WORKERS = Math.max(1, Math.min(2, os.availableParallelism() - 1))

export async function collect(ctx: AppContext, opts: CollectOptions): Promise<CollectResult> {
  switch (opts.source) {
    case 'replay':
      return collectReplay(ctx, opts)
    case 'x':
      return collectX(ctx, { signal: opts.signal, onProgress: opts.onProgress, topic: opts.topic })
    case 'bluesky':
      return collectBluesky(ctx, { signal: opts.signal, onProgress: opts.onProgress, topic: opts.topic })
    case 'jetstream':
      return consumeJetstream(ctx, { durationS: opts.durationS, signal: opts.signal })
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
  const filesDone: ReplayedFile[] = []
  const totalBytes = files.reduce((s, f) => s + fileSize(f), 0)
  const maxLineBytes = Math.floor(ctx.config.sources.replay_max_line_mb * (1 << 20))
  /** Broken .gz files: what could be read of each is stored, the other files are read, then the run fails. */
  const cut: string[] = []
  let badLines = 0
  let bytesBefore = 0

  try {
    for (const file of files) {
      const key = file
      const fromLine = opts.restart ? 0 : Number(getCursor(ctx.db, 'replay', key) ?? 0)
      const done: ReplayedFile = { file, fromLine, toLine: fromLine }
      // A big archive is parsed and matched on other cores while this thread writes; a small one stays here.
      const big = fileSize(file) >= PARALLEL_MIN_BYTES
      const source = big
        ? chunksInWorkers(ctx.config.topics, file, fromLine, REPLAY_BATCH_LINES, maxLineBytes, REPLAY_WORKERS)
        : chunksHere(ctx.topics, file, fromLine, REPLAY_BATCH_LINES, maxLineBytes)
      const checkpoints = big ? startBackgroundCheckpoints(ctx.db, ctx.log) : null
      try {
        for await (const { chunk, bytesRead } of source.chunks) {
          for (const b of chunk.bad) {
            run.skip(b.reason)
            if (++badLines <= MAX_LOGGED_BAD_LINES) ctx.log.warn({ file, line: b.line, reason: b.detail }, 'replay line skipped')
          }
          // The cursor is the chunk's last line, written with its posts: a restart resumes right after it.
          const stats = commitPrepared(
            ctx,
            chunk.prepared,
            { source: 'replay', query: path.basename(file) },
            { source: 'replay', key, value: String(chunk.lastLine) },
          )
          run.page(stats, 0, chunk.payloads)
          done.toLine = chunk.lastLine
          if (chunk.incompleteLine !== undefined) {
            done.incompleteLine = chunk.incompleteLine
            run.note(`last line of ${file} (line ${chunk.incompleteLine}) is incomplete (still being written?); it will be read next time`)
          }
          opts.onProgress?.({ done: bytesBefore + bytesRead, total: totalBytes, label: path.basename(file) })
          if (opts.signal?.aborted) break
        }
      } catch (e) {
        if (!(e instanceof ArchiveCutError)) throw e
        const n = e.lastCompleteLine
        cut.push(`${e.message}: ${n ? `lines up to ${n} are stored` : 'no line could be read'}; the rest cannot be read`)
      } finally {
        await Promise.all([source.close(), checkpoints?.stop()])
      }
      bytesBefore += fileSize(file)
      opts.onProgress?.({ done: bytesBefore, total: totalBytes, label: path.basename(file) })
      filesDone.push(done)
      if (opts.signal?.aborted) break
    }
    if (cut.length) throw new InputError(cut.join('; '))
  } catch (e) {
    run.fail(e)
    throw e
  }
  if (badLines > MAX_LOGGED_BAD_LINES) ctx.log.warn({ badLines }, 'more replay lines were skipped than logged')
  const stopped = opts.signal?.aborted ?? false
  const reason = stopped ? 'interrupted; the next run resumes after the last stored line' : run.notes.join('; ') || null
  const result = run.finish(stopped ? 'partial' : 'ok', reason)
  return { ...result, files: filesDone }
}
