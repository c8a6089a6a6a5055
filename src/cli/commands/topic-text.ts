import type { ArticleMetadata } from '../../sources/article/page-metadata.js'
import type { Proposal } from '../../propose/topic-proposal.js'
import { println, type Io } from '../io.js'
import type { TopicEstimate } from './topic-estimate.js'

export interface AddReport {
  article: Omit<ArticleMetadata, 'text'> & { textWords: number; textExcerpt: string; redirects: string[]; bytes: number }
  proposal: Proposal
  estimate: TopicEstimate
  file: string
}

/** The proposal as a person reads it before saying yes: the article, the rules, and what collecting costs. */
export function printProposal(io: Io, r: AddReport): void {
  const a = r.article
  const t = r.proposal.topic
  println(io, `Article: ${a.headline ?? '(no headline)'}`)
  println(io, `  ${a.canonical ?? a.url}${a.redirects.length ? ` (after ${a.redirects.length} redirect${a.redirects.length === 1 ? '' : 's'})` : ''}`)
  const facts = [
    a.siteName,
    a.published && `published ${a.published}`,
    a.section && `section ${a.section}`,
    a.lang && `language ${a.lang}`,
    a.authors.length ? `by ${a.authors.join(', ')}` : null,
  ]
  if (facts.some(Boolean)) println(io, `  ${facts.filter(Boolean).join('; ')}`)
  if (a.description) println(io, `  ${a.description}`)
  println(
    io,
    `  read: ${a.found.join(', ') || 'no structured metadata'}; ${a.textWords ? `text ${a.textWords} words` : 'no article text'}${a.paywalled ? ' (paywalled: metadata only)' : ''}`,
  )
  println(io)
  println(io, `Proposed topic "${t.id}": ${t.name}`)
  for (const u of t.articles) println(io, `  article ${u}`)
  if (r.proposal.urlVariants.length) println(io, `    also matches ${r.proposal.urlVariants.join(', ')} (and tracking parameters, fragments, AMP caches)`)
  for (const k of t.keywords)
    println(io, `  rule ${k.id}${k.lang ? ` [${k.lang}]` : ''}: any ${k.any.join(', ')}${k.with ? `; with ${k.with.join(', ')}` : ''}`)
  for (const th of t.themes) println(io, `  theme ${th.id}: ${th.any.join(', ')}`)
  println(io, `  languages to watch: ${r.proposal.languages.join(', ')}`)
  println(io, `  stance labels${r.proposal.labelsNeedReview ? ' (neutral defaults: NEEDS REVIEW, or give --labels)' : ''}:`)
  for (const l of t.stance.labels) println(io, `    ${l.id}: ${l.definition}`)
  println(io, `  seed labels: ${t.stance.seeds} (created empty; posts go to \`review\` until a model can be trained)`)
  for (const n of r.proposal.notes) println(io, `  note: ${n}`)
  println(io)
  const x = r.estimate.x
  println(io, `Collection estimate (collect --dry-run):`)
  println(
    io,
    `  X: ${x.queries.length} recent-search quer${x.queries.length === 1 ? 'y' : 'ies'}; ${x.estimatedReads === null ? 'reads and cost unknown' : `≈ ${x.estimatedReads} post reads ≈ $${(x.estimatedCostUsd ?? 0).toFixed(2)} at $${x.costPerPostUsd} a post`}`,
  )
  if (x.note) println(io, `    ${x.note}`)
  println(io, `  Bluesky: ${r.estimate.bluesky.queries} searchPosts queries; ${r.estimate.bluesky.note}; Jetstream matches the live network at no cost`)
  println(io)
}
