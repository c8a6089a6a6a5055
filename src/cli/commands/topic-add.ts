import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { loadDotEnv, readEnv } from '../../config/env.js'
import { addTopicToText } from '../../config/edit-topics.js'
import { loadConfig } from '../../config/load.js'
import { MIN_EXAMPLES_PER_LABEL } from '../../jobs/train.js'
import { proposeTopic } from '../../propose/topic-proposal.js'
import { DEFAULT_LIMITS, fetchArticlePage } from '../../sources/article/fetch-page.js'
import { readArticleMetadata } from '../../sources/article/page-metadata.js'
import { writeCheckedConfig } from '../config-write.js'
import { printJson, println, type Io } from '../io.js'
import { withContext, type GlobalOptions } from '../session.js'
import { estimateTopic, proposedTopicConfig } from './topic-estimate.js'
import { printProposal } from './topic-text.js'

interface AddFlags extends GlobalOptions {
  id?: string
  labels?: string
  yes?: boolean
  timeout?: number
  json?: boolean
}

/** `topic add URL`: read the page, propose, estimate, and on confirmation write and check the config. */
export async function topicAdd(io: Io, url: string, o: AddFlags): Promise<void> {
  loadDotEnv(io.env, io.cwd)
  const file = o.config ?? readEnv(io.env).configPath
  const existing = loadConfig(file).config.topics.map((t) => t.id)
  const totalMs = o.timeout !== undefined ? o.timeout * 1000 : DEFAULT_LIMITS.totalTimeoutMs
  const page = await fetchArticlePage(url, { ...DEFAULT_LIMITS, totalTimeoutMs: totalMs, connectTimeoutMs: Math.min(DEFAULT_LIMITS.connectTimeoutMs, totalMs) })
  const article = readArticleMetadata(page.html, page.url)
  const proposal = proposeTopic(article, { id: o.id, labels: o.labels, existingIds: existing })
  const id = proposal.topic.id
  const comment = [
    ` Proposed by \`stancewatch topic add\` from ${url} on ${new Date().toISOString().slice(0, 10)}: review the keyword rules and themes.`,
    ...(proposal.labelsNeedReview ? [' The stance labels are neutral defaults: review their definitions before labelling.'] : []),
  ].join('\n')
  const before = readFileSync(file, 'utf8')
  const after = addTopicToText(before, proposal.topic as unknown as Record<string, unknown>, comment)
  const estimate = await withContext(io, o, (ctx) => estimateTopic(ctx, proposedTopicConfig(after, id)))
  // The text itself stays out of the report (it can be long): its size and opening say whether it was found.
  const { text, ...meta } = article
  const words = text ? text.split(/\s+/).length : 0
  const report = {
    article: { ...meta, textWords: words, textExcerpt: text.slice(0, 280), redirects: page.redirects, bytes: page.bytes },
    proposal,
    estimate,
    file,
  }

  let write = Boolean(o.yes)
  if (!o.json) printProposal(io, report)
  if (!write && !o.json && io.ask) {
    const answer = await io.ask(`Add topic "${id}" to ${file}? [y/N] `)
    write = /^y(es)?$/i.test((answer ?? '').trim())
  }
  if (!write) {
    if (o.json) return printJson(io, { ...report, written: false })
    return println(io, io.ask ? 'Not added.' : `Not added (nothing asked without a terminal): run again with --yes to add it.`)
  }

  // An empty seed label file: the topic has no hand-written examples yet; posts go to review first.
  const seeds = path.resolve(path.dirname(path.resolve(file)), proposal.topic.stance.seeds)
  const created: string[] = []
  if (!existsSync(seeds)) {
    mkdirSync(path.dirname(seeds), { recursive: true })
    writeFileSync(seeds, '')
    created.push(seeds)
  }
  writeCheckedConfig(io, file, after, created)
  if (o.json) return printJson(io, { ...report, written: true, seeds })
  println(io, `Added topic "${id}" to ${file} (comments kept; checked as \`config check\` does).`)
  println(
    io,
    `  Seed labels: ${seeds} (empty: stance is not measured until every label has ${MIN_EXAMPLES_PER_LABEL} examples; label posts with \`stancewatch review --topic ${id}\` and the next \`classify\` trains a model).`,
  )
  println(io, `  A running daemon collects it after \`stancewatch reload\`; see \`stancewatch collect --source x --dry-run\`.`)
}
