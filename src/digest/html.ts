import { escapeHtml, safeHref, truncateGraphemes } from '../render/escape.js'
import { UNCLASSIFIED } from '../domain/stance.js'
import type { DigestFacts, DigestLabel, ShareChange } from './facts.js'
import { colourOf, stackedBars } from './svg-chart.js'
import {
  alertSentence,
  breakdown,
  changeText,
  engagementLine,
  exemplarRule,
  groupNote,
  healthItems,
  labelledBy,
  labelNames,
  revisionSentence,
  themeSentence,
  zoneLine,
  LANGUAGE_NAMES,
  longDate,
  notCollectedSince,
  notMeasuredSentence,
  num,
  pct,
  PLATFORM_NAMES,
  QUOTE_GRAPHEMES,
  timeOfDay,
  volumeSentence,
} from './text.js'

const e = escapeHtml

// No script may run even if escaping had a hole: the policy forbids everything but inline styles.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

// Fonts: the system's own UI face first, then the Noto CJK faces (Debian: fonts-noto-cjk) and the CJK faces
// that macOS and Windows ship. A post's detected language is its `lang`, so Chinese and Japanese text each
// get their own glyph forms of the shared Han characters rather than whichever CJK face comes first.
const FONTS = `system-ui,-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC","Noto Sans CJK JP","Noto Sans CJK TC","Noto Sans CJK KR","PingFang SC","Hiragino Sans","Microsoft YaHei","Yu Gothic",sans-serif`
const CJK_FIRST = (face: string) => `"Noto Sans CJK ${face}",${FONTS}`

// Tables: every cell stays on one line except header cells and stance names, which wrap, so at 760 px both
// tables fit. On a phone the 14-day table is wider than the screen: it scrolls inside its own box (a
// shadow at the edge says there is more) with the day column held in place, and the page itself never
// scrolls sideways. The stance table is made to fit a phone instead (interval and "within noise" go under
// their figures), so its change columns are always in view.
const STYLE = `
body{margin:0;background:#f6f6f4;color:#1b1b1b;font:16px/1.5 ${FONTS}}
:lang(zh){font-family:${CJK_FIRST('SC')}}:lang(ja){font-family:${CJK_FIRST('JP')}}:lang(ko){font-family:${CJK_FIRST('KR')}}
main{max-width:760px;margin:0 auto;padding:16px;background:#fff}
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0}h2{font-size:1.2rem;margin:1.75rem 0 .5rem;border-bottom:1px solid #ddd}h3{font-size:1rem;margin:1rem 0 .25rem}
.lead{font-size:1.1rem;font-weight:600}.muted{color:#555;font-size:.9rem}
.table-wrap{max-width:100%;overflow-x:auto;background:linear-gradient(to right,#fff 30%,rgba(255,255,255,0)) left/24px 100% no-repeat local,linear-gradient(to left,#fff 30%,rgba(255,255,255,0)) right/24px 100% no-repeat local,radial-gradient(farthest-side at 0 50%,rgba(0,0,0,.18),transparent) left/10px 100% no-repeat scroll,radial-gradient(farthest-side at 100% 50%,rgba(0,0,0,.18),transparent) right/10px 100% no-repeat scroll}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{padding:4px 8px;border-bottom:1px solid #e4e4e4;text-align:right;white-space:nowrap}
thead th{white-space:normal;vertical-align:bottom;overflow-wrap:normal}
th:first-child,td:first-child{text-align:left}
th[scope=row]{position:sticky;left:0;background:#fff}
.stance th[scope=row]{white-space:normal;min-width:7em}
caption{text-align:left;font-size:.9rem;color:#555;padding-bottom:4px}
.nc{color:#555;font-style:italic;text-align:left}.nc-swatch{border:1px dashed #888;box-sizing:border-box}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.35em;vertical-align:baseline;border-radius:2px}
ol.posts{padding-left:1.25rem}ol.posts li{margin-bottom:.9rem}
blockquote{margin:0 0 .2rem;padding:.4rem .7rem;border-left:4px solid #ccc;background:#fafafa;overflow-wrap:anywhere;white-space:pre-wrap}
.human{display:inline-block;padding:0 .4em;border-radius:3px;background:#e8f0fe;color:#0b3d91;font-size:.8rem;font-weight:600}
.unsure{display:inline-block;padding:0 .4em;border-radius:3px;background:#fff3cd;color:#7a4b00;font-size:.8rem;font-weight:600}
.note{padding:.3rem .6rem;background:#fff8e1;border-left:4px solid #b26a00;font-size:.9rem}
a{color:#0b57d0;overflow-wrap:anywhere}
.update{padding:.5rem .75rem;background:#fff8e1;border-left:4px solid #b26a00}
@media (max-width:600px){.stance .ci,.stance .noise{display:block;white-space:normal;color:#555;font-size:.85em}}
@media (max-width:480px){main{padding:10px}body{font-size:15px}table{font-size:.85rem}th,td{padding:4px 5px}}
`

/** A self-contained HTML digest: inline CSS and SVG, no script, no external request. */
export function renderHtml(f: DigestFacts): string {
  const title = `${f.topic.name}: daily digest for ${longDate(f)}`
  const body: string[] = []
  body.push(`<h1>${e(title)}</h1>`, `<p class="muted">${e(zoneLine(f))}</p>`)
  for (const r of f.revisions) body.push(`<p class="update"><strong>Update:</strong> ${e(revisionSentence(r, labelNames(f), f.timezone))}</p>`)
  if (f.empty) {
    body.push('<p class="lead">No posts about this topic were collected on this day.</p>', health(f))
    return page(title, body)
  }
  body.push(`<p class="lead">${e(volumeSentence(f))}</p>`)
  body.push(
    '<ul>',
    `<li>Platforms: ${e(breakdown(f.volume.byPlatform, PLATFORM_NAMES, f.volume.total))}</li>`,
    `<li>Languages: ${e(breakdown(f.volume.byLanguage, LANGUAGE_NAMES, f.volume.total))}</li>`,
    `<li>Linking the article itself: ${num(f.article.posts)} posts (${pct(f.article.share)})</li>`,
    '</ul>',
  )

  if (f.notMeasured) {
    body.push(...unmeasured(f), health(f))
    return page(title, body)
  }

  body.push(
    '<h2>Stance</h2>',
    '<div class="table-wrap"><table class="stance">',
    '<caption>Share of the day’s posts per stance, with the 95% interval, and the change in percentage points</caption>',
  )
  body.push(
    '<thead><tr><th scope="col">Stance</th><th scope="col">Posts</th><th scope="col">Share (95% interval)</th><th scope="col">vs day before</th><th scope="col">vs 7-day average</th></tr></thead><tbody>',
  )
  f.stance.forEach((l, i) =>
    body.push(
      `<tr><th scope="row"><span class="swatch" style="background:${colourOf(l.label, i)}" aria-hidden="true"></span>${e(l.name)}</th><td>${num(l.count)}</td><td>${shareCell(l)}</td><td>${changeCell(l.vsPreviousDay)}</td><td>${changeCell(l.vsSevenDays)}</td></tr>`,
    ),
  )
  body.push('</tbody></table></div>')
  const human = f.stance.reduce((s, l) => s + l.human, 0)
  body.push(
    `<p class="muted">${human ? `${num(human)} of these labels were given by people; the rest by the model.` : 'All labels are the model’s; none corrected by people yet.'}</p>`,
  )

  if (f.themes.length) body.push('<h2>Themes</h2>', '<ul>', ...f.themes.map((t) => `<li>${e(themeSentence(t))}</li>`), '</ul>')

  body.push(
    '<h2>Last 14 days</h2>',
    `<figure>${stackedBars(f.chart, f.stance, `Posts per day by stance, last ${f.chart.length} days`)}<figcaption class="muted">${f.stance.map((l, i) => `<span class="swatch" style="background:${colourOf(l.label, i)}" aria-hidden="true"></span>${e(l.name)}`).join(' &nbsp; ')}${f.chart.some((d) => !d.collected) ? ` &nbsp; <span class="swatch nc-swatch" aria-hidden="true"></span>${e(notCollectedSince(f))}` : ''}</figcaption></figure>`,
  )
  // The same numbers as a table: e-mail clients that drop inline SVG, and screen readers, still get them.
  const shown = f.stance.filter((l) => f.chart.some((d) => (d.counts[l.label] ?? 0) > 0))
  body.push(
    '<div class="table-wrap days" role="region" aria-label="Posts per day, last 14 days" tabindex="0"><table>',
    '<caption>Posts per day and the share of each stance</caption>',
    `<thead><tr><th scope="col">Day</th><th scope="col">Posts</th>${shown.map((l) => `<th scope="col">${e(l.name)}</th>`).join('')}</tr></thead><tbody>`,
    ...f.chart.map((d) =>
      d.collected
        ? `<tr><th scope="row">${e(d.day)}</th><td>${num(d.total)}</td>${shown.map((l) => `<td>${d.total ? pct((d.counts[l.label] ?? 0) / d.total) : '–'}</td>`).join('')}</tr>`
        : `<tr class="not-collected"><th scope="row">${e(d.day)}</th><td class="nc" colspan="${1 + shown.length}">not collected</td></tr>`,
    ),
    '</tbody></table></div>',
  )

  body.push('<h2>Most engaged posts</h2>', `<p class="muted">${e(exemplarRule(f))}</p>`)
  for (const g of f.topPosts) {
    body.push(`<h3>${e(g.name)}</h3>`)
    const note = groupNote(g, f)
    if (note) body.push(`<p class="${g.unsure ? 'note' : 'muted'}">${e(note)}</p>`)
    if (g.posts.length === 0) continue
    body.push('<ol class="posts">')
    for (const p of g.posts) {
      const href = safeHref(p.url)
      const by = p.human ? `<span class="human">${e(labelledBy(p))}</span>` : p.unsure ? `<span class="unsure">${e(labelledBy(p))}</span>` : e(labelledBy(p))
      body.push(
        `<li><blockquote dir="auto"${langAttr(p.lang)}>${e(truncateGraphemes(p.text, QUOTE_GRAPHEMES))}</blockquote><div class="muted">${e(p.author)} on ${e(PLATFORM_NAMES[p.platform] ?? p.platform)} at ${e(timeOfDay(p.createdAt, f.timezone))} · ${e(engagementLine(p))} · ${by}${href ? ` · <a href="${e(href)}" rel="noopener noreferrer">open post</a>` : ''}</div></li>`,
      )
    }
    body.push('</ol>')
  }

  body.push(...driversAndAlerts(f))
  body.push(health(f))
  return page(title, body)
}

/** A topic with no model yet: no stance mix; posts per day (one grey bar each) and the most engaged posts without labels. */
function unmeasured(f: DigestFacts): string[] {
  const body = ['<h2>Stance</h2>', `<p class="note">${notMeasuredSentence(f, (c) => `<code>${e(c)}</code>`, e)}</p>`]
  if (f.themes.length) body.push('<h2>Themes</h2>', '<ul>', ...f.themes.map((t) => `<li>${e(themeSentence(t))}</li>`), '</ul>')
  const volume = f.chart.map((d) => ({ ...d, counts: { [UNCLASSIFIED]: d.total } }))
  body.push(
    '<h2>Last 14 days</h2>',
    `<figure>${stackedBars(volume, [{ label: UNCLASSIFIED, name: 'posts' }], `Posts per day, last ${f.chart.length} days (stance not yet measured)`)}${f.chart.some((d) => !d.collected) ? `<figcaption class="muted"><span class="swatch nc-swatch" aria-hidden="true"></span>${e(notCollectedSince(f))}</figcaption>` : ''}</figure>`,
    '<div class="table-wrap days" role="region" aria-label="Posts per day, last 14 days" tabindex="0"><table>',
    '<caption>Posts per day</caption>',
    '<thead><tr><th scope="col">Day</th><th scope="col">Posts</th></tr></thead><tbody>',
    ...f.chart.map((d) =>
      d.collected
        ? `<tr><th scope="row">${e(d.day)}</th><td>${num(d.total)}</td></tr>`
        : `<tr class="not-collected"><th scope="row">${e(d.day)}</th><td class="nc">not collected</td></tr>`,
    ),
    '</tbody></table></div>',
    '<h2>Most engaged posts</h2>',
  )
  if (f.mostEngaged.length) {
    body.push('<ol class="posts">')
    for (const p of f.mostEngaged) {
      const href = safeHref(p.url)
      body.push(
        `<li><blockquote dir="auto"${langAttr(p.lang)}>${e(truncateGraphemes(p.text, QUOTE_GRAPHEMES))}</blockquote><div class="muted">${e(p.author)} on ${e(PLATFORM_NAMES[p.platform] ?? p.platform)} at ${e(timeOfDay(p.createdAt, f.timezone))} · ${e(engagementLine(p))}${href ? ` · <a href="${e(href)}" rel="noopener noreferrer">open post</a>` : ''}</div></li>`,
      )
    }
    body.push('</ol>')
  }
  body.push(...driversAndAlerts(f))
  return body
}

/** The share and, apart so a phone can put it on its own line, the interval. */
function shareCell(l: DigestLabel): string {
  return `${e(pct(l.share))} <span class="ci">(${e(pct(l.ci95[0]))}–${e(pct(l.ci95[1]))})</span>`
}

/** The change in points, and "within noise" apart (it may go under the figure on a phone). */
function changeCell(c: ShareChange | null): string {
  const text = changeText(c)
  const noise = text.indexOf(' (')
  return noise < 0 ? e(text) : `${e(text.slice(0, noise))} <span class="noise">${e(text.slice(noise + 1))}</span>`
}

/** A post's detected language when it is not the page's (English); 'und' (undetermined) says nothing. */
function langAttr(lang: string | undefined): string {
  return lang && /^[a-z]{2,3}$/.test(lang) && lang !== 'und' && lang !== 'en' ? ` lang="${lang}"` : ''
}

function health(f: DigestFacts): string {
  return `<h2>Collection health</h2><ul>${healthItems(f)
    .map((i) => `<li>${e(i)}</li>`)
    .join('')}</ul><p class="muted">Generated ${e(f.generatedAt)} by stancewatch.</p>`
}

export function page(title: string, body: string[]): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="color-scheme" content="light">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body.join('\n')}
</main>
</body>
</html>
`
}

/** The terms and accounts that drove the day, and its alerts: the same in a digest with or without stance. */
function driversAndAlerts(f: DigestFacts): string[] {
  const body: string[] = []
  if (f.topTerms.length)
    body.push('<h2>What drove it</h2>', `<p>Terms and matched rules: ${f.topTerms.map((t) => `${e(t.term)} (${num(t.posts)})`).join(', ')}</p>`)
  if (f.topAccounts.length)
    body.push(
      '<h2>Accounts that drove the conversation</h2>',
      '<ul>',
      ...f.topAccounts.map((a) => `<li>${e(a.account)}: ${num(a.posts)} posts, ${num(a.engagement)} engagements</li>`),
      '</ul>',
    )
  body.push('<h2>Alerts</h2>')
  body.push(
    f.alerts.length
      ? `<ul>${f.alerts
          .map((a) => {
            const terms = a.topTerms.length ? `; driven by ${a.topTerms.map(e).join(', ')}` : ''
            const posts = a.topPosts.map((p) => {
              const href = safeHref(p.url)
              return `<li>${e(p.author)}: <q dir="auto">${e(truncateGraphemes(p.text, 140))}</q>${href ? ` · <a href="${e(href)}" rel="noopener noreferrer">open post</a>` : ''}</li>`
            })
            return `<li><strong>${e(alertSentence(a, f.timezone))}</strong>${terms}${posts.length ? `<ul>${posts.join('')}</ul>` : ''}</li>`
          })
          .join('')}</ul>`
      : '<p>No alerts fired on this day.</p>',
  )
  return body
}
