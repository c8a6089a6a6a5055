import type { AppContext } from '../../context.js'
import { html, type Markup } from '../html.js'

export type PageName = 'stance' | 'posts' | 'review' | 'alerts' | 'digests' | 'health'

const NAV: [PageName, string, string][] = [
  ['stance', '/', 'Stance'],
  ['posts', '/posts', 'Posts'],
  ['review', '/review', 'Review'],
  ['alerts', '/alerts', 'Alerts'],
  ['digests', '/digests', 'Digests'],
  ['health', '/health', 'Health'],
]

export interface PageFrame {
  ctx: AppContext
  csrf: string
  page: PageName
  title: string
  topic: string
  body: Markup
  /** The stance page loads uPlot; the others do not need it. */
  chart?: boolean
}

/**
 * Every page's frame. Scripts and styles come from our own origin only (the CSP allows nothing else); the
 * CSRF token is in a meta tag for the client script to send with each change.
 */
export function layout(f: PageFrame): string {
  const topicQuery = f.topic === f.ctx.config.topics[0]?.id ? '' : `?topic=${encodeURIComponent(f.topic)}`
  return `<!doctype html>${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="csrf-token" content="${f.csrf}" />
        <link rel="icon" href="data:," />
        <title>${f.title} · stancewatch</title>
        ${f.chart ? html`<link rel="stylesheet" href="/assets/uPlot.min.css" />` : ''}
        <link rel="stylesheet" href="/assets/dashboard.css" />
        ${f.chart ? html`<script src="/assets/uPlot.min.js" defer></script>` : ''}
        <script src="/assets/dashboard.js" defer></script>
      </head>
      <body data-page="${f.page}" data-topic="${f.topic}">
        <header class="top">
          <strong class="brand">stancewatch</strong>
          <nav>${NAV.map(([name, href, label]) => html`<a href="${href + topicQuery}" ${name === f.page ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
        </header>
        <main>
          <h1>${f.title}</h1>
          ${f.body}
        </main>
        <div id="toast" role="status" aria-live="polite" hidden></div>
      </body>
    </html>`.value
  }`
}
