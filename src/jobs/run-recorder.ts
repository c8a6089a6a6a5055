import type { AppContext } from '../context.js'
import { scrubSecrets } from '../util/secrets.js'
import { StoppedError } from '../util/wait.js'
import { RateLimitedError, UnavailableError } from '../sources/errors.js'
import { type RequestStats } from '../sources/request-stats.js'
import { finishCollectorRun, startCollectorRun, updateCollectorRun, type FinalStatus } from '../store/runs.js'
import { markTopicsCollected } from '../store/topic-coverage.js'
import { addStats, emptyStats, type IngestStats } from './ingest.js'
import { thisProcess } from './process-identity.js'

/** How often a running run's record is written (see page()). */
const PERSIST_EVERY_MS = 1000
/** Runs that collect posts (not refreshes): the first page they store starts their topics' coverage. */
const COLLECTING = new Set(['x', 'bluesky', 'jetstream', 'replay', 'x-backfill', 'bluesky-backfill'])

export interface RunResult {
  runId: number
  source: string
  status: FinalStatus
  stopReason: string | null
  pages: number
  reads: number
  estCostUsd: number
  stats: IngestStats
  api: RequestStats
  errors: string[]
}

/**
 * A collector run as it happens: counts are written after every page, so a run that crashes still shows
 * how far it got, and the final record says whether it finished or stopped early, and why.
 */
export class RunRecorder {
  readonly runId: number
  readonly stats = emptyStats()
  readonly errors: string[] = []
  readonly notes: string[] = []
  pages = 0
  reads = 0
  /** Set when the API asked to wait longer than the run may: recorded as the source's rate-limit state. */
  rateLimitedUntil: number | null = null
  private api: RequestStats = { requests: 0, retries: 0, rateLimitWaits: 0, rateLimitWaitMs: 0 }
  private price = 0
  private persistedAt = 0
  /** The write of the record that page() put off, if any. */
  private pending: NodeJS.Timeout | null = null

  constructor(
    private readonly ctx: AppContext,
    readonly source: string,
    readonly queries: string[],
  ) {
    this.runId = startCollectorRun(ctx.db, source, queries, ctx.now().getTime(), thisProcess())
  }

  /** Record stored payloads: `pages` of them (API pages, or replayed lines), with their billable reads. */
  page(stats: IngestStats, reads = 0, pages = 1): void {
    if (this.pages === 0 && COLLECTING.has(this.source))
      markTopicsCollected(
        this.ctx.db,
        this.ctx.config.topics.map((t) => t.id),
        this.ctx.now().getTime(),
      )
    addStats(this.stats, stats)
    this.pages += pages
    this.reads += reads
    // Each write of the record is a commit of its own, too many for a replay storing dozens of chunks a second:
    // while a run goes, the record is at most a second behind, even when the next page hangs (a timer writes
    // what the last pages added); finish() writes it exactly.
    const due = this.persistedAt + PERSIST_EVERY_MS - Date.now()
    if (due <= 0) this.persist()
    else this.pending ??= setTimeout(() => this.persistLate(), due).unref()
  }

  skip(reason: string, n = 1): void {
    this.stats.skipped += n
    this.stats.skipReasons[reason] = (this.stats.skipReasons[reason] ?? 0) + n
  }

  error(message: string): void {
    this.errors.push(scrubSecrets(message))
    this.ctx.log.warn({ source: this.source, run: this.runId }, message)
  }

  note(message: string): void {
    this.notes.push(message)
    this.ctx.log.warn({ source: this.source, run: this.runId }, message)
  }

  setApi(api: RequestStats, pricePerRead = 0): void {
    this.api = { ...api }
    this.price = pricePerRead
    this.persist()
  }

  finish(status: FinalStatus, stopReason: string | null): RunResult {
    this.persist()
    const reason = stopReason ? scrubSecrets(stopReason) : null
    finishCollectorRun(this.ctx.db, this.runId, status, reason, this.ctx.now().getTime(), this.rateLimitedUntil)
    if (status !== 'ok') this.ctx.log.warn({ source: this.source, run: this.runId, status }, reason ?? 'run ended early')
    return {
      runId: this.runId,
      source: this.source,
      status,
      stopReason: reason,
      pages: this.pages,
      reads: this.reads,
      estCostUsd: this.reads * this.price,
      stats: this.stats,
      api: this.api,
      errors: this.errors,
    }
  }

  fail(e: unknown): void {
    this.error((e as Error).message ?? String(e))
    this.finish('failed', (e as Error).message ?? String(e))
  }

  private persistLate(): void {
    try {
      this.persist()
    } catch (e) {
      // A run abandoned at shutdown: its database may be closed already; the interrupted-run record says what it did.
      this.ctx.log.debug({ source: this.source, run: this.runId, error: (e as Error).message }, 'run record not updated')
    }
  }

  private persist(): void {
    if (this.pending) clearTimeout(this.pending)
    this.pending = null
    this.persistedAt = Date.now()
    updateCollectorRun(this.ctx.db, this.runId, {
      ...this.stats,
      queries: this.queries,
      pages: this.pages,
      rateLimitWaits: this.api.rateLimitWaits,
      rateLimitWaitMs: this.api.rateLimitWaitMs,
      retries: this.api.retries,
      reads: this.reads,
      estCostUsd: this.reads * this.price,
      errors: this.errors,
    })
  }
}

/**
 * Run each query in turn and end the run honestly. A stop request, a rate limit longer than the run may
 * wait, or an API that stays down end it early with everything stored so far consistent and resumable:
 * `partial` when stopped or when something was collected, else `skipped` (rate limit, budget: nothing was
 * asked) or `failed` (the API could not be reached or kept failing). Anything else fails the run and is rethrown.
 */
export async function runQueries<Q>(
  run: RunRecorder,
  queries: readonly Q[],
  one: (q: Q) => Promise<string | null>,
  api: { stats: RequestStats },
  opts: { price?: number; signal?: AbortSignal; onQueryDone?: (done: number, total: number) => void } = {},
): Promise<RunResult> {
  const price = opts.price ?? 0
  try {
    for (let i = 0; i < queries.length; i++) {
      if (opts.signal?.aborted) throw new StoppedError()
      const outcome = await one(queries[i]!)
      if (outcome) run.note(outcome)
      run.setApi(api.stats, price)
      opts.onQueryDone?.(i + 1, queries.length)
    }
    const notes = run.notes.length ? run.notes.join('; ') : null
    // Every query declined before asking anything (budgets): nothing was collected, and nothing failed.
    if (queries.length > 0 && api.stats.requests === 0 && notes) return run.finish('skipped', notes)
    return run.finish('ok', notes)
  } catch (e) {
    run.setApi(api.stats, price)
    const collected = run.pages > 0
    if (e instanceof StoppedError) return run.finish('partial', 'stopped on request; the next run resumes every query where it stopped')
    if (e instanceof RateLimitedError) {
      run.rateLimitedUntil = e.resetAt
      return run.finish(collected ? 'partial' : 'skipped', `${e.message}; the next run resumes where this one stopped`)
    }
    if (e instanceof UnavailableError) {
      if (collected) return run.finish('partial', `${e.message}; the next run resumes where this one stopped`)
      run.error(e.message)
      return run.finish('failed', e.message)
    }
    run.fail(e)
    throw e
  }
}
