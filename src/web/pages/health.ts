import type { StatusReport } from '../../jobs/status.js'
import { html, type Markup } from '../html.js'

const mb = (b: number | null) => (b === null ? '–' : `${(b / 1e6).toFixed(1)} MB`)
const minute = (s: string | null | undefined) => (s ? s.slice(0, 16).replace('T', ' ') : '–')

function table(head: string[], rows: (string | number | null)[][]): Markup {
  return html`<div class="table-wrap">
    <table>
      <thead>
        <tr>
          ${head.map((h) => html`<th>${h}</th>`)}
        </tr>
      </thead>
      <tbody>
        ${rows.map(
          (r) =>
            html`<tr>
              ${r.map((c) => html`<td>${c ?? '–'}</td>`)}
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`
}

/** What `stancewatch status` shows, from the same report. */
export function healthPage(s: StatusReport): Markup {
  const d = s.daemon
  return html`<p>
      Daemon: ${d.running ? `running, pid ${d.pid} on ${d.host}, since ${minute(d.since)} (heartbeat ${minute(d.heartbeat)})` : 'not running'}. Database
      ${s.database.path}: ${mb(s.database.bytes)} (+ ${mb(s.database.walBytes)} write-ahead log).
    </p>
    <h2>Topics</h2>
    ${table(
      ['topic', 'posts', 'classified', 'by people', 'model', 'cv accuracy', 'X reads today / month'],
      s.topics.map((t) => [
        t.id,
        t.posts,
        t.classified,
        t.human ?? 0,
        t.model?.version ?? 'none',
        t.model?.accuracy == null ? '–' : `${(t.model.accuracy * 100).toFixed(1)}%`,
        `${t.budget.x.today}/${t.budget.x.dailyLimit} · ${t.budget.x.month}/${t.budget.x.monthlyLimit}`,
      ]),
    )}
    <h2>Jobs (UTC)</h2>
    ${table(
      ['job', 'schedule', 'last run', 'result', 'next run', 'why'],
      s.jobs.map((j) => [
        j.job,
        j.schedule,
        minute(j.lastRun?.startedAt),
        j.runningNow ? `running (pid ${j.runningNow.pid})` : (j.lastRun?.status ?? 'never'),
        d.running ? minute(j.nextRun) : '(daemon stopped)',
        j.lastRun?.reason ?? '',
      ]),
    )}
    <h2>Sources</h2>
    ${table(
      ['source', 'state', 'behind (s)', 'last run', 'result', 'gaps', 'last error'],
      s.sources.map((x) => [
        x.source,
        !x.enabled ? 'disabled' : x.canRun ? 'enabled' : `cannot run: ${x.why ?? ''}`,
        x.lagSeconds,
        minute(x.lastRun?.startedAt),
        x.lastRun?.status ?? 'never',
        x.gaps.length,
        x.lastError,
      ]),
    )}
    <h2>Coverage gaps</h2>
    ${
      s.gaps.length
        ? table(
            ['source', 'from', 'to', 'why'],
            s.gaps.map((g) => [g.source, minute(g.startAt), minute(g.endAt), g.reason]),
          )
        : html`<p>None open.</p>`
    }
    <h2>Alerts and deliveries</h2>
    <p>Alerts: ${s.alerts.open ?? 0} open, ${s.alerts.acknowledged ?? 0} acknowledged, ${s.alerts.resolved ?? 0} resolved.</p>
    ${
      s.deliveries.length
        ? table(
            ['channel', 'sent', 'retrying', 'given up', 'skipped'],
            s.deliveries.map((x) => [x.channel, x.sent, x.retrying, x.gaveUp, x.skipped]),
          )
        : html`<p>No deliveries in the last 7 days.</p>`
    }`
}
