import type { AppContext } from '../../context.js'
import type { DigestListing } from '../../store/digests.js'
import { html, type Markup } from '../html.js'
import { when } from './parts.js'

export function digestsPage(ctx: AppContext, topic: string, list: DigestListing[]): Markup {
  return html`${list.length ? '' : html`<p>No digests written yet (<code>stancewatch digest</code>, or the daemon's digest job).</p>`}
    <ul class="digests">
      ${list.map(
        (d) =>
          html`<li>
            <a href="/digests/view?topic=${encodeURIComponent(topic)}&amp;day=${d.day}">${d.day}</a>
            <span class="muted">written ${when(new Date(d.generatedAt).toISOString(), ctx.config.timezone)}${d.deliveredAt ? ', delivered' : ''}</span>
          </li>`,
      )}
    </ul>`
}

/** One digest inside the page: its HTML file in a sandboxed frame (no script, no same-origin access). */
export function digestViewPage(topic: string, day: string): Markup {
  const src = `/digests/file?topic=${encodeURIComponent(topic)}&day=${encodeURIComponent(day)}`
  return html`<p><a href="/digests">← all digests</a></p>
    <iframe class="digest" sandbox="" src="${src}" title="Digest of ${day}"></iframe>`
}
