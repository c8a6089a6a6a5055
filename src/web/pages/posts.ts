import type { AppContext } from '../../context.js'
import { filterQuery, type Filters } from '../filters.js'
import { externalLink, html, type Markup } from '../html.js'
import type { PostsView, PostView } from '../views.js'
import { filtersForm, labelButtons, stanceBadge, threadContext, when } from './parts.js'

function postCard(p: PostView, labels: string[], topic: string, zone: string): Markup {
  const author = p.authorHandle ? `@${p.authorHandle}` : (p.authorName ?? 'unknown author')
  return html`<article class="post" data-post="${p.id}" data-topic="${topic}" tabindex="0">
    <header>
      <strong dir="auto">${author}</strong> · <time datetime="${p.createdAt}">${when(p.createdAt, zone)}</time> · ${p.platform === 'x' ? 'X' : 'Bluesky'} ·
      ${p.lang} ·
      <span class="engagement" title="likes, reposts, replies, quotes"
        >♥ ${p.likes ?? '–'} ⟲ ${p.reposts ?? '–'} ↩ ${p.replies ?? '–'} ❝ ${p.quotes ?? '–'}</span
      >
      · ${externalLink(p.url, 'original')} · <span class="muted">#${p.id}</span>
    </header>
    ${threadContext('replying to', p.replyToPost, p.replyTo)}${threadContext('quoting', p.quotePost, p.quoteOf)}
    <p class="text" dir="auto">${p.text}</p>
    ${p.themes.length ? html`<p class="muted">themes: ${p.themes.join(', ')}</p>` : ''}
    <footer>
      ${stanceBadge(p.label, p.source, p.confidence)}${p.assistantLabel === null ? '' : html` <small class="assistant">assistant: ${p.assistantLabel}</small>`}
      ${labelButtons(labels)}
    </footer>
  </article>`
}

export function postsPage(ctx: AppContext, f: Filters, v: PostsView): Markup {
  const pageLink = (n: number, text: string) => html`<a href="/posts?${filterQuery(f, { page: n })}">${text}</a>`
  return html`${filtersForm(ctx, f, '/posts', ['label', 'min_confidence', 'q', 'sort'])}
    <p class="muted keys">
      Keys: j / k next and previous post, 1–${v.labels.length} set its stance, c clear, u undo the last label. Export these posts:
      <a href="/api/posts/export?${filterQuery(f)}">JSONL</a> ·
      <a href="/api/posts/export?${filterQuery(f, { format: 'csv' })}">CSV</a>
    </p>
    <section id="posts">${v.posts.length ? v.posts.map((p) => postCard(p, v.labels, v.topic, ctx.config.timezone)) : html`<p>No posts match.</p>`}</section>
    <nav class="pager">${v.page > 0 ? pageLink(v.page - 1, '← previous') : ''} page ${v.page + 1} ${v.hasMore ? pageLink(v.page + 1, 'next →') : ''}</nav>`
}
