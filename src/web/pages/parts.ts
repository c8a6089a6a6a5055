import type { Filters } from '../filters.js'
import { filterLabels } from '../filters.js'
import type { AppContext } from '../../context.js'
import { externalLink, html, type Markup } from '../html.js'
import type { ThreadPost } from '../../store/dashboard-posts.js'

type Field = 'bucket' | 'label' | 'min_confidence' | 'q' | 'sort'

function select(name: string, label: string, options: [string, string][], value: string | undefined): Markup {
  return html`<label
    >${label}
    <select name="${name}" class="auto">
      ${options.map(([v, text]) => html`<option value="${v}" ${v === (value ?? '') ? html` selected` : ''}>${text}</option>`)}
    </select></label
  >`
}

/**
 * The filter form: a plain GET form, so every filtered view is a link; the client script submits it when a
 * select changes.
 */
export function filtersForm(ctx: AppContext, f: Filters, action: string, fields: Field[]): Markup {
  const has = (x: Field) => fields.includes(x)
  const topics = ctx.config.topics.map((t): [string, string] => [t.id, t.name])
  return html`<form class="filters" method="get" action="${action}">
    ${topics.length > 1 ? select('topic', 'Topic', topics, f.topic.id) : html`<input type="hidden" name="topic" value="${f.topic.id}" />`}
    <label>From <input type="date" name="from" value="${f.fromText.slice(0, 10)}" /></label>
    <label>To <input type="date" name="to" value="${f.toText.slice(0, 10)}" /></label>
    ${
      has('bucket')
        ? select(
            'bucket',
            'Bucket',
            [
              ['hour', 'hour'],
              ['day', 'day'],
              ['week', 'week'],
            ],
            f.bucket,
          )
        : ''
    }
    ${select(
      'platform',
      'Platform',
      [
        ['', 'all'],
        ['x', 'X'],
        ['bluesky', 'Bluesky'],
      ],
      f.platform,
    )}
    ${select(
      'lang',
      'Language',
      [
        ['', 'all'],
        ['en', 'English'],
        ['zh', 'Chinese'],
        ['fr', 'French'],
        ['ja', 'Japanese'],
      ],
      f.lang,
    )}
    ${f.topic.themes.length ? select('theme', 'Theme', [['', 'all'], ...f.topic.themes.map((t): [string, string] => [t.id, t.name])], f.theme) : ''}
    ${has('label') ? select('label', 'Stance', [['', 'all'], ...filterLabels(f.topic).map((l): [string, string] => [l, l])], f.label) : ''}
    ${has('min_confidence') ? html`<label>Min. confidence <input type="number" name="min_confidence" min="0" max="1" step="0.05" value="${f.minConfidence ?? ''}" /></label>` : ''}
    ${has('q') ? html`<label>Search <input type="search" name="q" value="${f.q ?? ''}" placeholder="words in the text" /></label>` : ''}
    ${
      has('sort')
        ? select(
            'sort',
            'Sort',
            [
              ['time', 'newest'],
              ['engagement', 'most engaged'],
            ],
            f.sort,
          )
        : ''
    }
    <button type="submit">Apply</button>
  </form>`
}

export function when(iso: string, zone: string): string {
  return new Date(iso).toLocaleString('en-GB', { timeZone: zone, dateStyle: 'medium', timeStyle: 'short' })
}

export function threadContext(kind: 'replying to' | 'quoting', t: ThreadPost | null, named: string | null): Markup {
  if (!named) return html``
  if (!t) return html`<p class="context muted">${kind} a post that is not stored</p>`
  return html`<blockquote class="context">
    <span class="muted">${kind} ${t.authorHandle ? `@${t.authorHandle}` : 'a post'} (${externalLink(t.url, 'original')}):</span>
    <span dir="auto">${t.text}</span>
  </blockquote>`
}

/** What a post's stance is and who said so: a person, or the model with its confidence. */
export function stanceBadge(label: string | null, source: string | null, confidence: number | null): Markup {
  const who = source === 'human' ? 'person' : source === 'model' ? `model ${confidence === null ? '' : confidence.toFixed(2)}` : 'not scored'
  return html`<span class="stance" data-label="${label ?? 'unclassified'}" data-source="${source ?? ''}"
    >${label ?? 'unclassified'} <small>(${who})</small></span
  >`
}

/** One button per label (keys 1…n), and one to hand the post back to the model. */
export function labelButtons(labels: string[]): Markup {
  return html`<div class="label-buttons">
    ${labels.map((l, i) => html`<button type="button" class="label-btn" data-label="${l}" title="key ${i + 1}"><kbd>${i + 1}</kbd> ${l}</button>`)}<button
      type="button"
      class="label-btn clear"
      data-label=""
      title="key c"
    >
      clear
    </button>
  </div>`
}
