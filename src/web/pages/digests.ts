import type { AppContext } from '../../context.js'
import { COMBINED_DIR } from '../../jobs/combined-digest.js'
import type { DigestListing } from '../../store/digests.js'
import { html, type Markup } from '../html.js'
import { when } from './parts.js'

/**
 * A topic's digests, and with several topics the combined ones ("All topics") above them. `combined` is
 * empty with a single topic: its combined digest would only repeat the topic's own.
 */
export function digestsPage(ctx: AppContext, topic: string, list: DigestListing[], combined: DigestListing[] = []): Markup {
  const item = (d: DigestListing, link: Markup) =>
    html`<li>
      ${link}
      <span class="muted">written ${when(new Date(d.generatedAt).toISOString(), ctx.config.timezone)}${d.deliveredAt ? ', delivered' : ''}</span>
    </li>`
  return html`${
      combined.length
        ? html`<h2>All topics</h2>
            <ul class="digests combined">
              ${combined.map((d) => item(d, html`<a href="/digests/all?day=${d.day}">${d.day}: all topics</a>`))}
            </ul>
            <h2>This topic</h2>`
        : ''
    }
    ${list.length ? '' : html`<p>No digests written yet (<code>stancewatch digest</code>, or the daemon's digest job).</p>`}
    <ul class="digests">
      ${list.map((d) => item(d, html`<a href="/digests/view?topic=${encodeURIComponent(topic)}&amp;day=${d.day}">${d.day}</a>`))}
    </ul>`
}

/** One digest inside the page: its HTML file in a sandboxed frame (no script, no same-origin access). */
export function digestViewPage(src: string, title: string): Markup {
  return html`<p><a href="/digests">← all digests</a></p>
    <iframe class="digest" sandbox="" src="${src}" title="${title}"></iframe>`
}

/**
 * Where a topic's digest file and the combined one are served from (the frame's source): paths shaped like the
 * digest folder (`TOPIC/digest-DAY.html`, `combined/digest-DAY.html`), which the combined digest's links assume.
 */
export const digestFileUrl = (topic: string, day: string) => `/digests/files/${encodeURIComponent(topic)}/digest-${encodeURIComponent(day)}.html`
export const combinedFileUrl = (day: string) => digestFileUrl(COMBINED_DIR, day)
