import type { AppContext } from '../../context.js'
import type { AlertDetails } from '../../alerts/details.js'
import { ALERT_STATES, type AlertView } from '../alerts.js'
import { externalLink, html, type Markup } from '../html.js'
import { when } from './parts.js'

const mix = (m: Record<string, number> | undefined) =>
  m
    ? Object.entries(m)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')
    : '–'

/** Each alert with its state (changeable) and everything stored about it. */
export function alertsPage(ctx: AppContext, alerts: (AlertView & { details: AlertDetails })[], state: string | null): Markup {
  const zone = ctx.config.timezone
  return html`<form class="filters" method="get" action="/alerts">
      <label
        >State
        <select name="state" class="auto">
          <option value="">all</option>
          ${ALERT_STATES.map((s) => html`<option value="${s}" ${s === state ? html` selected` : ''}>${s}</option>`)}
        </select></label
      >
      <button type="submit">Apply</button>
    </form>
    ${alerts.length ? '' : html`<p>No alerts stored${state ? ` in state ${state}` : ''}.</p>`}
    ${alerts.map((a) => {
      const c = a.details
      return html`<article class="alert" id="alert-${a.id}" data-alert="${a.id}">
        <h2>#${a.id} ${a.kind.replace('_', ' ')}${a.platform ? ` on ${a.platform}` : ''}: ${when(a.windowStart, zone)} – ${when(a.windowEnd, zone)}</h2>
        <p>
          Observed ${a.observed} vs ${a.expected.toFixed(1)} expected (score
          ${a.score.toFixed(1)})${c.label ? ` for ${c.label}` : ''}${c.partialCoverage ? ' — part of the window was not collected: a lower bound' : ''}.
          <label
            >State
            <select class="alert-state" data-alert="${a.id}">
              ${ALERT_STATES.map((s) => html`<option value="${s}" ${s === a.state ? html` selected` : ''}>${s}</option>`)}
            </select></label
          >
        </p>
        <details>
          <summary>Context</summary>
          <p>
            Stance mix: ${mix(c.stanceMix)}. Languages: ${mix(c.languages)}. Platforms:
            ${mix(c.platforms)}.${c.articleLinkShare === null ? '' : ` Linking the article: ${(c.articleLinkShare * 100).toFixed(0)}%.`}
          </p>
          ${
            c.shares.length
              ? html`<p>
                  Shares against the baseline:
                  ${c.shares.map((x) => `${x.label} ${(x.share * 100).toFixed(0)}% (baseline ${(x.baselineShare * 100).toFixed(0)}%)`).join(', ')}
                </p>`
              : ''
          }
          ${c.gaps.length ? html`<p>Not collected: ${c.gaps.map((g) => `${g.source} ${when(g.start, zone)} – ${when(g.end, zone)} (${g.reason})`).join('; ')}</p>` : ''}
          <p>Top terms: ${c.topTerms.map((t) => `${t.term} (${t.posts})`).join(', ') || '–'}</p>
          <p>Top accounts: ${c.topAccounts.map((t) => `${t.account} (${t.posts} posts)`).join(', ') || '–'}</p>
          <ul>
            ${c.topPosts.map((p) => html`<li><strong dir="auto">${p.author}</strong> (${p.label ?? 'unclassified'}${p.human ? ', person' : ''}, ${p.engagement} engagement, ${externalLink(p.url, 'original')}): <span dir="auto">${p.text}</span></li>`)}
          </ul>
        </details>
      </article>`
    })}`
}
