import type { AppContext } from '../../context.js'
import { ALERT_STATES, type AlertView } from '../alert-seam.js'
import { externalLink, html, type Markup } from '../html.js'
import { when } from './parts.js'

interface Context {
  posts?: number
  stanceMix?: Record<string, number>
  languages?: Record<string, number>
  platforms?: Record<string, number>
  articleLinkShare?: number
  topTerms?: { term: string; posts: number; lift?: number }[]
  topAccounts?: { account: string; posts: number; engagement: number }[]
  topPosts?: { url: string; author: string; text: string; engagement: number; label: string | null; human: boolean }[]
  partialCoverage?: boolean
}

const mix = (m: Record<string, number> | undefined) =>
  m
    ? Object.entries(m)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')
    : '–'

/** Each alert with its state (changeable) and everything stored about it. */
export function alertsPage(ctx: AppContext, alerts: (AlertView & { context: unknown })[], state: string | null): Markup {
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
      const c = (a.context ?? {}) as Context
      return html`<article class="alert" id="alert-${a.id}" data-alert="${a.id}">
        <h2>#${a.id} ${a.kind.replace('_', ' ')}${a.platform ? ` on ${a.platform}` : ''}: ${when(a.windowStart, zone)} – ${when(a.windowEnd, zone)}</h2>
        <p>
          Observed ${a.observed} vs ${a.expected.toFixed(1)} expected (score
          ${a.score.toFixed(1)})${c.partialCoverage ? ' — part of the window was not collected: a lower bound' : ''}.
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
            ${mix(c.platforms)}.${c.articleLinkShare === undefined ? '' : ` Linking the article: ${(c.articleLinkShare * 100).toFixed(0)}%.`}
          </p>
          <p>Top terms: ${(c.topTerms ?? []).map((t) => `${t.term} (${t.posts})`).join(', ') || '–'}</p>
          <p>Top accounts: ${(c.topAccounts ?? []).map((t) => `${t.account} (${t.posts} posts)`).join(', ') || '–'}</p>
          <ul>
            ${(c.topPosts ?? []).map((p) => html`<li><strong dir="auto">${p.author}</strong> (${p.label ?? 'unclassified'}${p.human ? ', person' : ''}, ${p.engagement} engagement, ${externalLink(p.url, 'original')}): <span dir="auto">${p.text}</span></li>`)}
          </ul>
        </details>
      </article>`
    })}`
}
