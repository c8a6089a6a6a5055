import type { Command } from 'commander'
import { parseUserTime } from '../../aggregate/time-buckets.js'
import { ReportedFailure } from '../../domain/errors.js'
import { backfill, type BackfillResult } from '../../jobs/backfill.js'
import { refreshEngagement } from '../../jobs/refresh.js'
import { topicById } from '../../jobs/topics.js'
import type { RunResult } from '../../jobs/run-recorder.js'
import { printJson, println, type Io } from '../io.js'
import { abortOnSignals, oneOf, optionsOf } from '../options.js'
import { progressBar } from '../progress.js'
import { exclusive, withContext } from '../session.js'

interface BackfillFlags {
  source: 'x' | 'bluesky'
  since: string
  until?: string
  topic?: string
  json?: boolean
}

export function registerBackfill(program: Command, io: Io): void {
  program
    .command('backfill')
    .description('Collect a past window for every query (resumable; apart from the live watermarks)')
    .requiredOption('-s, --source <source>', 'x or bluesky', oneOf(['x', 'bluesky'] as const))
    .requiredOption('--since <date>', 'start: YYYY-MM-DD (midnight in the configured zone) or an ISO time')
    .option('--until <date>', 'end: YYYY-MM-DD (that day included) or an ISO time (default: now)')
    .option('-t, --topic <id>', "only this topic's queries (what they return is still matched against every topic)")
    .option('--json', 'print the run record as JSON')
    .addHelpText(
      'after',
      `
Interrupted backfills resume where they stopped; a finished window is not read again. X recent search
reaches 7 days back: an older part of the window is recorded as a coverage gap, never silently skipped.
X backfills count against each topic's post-read budget. Bluesky walks back past the ~10,000-result cursor
limit with \`until\`. With --topic only that topic's queries are read (a topic added later catches up
without reading the others' windows again); each post they return is still stored under every topic it
matches.

Examples:
  $ stancewatch backfill --source bluesky --since 2025-07-01 --until 2025-07-16
  $ stancewatch backfill --source x --since 2026-11-22 --json
  $ stancewatch backfill --source bluesky --since 2025-07-01 --topic china-ai-fund`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<BackfillFlags>(cmd)
      await withContext(io, o, async (ctx) => {
        if (o.topic) topicById(ctx, o.topic)
        const zone = ctx.config.timezone
        const since = parseUserTime(o.since, zone, 'from', '--since')
        const until = o.until ? parseUserTime(o.until, zone, 'to', '--until') : ctx.now().getTime()
        const bar = progressBar(io, 'queries')
        const stop = abortOnSignals()
        try {
          const r = await exclusive(
            ctx,
            io,
            o,
            `backfill:${o.source}`,
            `stancewatch backfill --source ${o.source}`,
            () => backfill(ctx, { source: o.source, since, until, topic: o.topic, signal: stop.signal, onProgress: bar.update }),
            stop.signal,
          )
          bar.stop()
          if (o.json) printJson(io, r)
          else printRun(io, r)
          if (r.status === 'failed') throw new ReportedFailure(`${r.source} run #${r.runId} failed: ${r.stopReason ?? 'see the run record'}`)
        } finally {
          bar.stop()
          stop.dispose()
        }
      })
    })

  program
    .command('refresh')
    .description('Refresh engagement counts of the most engaged recent posts (X tweet lookup, Bluesky getPosts)')
    .requiredOption('-s, --source <source>', 'x or bluesky', oneOf(['x', 'bluesky'] as const))
    .option('-t, --topic <id>', "only this topic's posts (default: every topic's)")
    .option('--json', 'print the run record as JSON')
    .addHelpText(
      'after',
      `
Which posts: sources.<x|bluesky>.refresh (top_posts per topic, of the last \`days\`, counts older than
\`every_hours\`). X lookups are billed and stay within each topic's budget. Posts the platform no longer
returns are marked deleted. The daemon runs this after each collection.

Examples:
  $ stancewatch refresh --source bluesky
  $ stancewatch refresh --source x --json
  $ stancewatch refresh --source x --topic china-ai-fund`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<{ source: 'x' | 'bluesky'; topic?: string; json?: boolean }>(cmd)
      await withContext(io, o, async (ctx) => {
        if (o.topic) topicById(ctx, o.topic)
        const stop = abortOnSignals()
        try {
          const r = await exclusive(
            ctx,
            io,
            o,
            `refresh:${o.source}`,
            `stancewatch refresh --source ${o.source}`,
            () => refreshEngagement(ctx, o.source, stop.signal, o.topic),
            stop.signal,
          )
          if (o.json) printJson(io, r)
          else printRun(io, r)
          if (r.status === 'failed') throw new ReportedFailure(`${r.source} run #${r.runId} failed: ${r.stopReason ?? 'see the run record'}`)
        } finally {
          stop.dispose()
        }
      })
    })
}

export function printRun(io: Io, r: RunResult | BackfillResult): void {
  const s = r.stats
  println(io, `${r.source} run #${r.runId}: ${r.status}${r.stopReason ? ` (${r.stopReason})` : ''}`)
  if ('window' in r)
    println(
      io,
      `  window ${r.window.since} – ${r.window.until}${r.unreachable ? `; ${r.unreachable.since} – ${r.unreachable.until} is beyond X recent search (recorded as a gap)` : ''}`,
    )
  println(
    io,
    `  pages ${r.pages}, posts fetched ${s.fetched}: new ${s.newPosts}, already stored ${s.duplicates}, off-topic ${s.offTopic}, skipped ${s.skipped}, deleted ${s.deletions}`,
  )
  println(
    io,
    `  API: ${r.api.requests} requests, ${r.api.retries} retries, ${r.api.rateLimitWaits} rate-limit waits (${(r.api.rateLimitWaitMs / 1000).toFixed(0)} s); post reads ${r.reads} ≈ $${r.estCostUsd.toFixed(2)}`,
  )
  for (const e of r.errors) println(io, `  ! ${e}`)
}
