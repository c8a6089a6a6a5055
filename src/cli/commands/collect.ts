import type { Command } from 'commander'
import { ReportedFailure, UsageError } from '../../domain/errors.js'
import { collect, SOURCES, type CollectResult, type SourceName } from '../../jobs/collect.js'
import type { JetstreamRunResult } from '../../jobs/collect-jetstream.js'
import { topicById } from '../../jobs/topics.js'
import { collectPlan, printPlan } from './plan.js'
import { limitHeapGrowth } from '../heap-growth.js'
import { printJson, println, type Io } from '../io.js'
import { abortOnSignals, oneOf, optionsOf, positiveInt } from '../options.js'
import { progressBar } from '../progress.js'
import { exclusive, withContext } from '../session.js'

interface CollectFlags {
  source: SourceName
  file?: string[]
  restart?: boolean
  dryRun?: boolean
  duration?: number
  topic?: string
  json?: boolean
}

export function registerCollect(program: Command, io: Io): void {
  program
    .command('collect')
    .description('Collect posts from a source, match them to topics and store them (idempotent and resumable)')
    .requiredOption('-s, --source <source>', `where to collect from: ${SOURCES.join(', ')}`, oneOf(SOURCES))
    .option('-f, --file <file...>', 'replay: JSONL archive(s) of raw API payloads, one per line (.gz allowed)')
    .option('--restart', 'replay: read the file(s) from the first line even if they were read before')
    .option(
      '--dry-run',
      'x, bluesky: print the queries, where each resumes or what its first run covers, and (X) the estimated reads, cost and what the budget allows today; read no post',
    )
    .option('-t, --topic <id>', "x, bluesky: send only this topic's queries (what they return is still matched against every topic)")
    .option('-d, --duration <seconds>', 'jetstream: stop after this many seconds (default: until SIGINT/SIGTERM)', positiveInt)
    .option('--json', 'print the run record as JSON')
    .addHelpText(
      'after',
      `
Each replay line is one raw payload; its shape decides its platform: an X API v2 search page
({data, includes, meta}), a Bluesky searchPosts/getPosts output ({posts}) or PostView, or a Jetstream event.
Malformed lines are logged, skipped and counted, as are lines over sources.replay_max_line_mb; a re-run
resumes after the last stored line. A last line cut short without a line break (an archive still being
written) is left for the next run; a truncated .gz has its readable lines stored, then fails (exit 2).

X and Bluesky collectors resume every query from its watermark (X since_id, Bluesky since), page until
they reach it, and store each page with the query's new position in one transaction: stop them at any
moment and the next run neither loses nor repeats a post. Rate limits wait for the reset (up to
sources.<x|bluesky>.max_rate_limit_wait_seconds, else the run ends early and says so); X stops before a
topic's post-read budget is exceeded. Every page received is appended to sources.archive_dir.

A query's first run reaches back as far as the platform allows (X: 7 days; Bluesky:
sources.bluesky.first_run_lookback_hours), newest first. What it cannot cover (budget, page limit) is a
coverage gap: later runs first collect what is new, then continue the history, and repair the gap.

With several topics, --topic sends only that topic's queries (and --dry-run plans only them). A post
they return is still matched against every topic and stored under each it matches: the read is paid for
anyway, and a post is stored once however many topics it belongs to. Replay and Jetstream read everything
there is, so --topic does not apply to them.

Jetstream follows the whole Bluesky network live and matches every post locally; its cursor is stored
with each batch, reconnects resume from it, and an outage longer than its lookback is recorded as a gap
(repaired through Bluesky search when credentials exist). SIGINT/SIGTERM finishes the batch and exits 0.

Examples:
  $ stancewatch collect --source jetstream --duration 600
  $ stancewatch collect --source x --dry-run
  $ stancewatch collect --source x
  $ stancewatch collect --source bluesky --json
  $ stancewatch collect --source x --topic china-ai-fund --dry-run
  $ stancewatch collect --source replay --file config/sample/sample.jsonl.gz
  $ stancewatch collect --source replay --file a.jsonl b.jsonl.gz --json
  $ stancewatch collect --source replay --file archive.jsonl --restart`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<CollectFlags>(cmd)
      if (o.dryRun && o.source !== 'x' && o.source !== 'bluesky') throw new UsageError('--dry-run applies to --source x or bluesky')
      if (o.topic !== undefined && o.source !== 'x' && o.source !== 'bluesky')
        throw new UsageError(`--topic applies to --source x or bluesky: ${o.source} reads every post there is and matches it to every topic`)
      await withContext(io, o, async (ctx) => {
        if (o.topic) topicById(ctx, o.topic)
        if (o.dryRun) return printPlan(io, await collectPlan(ctx, o.source as 'x' | 'bluesky', o.topic), Boolean(o.json))
        // Replay reports bytes read; X and Bluesky how far back a first-run history pass has reached.
        const bar = progressBar(io, o.source === 'replay' ? 'bytes' : 'time back')
        if (o.source === 'jetstream') limitHeapGrowth()
        const stop = abortOnSignals()
        try {
          const result = await exclusive(
            ctx,
            io,
            o,
            `collect:${o.source}`,
            `stancewatch collect --source ${o.source}${o.topic ? ` --topic ${o.topic}` : ''}`,
            () =>
              collect(ctx, {
                source: o.source,
                files: o.file,
                restart: o.restart,
                durationS: o.duration,
                topic: o.topic,
                onProgress: bar.update,
                signal: stop.signal,
              }),
            stop.signal,
          )
          bar.stop()
          if (o.json) printJson(io, result)
          else printCollect(io, result)
          if (result.status === 'failed')
            throw new ReportedFailure(`${result.source} run #${result.runId} failed: ${result.stopReason ?? 'see the run record'}`)
        } finally {
          bar.stop()
          stop.dispose()
        }
      })
    })
}

function printCollect(io: Io, r: CollectResult): void {
  const s = r.stats
  println(io, `${r.source} run #${r.runId}: ${r.status}${r.stopReason ? ` (${r.stopReason})` : ''}`)
  for (const f of r.files ?? []) {
    const incomplete = f.incompleteLine === undefined ? '' : `; line ${f.incompleteLine} is incomplete (still being written?), read next time`
    println(
      io,
      `  ${f.file}: lines ${f.fromLine + 1}–${f.toLine}${f.fromLine > 0 ? ' (resumed)' : ''}${f.toLine === f.fromLine ? ' — nothing new; --restart reads it again' : ''}${incomplete}`,
    )
  }
  println(io, `  payloads ${r.pages}, posts fetched ${s.fetched}: new ${s.newPosts}, already stored ${s.duplicates}, off-topic ${s.offTopic}`)
  println(io, `  skipped ${s.skipped}, not posts ${s.ignored}, deletions applied ${s.deletions}`)
  for (const [reason, n] of Object.entries(s.skipReasons)) println(io, `    ${n} × ${reason}`)
  if (r.api.requests)
    println(
      io,
      `  API: ${r.api.requests} requests, ${r.api.retries} retries, ${r.api.rateLimitWaits} rate-limit waits (${(r.api.rateLimitWaitMs / 1000).toFixed(0)} s)`,
    )
  if (r.reads) println(io, `  billable post reads ${r.reads} ≈ $${r.estCostUsd.toFixed(2)}`)
  if ('events' in r) {
    const j = r as CollectResult & JetstreamRunResult
    println(io, `  events ${j.events}, edits ${s.edits}; ${j.connections} connections (${j.reconnects} reconnects), ${j.pauses} pauses for backpressure`)
    println(
      io,
      `  cursor ${j.cursorUs === null ? '–' : new Date(Math.floor(j.cursorUs / 1000)).toISOString()}${j.lagMs === null ? '' : `, ${(j.lagMs / 1000).toFixed(1)} s behind live`}`,
    )
    for (const g of j.gaps) println(io, `  gap ${g.from} – ${g.to}${g.repaired ? ' (repaired through Bluesky search)' : ''}`)
  }
  for (const e of r.errors) println(io, `  ! ${e}`)
}
