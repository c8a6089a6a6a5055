import type { AppContext } from '../../context.js'
import { externalLink, html, type Markup } from '../html.js'
import type { ReviewView } from '../views.js'
import { labelProgressText } from '../../domain/stance.js'
import { labelButtons, stanceBadge, when } from './parts.js'

const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)}%`)

/** The least certain posts first, one key per label; beside them the model's figures and the retrain action. */
export function reviewPage(ctx: AppContext, v: ReviewView): Markup {
  const m = v.model
  return html`<section class="model" id="model">
      <h2>Model</h2>
      ${
        m
          ? html`<p>
              ${m.version}, trained ${when(m.trainedAt, ctx.config.timezone)} on ${m.trainingSize} examples. Cross-validated accuracy ${pct(m.accuracy)},
              macro-F1 ${m.macroF1 === null ? '–' : m.macroF1.toFixed(3)}.
            </p>`
          : v.progress
            ? html`<p id="first-model">
                No model yet: stance is not measured. Labels so far: <strong>${labelProgressText(v.progress, ' · ')}</strong>. The next
                <code>stancewatch classify</code> (or the daemon's) trains a first model once every label has ${v.progress.floor}.
              </p>`
            : html`<p>No model yet: run <code>stancewatch classify</code>.</p>`
      }
      <dl class="definitions">
        ${v.definitions.map(
          (d) =>
            html`<dt>${d.id}</dt>
              <dd>${d.definition}</dd>`,
        )}
      </dl>
      <p>Labels given by people so far: <strong id="people-labels">${v.peopleLabels}</strong>. The daemon retrains after ${v.retrainAfterLabels} new ones.</p>
      <button type="button" id="retrain" data-topic="${v.topic}">Retrain now</button> <span id="retrain-result" role="status"></span>
    </section>
    <p class="muted keys">Keys: 1–${v.labels.length} label the current post, s skip, u undo the last label.</p>
    <section id="queue">
      ${
        v.queue.length
          ? v.queue.map(
              (p) =>
                html`<article class="post card" data-post="${p.id}" data-topic="${v.topic}" tabindex="0">
                  <header>
                    <strong dir="auto">${p.author ? `@${p.author}` : 'unknown author'}</strong> ·
                    <time datetime="${p.createdAt}">${when(p.createdAt, ctx.config.timezone)}</time> · ${p.platform === 'x' ? 'X' : 'Bluesky'} ·
                    ${externalLink(p.url, 'original')} · <span class="muted">#${p.id}</span>
                  </header>
                  <p class="text" dir="auto">${p.text}</p>
                  ${
                    v.model
                      ? html`<p class="muted">
                          model scores:
                          ${Object.entries(p.scores)
                            .sort((a, b) => b[1] - a[1])
                            .map(([l, s]) => `${l} ${s.toFixed(2)}`)
                            .join(', ')}
                        </p>`
                      : html`<p class="muted">${p.lang ?? 'und'} · ${p.engagement ?? 0} engagements</p>`
                  }
                  <footer>${stanceBadge(p.label, p.label === null ? null : 'model', p.confidence)} ${labelButtons(v.labels)}</footer>
                </article>`,
            )
          : html`<p>Nothing to review: ${v.model ? 'every scored post is labelled by a person' : 'no post of this topic is waiting for a label'}.</p>`
      }
    </section>`
}
