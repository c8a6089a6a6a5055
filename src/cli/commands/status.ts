import type { Command } from 'commander'
import { labelProgressText, reviewCommand } from '../../domain/stance.js'
import { statusReport, type StatusReport } from '../../jobs/status.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf, positiveInt } from '../options.js'
import { withContext } from '../session.js'
import { topicActivityLine } from '../topic-activity-text.js'
import { formatTable } from '../table.js'

interface Flags {
  runs: number
  topic?: string
  json?: boolean
}

export function registerStatus(program: Command, io: Io): void {
  program
    .command('status')
    .description('The daemon, each job and source (last and next run, position, lag, errors, rate limits, gaps), budgets, models, alerts, deliveries')
    .option('-n, --runs <n>', 'how many recent collector runs to show', positiveInt, 10)
    .option('-t, --topic <id>', 'only this topic in the per-topic part (the daemon, jobs and sources are shared by all)')
    .option('--json', 'print as JSON')
    .addHelpText(
      'after',
      `
Read from the database alone: it works beside the running daemon and without it. A run whose process is
gone (killed) shows as interrupted; the daemon closes it so at its next start.

Per topic: its posts (all, and posted in the last 24 hours), the stance model, the X post reads used
against the topic's daily and monthly budget, open alerts and the last digest. A post matched by two
topics is stored once and counted in each; "Posts" (per platform) counts every stored post once, and a
line says how many posts each pair of topics shares.

Examples:
  $ stancewatch status
  $ stancewatch status --json | jq '.sources[] | {source, lagSeconds, lastError}'
  $ stancewatch status --runs 30 --json
  $ stancewatch status --topic china-ai-fund --json | jq '.topics[0] | {posts, postsLast24h, budget, openAlerts}'`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(
        io,
        o,
        (ctx) => {
          const status = statusReport(ctx, { runs: o.runs, topic: o.topic })
          if (o.json) printJson(io, status)
          else printStatus(io, status, ctx.config.timezone)
        },
        { readOnly: true },
      )
    })
}

const minute = (s: string | null | undefined) => (s ? s.slice(0, 16).replace('T', ' ') : '–')

function duration(ms: number | null): string {
  if (ms === null) return '–'
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`
  if (ms < 3_600_000) return `${Math.round(ms / 1000)} s`
  return `${(ms / 3_600_000).toFixed(1)} h`
}

function lag(seconds: number | null): string {
  if (seconds === null) return '–'
  if (seconds < 120) return `${seconds} s`
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`
  return `${(seconds / 3600).toFixed(1)} h`
}

function printStatus(io: Io, s: StatusReport, zone: string): void {
  const mb = (b: number | null) => (b === null ? '–' : `${(b / 1e6).toFixed(1)} MB`)
  println(io, `Database ${s.database.path}: ${mb(s.database.bytes)} (+ ${mb(s.database.walBytes)} write-ahead log)`)
  const d = s.daemon
  println(
    io,
    d.running
      ? `Daemon: running, pid ${d.pid} on ${d.host}, since ${d.since} (heartbeat ${d.heartbeat})`
      : 'Daemon: not running (start it with `stancewatch start`)',
  )
  println(
    io,
    s.posts.length
      ? `Posts: ${s.posts.map((p) => `${p.platform} ${p.posts}${p.deleted ? ` (${p.deleted} deleted upstream)` : ''}`).join(', ')}`
      : 'Posts: none yet',
  )
  for (const t of s.topics) {
    println(
      io,
      `Topic ${t.id}: ${t.posts} posts (${t.first?.slice(0, 10) ?? '–'} to ${t.last?.slice(0, 10) ?? '–'}), ${t.classified} classified, ${t.uncertain ?? 0} uncertain, ${t.human ?? 0} labelled by people`,
    )
    println(
      io,
      `  model: ${t.model ? `${t.model.version}, cross-validated accuracy ${t.model.accuracy === null ? '–' : `${(t.model.accuracy * 100).toFixed(1)}%`}` : t.stance.status === 'awaiting-labels' ? `none, stance not yet measured: awaiting labels: ${labelProgressText(t.stance)} (label posts with \`${reviewCommand(t.id)}\`)` : 'none yet (trained on first classify)'}`,
    )
    const b = t.budget.x
    println(
      io,
      `  X budget: ${b.today}/${b.dailyLimit} post reads today ($${b.costTodayUsd.toFixed(2)}), ${b.month}/${b.monthlyLimit} this month ($${b.costMonthUsd.toFixed(2)}); first collected ${t.firstCollectedAt ?? 'never'}`,
    )
    println(io, `  ${topicActivityLine(t)}`)
  }
  for (const p of s.sharedPosts) if (p.posts) println(io, `Shared: ${p.posts} posts matched both ${p.a} and ${p.b} (stored once, counted in each)`)
  println(io, '')
  println(io, `Jobs (times UTC; schedules run in ${zone})`)
  println(
    io,
    formatTable(
      ['job', 'schedule', 'last run', 'result', 'took', 'next run', 'why'],
      s.jobs.map((j) => [
        j.job,
        j.schedule,
        minute(j.lastRun?.startedAt ?? null),
        j.runningNow ? `running (pid ${j.runningNow.pid})` : (j.lastRun?.status ?? 'never'),
        duration(j.lastRun?.durationMs ?? null),
        d.running ? minute(j.nextRun) : '(daemon stopped)',
        j.lastRun?.reason ?? '',
      ]),
    ),
  )
  println(io, '')
  println(io, 'Sources')
  println(
    io,
    formatTable(
      ['source', 'state', 'position', 'behind', 'last run', 'result', 'gaps', 'rate limit'],
      s.sources
        .filter((x) => x.enabled || x.lastRun)
        .map((x) => {
          const pos =
            x.position && 'watermark' in x.position
              ? minute(x.position.watermark)
              : x.position && 'cursor' in x.position
                ? minute(x.position.cursor)
                : x.position && 'files' in x.position
                  ? `${x.position.files.length} file(s)`
                  : '–'
          return [
            x.source,
            !x.enabled ? 'disabled' : x.canRun ? 'enabled' : 'cannot run',
            pos,
            lag(x.lagSeconds),
            minute(x.lastRun?.startedAt ?? null),
            x.lastRun?.status ?? 'never',
            String(x.gaps.length),
            x.rateLimit ? `until ${minute(x.rateLimit.until)}` : '–',
          ]
        }),
    ),
  )
  for (const x of s.sources) if (x.enabled && !x.canRun) println(io, `  ${x.source} cannot run: ${x.why}`)
  for (const x of s.sources) if (x.lastError && x.enabled) println(io, `  ${x.source} last error: ${x.lastError}`)
  for (const h of s.health.filter((h) => h.alertOpen)) println(io, `  ! operational alert open for ${h.subject} since ${h.alertedAt}`)
  println(io, '')
  println(io, 'Latest collector runs')
  println(
    io,
    s.runs.length
      ? formatTable(
          ['#', 'source', 'started (UTC)', 'status', 'fetched', 'new', 'dupl.', 'off-topic', 'skipped', 'waits', 'reads', 'cost $'],
          s.runs.map((r) => [
            String(r.id),
            r.source,
            minute(r.startedAt),
            r.status + (r.stopReason ? '*' : ''),
            String(r.fetched),
            String(r.newPosts),
            String(r.duplicates),
            String(r.offTopic),
            String(r.skipped),
            String(r.rateLimitWaits),
            String(r.reads),
            r.estCostUsd.toFixed(2),
          ]),
        )
      : '  none yet',
  )
  for (const r of s.runs.filter((x) => x.stopReason)) println(io, `  * #${r.id}: ${r.stopReason}`)
  println(io, '')
  println(
    io,
    s.gaps.length ? `Coverage gaps:\n${s.gaps.map((g) => `  ${g.source} ${g.startAt} – ${g.endAt}: ${g.reason}`).join('\n')}` : 'Coverage gaps: none open',
  )
  const a = s.alerts
  println(io, `Alerts: ${a.open ?? 0} open, ${a.acknowledged ?? 0} acknowledged, ${a.resolved ?? 0} resolved (stancewatch alerts list)`)
  println(io, s.deliveries.length ? 'Deliveries, last 7 days:' : 'Deliveries, last 7 days: none')
  for (const dl of s.deliveries) {
    const waiting = dl.retrying ? `, ${dl.retrying} failed (next try ${dl.nextAttemptAt})` : ''
    const lost = dl.gaveUp ? `, ${dl.gaveUp} given up` : ''
    const why = (dl.retrying || dl.gaveUp || dl.skipped) && dl.lastError ? `; last error: ${dl.lastError}` : ''
    println(io, `  ${dl.channel}: ${dl.sent} sent${waiting}${lost}${dl.skipped ? `, ${dl.skipped} skipped` : ''}${why}`)
  }
}
