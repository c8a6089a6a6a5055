import type { Command } from 'commander'
import type { AppContext } from '../../context.js'
import { JETSTREAM_CURSOR } from '../../jobs/collect-jetstream.js'
import { cursorRecord } from '../../store/cursors.js'
import { activeModel } from '../../store/models.js'
import { lastJobRuns, recentCollectorRuns } from '../../store/runs.js'
import { alertStates, deliveriesByChannel, openGaps, postCounts, topicCounts } from '../../store/status.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf, positiveInt } from '../options.js'
import { withContext } from '../session.js'
import { formatTable } from '../table.js'

interface Flags {
  runs: number
  json?: boolean
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

/** How far back `status` reports deliveries. */
const DELIVERY_DAYS = 7

/** Where the live stream stands: the stored cursor and how far behind the clock it is. */
function jetstreamPosition(ctx: AppContext): { cursor: string; behindSeconds: number; storedAt: string } | null {
  const c = cursorRecord(ctx.db, JETSTREAM_CURSOR.source, JETSTREAM_CURSOR.key)
  if (!c) return null
  const ms = Math.floor(Number(c.value) / 1000)
  return { cursor: new Date(ms).toISOString(), behindSeconds: Math.round((ctx.now().getTime() - ms) / 1000), storedAt: new Date(c.updatedAt).toISOString() }
}

export function registerStatus(program: Command, io: Io): void {
  program
    .command('status')
    .description('What is stored, the latest collector runs, coverage gaps, models, alerts, deliveries and scheduled jobs')
    .option('-n, --runs <n>', 'how many recent collector runs to show', positiveInt, 10)
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  $ stancewatch status\n  $ stancewatch status --runs 30 --json')
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(io, o, (ctx) => {
        const topics = ctx.config.topics.map((t) => {
          const c = topicCounts(ctx.db, t.id)
          const m = activeModel(ctx.db, t.id)
          const cv = m?.metrics as { accuracy?: number; macro_f1?: number } | null
          return { id: t.id, ...c, first: iso(c.first), last: iso(c.last), model: m ? { version: m.version, trained_at: iso(m.trainedAt), accuracy: cv?.accuracy ?? null, macro_f1: cv?.macro_f1 ?? null } : null }
        })
        const status = {
          database: ctx.db.name,
          posts: postCounts(ctx.db),
          topics,
          runs: recentCollectorRuns(ctx.db, o.runs).map((r) => ({ ...r, startedAt: iso(r.startedAt), finishedAt: iso(r.finishedAt) })),
          gaps: openGaps(ctx.db).map((g) => ({ ...g, startAt: iso(g.startAt), endAt: iso(g.endAt) })),
          jetstream: jetstreamPosition(ctx),
          jobs: lastJobRuns(ctx.db).map((j) => ({ ...j, startedAt: iso(j.startedAt), finishedAt: iso(j.finishedAt) })),
          alerts: alertStates(ctx.db),
          deliveries: deliveriesByChannel(ctx.db, ctx.now().getTime() - DELIVERY_DAYS * 86_400_000).map((d) => ({ ...d, nextAttemptAt: iso(d.nextAttemptAt) })),
        }
        if (o.json) return printJson(io, status)
        println(io, `Database ${status.database}`)
        println(io, status.posts.length ? `Posts: ${status.posts.map((p) => `${p.platform} ${p.posts}${p.deleted ? ` (${p.deleted} deleted upstream)` : ''}`).join(', ')}` : 'Posts: none yet')
        for (const t of topics) {
          println(io, `Topic ${t.id}: ${t.posts} posts (${t.first?.slice(0, 10) ?? '–'} to ${t.last?.slice(0, 10) ?? '–'}), ${t.classified} classified, ${t.uncertain ?? 0} uncertain, ${t.human ?? 0} labelled by people`)
          println(io, `  model: ${t.model ? `${t.model.version}, cross-validated accuracy ${t.model.accuracy === null ? '–' : `${(t.model.accuracy * 100).toFixed(1)}%`}` : 'none yet (trained on first classify)'}`)
        }
        println(io, '')
        println(io, 'Latest collector runs')
        println(
          io,
          status.runs.length
            ? formatTable(
                ['#', 'source', 'started (UTC)', 'status', 'fetched', 'new', 'dupl.', 'off-topic', 'skipped', 'waits', 'reads', 'cost $'],
                status.runs.map((r) => [String(r.id), r.source, r.startedAt!.slice(0, 16).replace('T', ' '), r.status + (r.stopReason ? '*' : ''), String(r.fetched), String(r.newPosts), String(r.duplicates), String(r.offTopic), String(r.skipped), String(r.rateLimitWaits), String(r.reads), r.estCostUsd.toFixed(2)]),
              )
            : '  none yet',
        )
        for (const r of status.runs.filter((x) => x.stopReason)) println(io, `  * #${r.id}: ${r.stopReason}`)
        println(io, '')
        println(io, status.gaps.length ? `Coverage gaps:\n${status.gaps.map((g) => `  ${g.source} ${g.startAt} – ${g.endAt}: ${g.reason}`).join('\n')}` : 'Coverage gaps: none recorded')
        if (status.jetstream) println(io, `Jetstream cursor ${status.jetstream.cursor} (${status.jetstream.behindSeconds} s behind now; stored ${status.jetstream.storedAt})`)
        const a = status.alerts
        println(io, `Alerts: ${a.open ?? 0} open, ${a.acknowledged ?? 0} acknowledged, ${a.resolved ?? 0} resolved (stancewatch alerts list)`)
        println(io, status.deliveries.length ? `Deliveries, last ${DELIVERY_DAYS} days:` : `Deliveries, last ${DELIVERY_DAYS} days: none`)
        for (const d of status.deliveries) {
          const waiting = d.retrying ? `, ${d.retrying} failed (next try ${d.nextAttemptAt})` : ''
          const lost = d.gaveUp ? `, ${d.gaveUp} given up` : ''
          const why = (d.retrying || d.gaveUp || d.skipped) && d.lastError ? `; last error: ${d.lastError}` : ''
          println(io, `  ${d.channel}: ${d.sent} sent${waiting}${lost}${d.skipped ? `, ${d.skipped} skipped` : ''}${why}`)
        }
        if (status.jobs.length) println(io, `Scheduled jobs: ${status.jobs.map((j) => `${j.job} ${j.status} at ${j.startedAt}`).join('; ')}`)
      }, { readOnly: true })
    })
}
