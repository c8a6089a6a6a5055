import type { AppContext } from '../../context.js'
import { labelProgressText } from '../../domain/stance.js'
import { filterQuery, type Filters } from '../filters.js'
import { html, jsonBlock, type Markup } from '../html.js'
import type { StanceView } from '../views.js'
import { filtersForm, when } from './parts.js'

const pct = (x: number) => `${(x * 100).toFixed(0)}%`

/**
 * Stance over time: the chart (drawn by the client from the JSON block, alerts and gaps marked on its time
 * axis) and the same numbers as a table, whose rows link to the posts behind each bucket.
 */
export function stancePage(ctx: AppContext, f: Filters, v: StanceView): Markup {
  const s = v.series
  const shown = s.labels.filter((l) => l !== 'unclassified' || s.totals.labels.find((x) => x.label === l)!.count > 0)
  const postsOf = (start: string, end: string) => `/posts?${filterQuery(f, { from: start, to: end, bucket: undefined })}`
  if (v.notMeasured) return unmeasured(ctx, f, v, postsOf)
  return html`${filtersForm(ctx, f, '/', ['bucket'])}
    <section class="chart-wrap">
      <div id="chart" aria-label="Share of each stance per ${s.bucket}"></div>
      <p class="muted">
        Share of each stance per ${s.bucket} (${s.timezone}); the shaded band around each line is its 95% interval. Red marks: alerts; grey bands: coverage
        gaps; hatched: not collected yet (before the topic's first collection). Click a ${s.bucket} to read its posts.
      </p>
      ${jsonBlock('stance-data', { ...v, postsBase: `/posts?${filterQuery(f, { from: undefined, to: undefined, bucket: undefined })}` })}
    </section>
    ${v.alerts.length ? html`<p>Alerts in this range: ${v.alerts.map((a) => html`<a href="/alerts#alert-${a.id}">#${a.id} ${a.kind} ${when(a.start, s.timezone)}</a> `)}</p>` : ''}
    ${v.gaps.length ? html`<p>Coverage gaps: ${v.gaps.map((g) => html`<span>${g.source} ${when(g.start, s.timezone)} – ${when(g.end, s.timezone)} (${g.reason}) </span>`)}</p>` : ''}
    <div class="table-wrap">
      <table class="numbers" id="stance-table">
        <thead>
          <tr>
            <th>${s.bucket}</th>
            <th>posts</th>
            ${shown.map((l) => html`<th>${l}</th>`)}
          </tr>
        </thead>
        <tbody>
          ${s.buckets.map((b) =>
            // Before the topic's first collection a zero means "not looked", not "no posts".
            !b.collected
              ? html`<tr class="not-collected">
                  <td>${bucketStart(b.start, s.bucket)}</td>
                  <td colspan="${shown.length + 1}">not collected</td>
                </tr>`
              : html`<tr>
                  <td><a href="${postsOf(b.start, b.end)}">${bucketStart(b.start, s.bucket)}</a></td>
                  <td>${b.total}</td>
                  ${shown.map((l) => {
                    const x = b.labels.find((y) => y.label === l)!
                    return html`<td>${b.total ? html`${x.count} <small>${pct(x.share)} (${pct(x.ci95[0])}–${pct(x.ci95[1])})</small>` : '–'}</td>`
                  })}
                </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr>
            <th>total</th>
            <td>${s.totals.total}</td>
            ${shown.map((l) => {
              const x = s.totals.labels.find((y) => y.label === l)!
              return html`<td>${x.count} <small>${s.totals.total ? pct(x.share) : ''}</small></td>`
            })}
          </tr>
        </tfoot>
      </table>
    </div>`
}

/** A topic with no model yet: what it needs instead of a chart of shares, and its posts per bucket. */
function unmeasured(ctx: AppContext, f: Filters, v: StanceView, postsOf: (start: string, end: string) => string): Markup {
  const s = v.series
  const n = v.notMeasured!
  return html`${filtersForm(ctx, f, '/', ['bucket'])}
    <p class="not-measured" id="not-measured">
      Stance not yet measured: labels so far <strong>${labelProgressText(n)}</strong> (a model is trained once every label has ${n.floor}); label posts on the
      <a href="/review?topic=${s.topic}">review page</a> or with <code>${n.review}</code>.
    </p>
    <div class="table-wrap">
      <table class="numbers" id="stance-table">
        <thead>
          <tr>
            <th>${s.bucket}</th>
            <th>posts</th>
          </tr>
        </thead>
        <tbody>
          ${s.buckets.map(
            (b) =>
              html`<tr class="${b.collected ? '' : 'not-collected'}">
                <td>${b.collected ? html`<a href="${postsOf(b.start, b.end)}">${bucketStart(b.start, s.bucket)}</a>` : bucketStart(b.start, s.bucket)}</td>
                <td>${b.collected ? b.total : 'not collected'}</td>
              </tr>`,
          )}
        </tbody>
        <tfoot>
          <tr>
            <th>total</th>
            <td>${s.totals.total}</td>
          </tr>
        </tfoot>
      </table>
    </div>`
}

/** A bucket's start as a table row names it: the day, or the day and hour. */
function bucketStart(start: string, unit: string): string {
  return start.slice(0, unit === 'hour' ? 16 : 10).replace('T', ' ')
}
