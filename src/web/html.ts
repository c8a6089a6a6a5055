import { escapeHtml, safeHref } from '../render/escape.js'

/**
 * Markup built with `html\`…\``: every interpolated value is escaped unless it is itself markup built this
 * way. Escaping is the default, so a piece of post text can only reach the page as text.
 */
export class Markup {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

type Part = Markup | string | number | boolean | null | undefined | readonly Part[]

function render(v: Part): string {
  if (v === null || v === undefined || v === false) return ''
  if (v instanceof Markup) return v.value
  if (Array.isArray(v)) return (v as readonly Part[]).map(render).join('')
  return escapeHtml(String(v))
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Markup {
  let out = strings[0]!
  values.forEach((v, i) => (out += render(v) + strings[i + 1]!))
  return new Markup(out)
}

/** A link to a post's original: only an http(s) URL is a link; anything else (javascript:, data:) stays text. */
export function externalLink(url: string, label: string): Markup {
  const href = safeHref(url)
  return href ? html`<a href="${href}" rel="noopener noreferrer nofollow" target="_blank">${label}</a>` : html`<span>${label}</span>`
}

/**
 * JSON for a `<script type="application/json">` block (never executed, so CSP allows it): `<` is written as
 * \u003c so no text inside can close the block, and U+2028/2029 as escapes.
 */
export function jsonBlock(id: string, value: unknown): Markup {
  const json = JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
  return new Markup(`<script type="application/json" id="${escapeHtml(id)}">${json}</script>`)
}
