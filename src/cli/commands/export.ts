import { closeSync, openSync, writeSync } from 'node:fs'
import type { Command } from 'commander'
import { parseUserTime } from '../../aggregate/time-buckets.js'
import { UsageError } from '../../domain/errors.js'
import { PLATFORMS } from '../../domain/post.js'
import { exportPosts } from '../../jobs/export.js'
import { checkPostFilter, type FilterField } from '../../jobs/post-filter-check.js'
import { oneTopic } from '../../jobs/topics.js'
import type { PostFilter } from '../../store/post-filter.js'
import { println, type Io } from '../io.js'
import { listOf, oneOf, optionsOf, unitInterval } from '../options.js'
import { withContext } from '../session.js'

interface Flags {
  format: 'jsonl' | 'csv'
  topic?: string
  from?: string
  to?: string
  out?: string
  includeDeleted?: boolean
  raw?: boolean
  bom?: boolean
  label?: string[]
  lang?: string
  platform?: string
  theme?: string
  minConfidence?: number
  search?: string
}

const FLAG: Record<FilterField, string> = { label: '--label', lang: '--lang', platform: '--platform', theme: '--theme', minConfidence: '--min-confidence' }

export function registerExport(program: Command, io: Io): void {
  program
    .command('export')
    .description("Export a topic's posts with their stance labels as JSONL or CSV")
    .requiredOption('-f, --format <format>', 'jsonl or csv', oneOf(['jsonl', 'csv'] as const))
    .option('-t, --topic <id>', 'the topic (may be left out when the config has only one)')
    .option('--from <date>', 'posts created from this day (YYYY-MM-DD, configured time zone) or ISO time')
    .option('--to <date>', 'posts created up to this day (included) or ISO time (excluded)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .option('--label <labels>', 'only posts with these stance labels (repeat, or a comma list); uncertain and unclassified included', listOf)
    .option('-l, --lang <code>', 'only posts detected in this language (en, zh, ja, ko, fr, es, de, it, pt, ru, und)')
    .option('-p, --platform <platform>', 'only x or bluesky', oneOf(PLATFORMS))
    .option('--theme <id>', "only posts tagged with this theme (an id from the topic's `themes`)")
    .option('--min-confidence <p>', "only labels at least this sure (0–1); a person's label counts as certain", unitInterval)
    .option('--search <text>', 'only posts whose text contains this (case-insensitive for Latin letters), as the dashboard’s search')
    .option('--include-deleted', 'also export posts deleted upstream (marked "deleted": true)')
    .option('--raw', 'jsonl: add each post’s own item as received (an X tweet with its author, a Bluesky PostView, a Jetstream event)')
    .option('--bom', 'csv: start with a UTF-8 byte-order mark (Excel needs it for Chinese and Japanese text)')
    .addHelpText(
      'after',
      `
JSONL: one post per line with platform, id, url, author {id, handle, name, followers}, text (exactly as
posted), created_at (ISO UTC), lang (detected), lang_declared, metrics {likes, reposts, replies, quotes},
links (canonical), topics, matched_rules, stance {label, confidence, model, source: model|human} or null,
deleted. CSV has the same fields flattened (stance_label, stance_confidence, stance_model, stance_source);
confidence is the model's calibrated probability, empty (null) for a person's label. Cells that would
start a spreadsheet formula get a leading '.

Filters combine (a post must pass each one given). --label takes the topic's labels, uncertain (the model
was not sure enough to choose) and unclassified (no model has labelled it yet), and matches the label shown
everywhere else: a person's over the model's. --lang is the detected language. --min-confidence keeps the
model's labels at or above it and every person's label; an unclassified post has no confidence, so it
never passes.

Examples:
  $ stancewatch export --format jsonl > posts.jsonl
  $ stancewatch export --format csv --from 2025-07-16 --to 2025-07-16 --bom -o day.csv
  $ stancewatch export --format csv --label concern,praise --min-confidence 0.7 -o sure.csv
  $ stancewatch export --format jsonl --platform bluesky --lang ja --theme chips
  $ stancewatch export --format jsonl --label uncertain --label unclassified > to-review.jsonl
  $ stancewatch export --format csv --search deepseek --from 2025-07-01 -o deepseek.csv`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(
        io,
        o,
        (ctx) => {
          const zone = ctx.config.timezone
          const from = o.from ? parseUserTime(o.from, zone, 'from', '--from') : undefined
          const to = o.to ? parseUserTime(o.to, zone, 'to', '--to') : undefined
          const topic = oneTopic(ctx, o.topic)
          const filter: PostFilter = { labels: o.label, lang: o.lang, platform: o.platform, theme: o.theme, minConfidence: o.minConfidence, q: o.search }
          const problems = checkPostFilter(topic, filter)
          if (problems.length) throw new UsageError(problems.map((p) => `${FLAG[p.field]} ${p.value}: ${p.message}`).join('\n'))
          const options = {
            format: o.format,
            topic: topic.id,
            from,
            to,
            includeDeleted: Boolean(o.includeDeleted),
            filter,
            withRaw: Boolean(o.raw),
            bom: Boolean(o.bom),
          }
          if (!o.out) {
            exportPosts(ctx, options, io.stdout)
            return
          }
          const fd = openSync(o.out, 'w')
          try {
            const n = exportPosts(ctx, options, (chunk) => writeSync(fd, chunk))
            println(io, `wrote ${n} posts to ${o.out}`)
          } finally {
            closeSync(fd)
          }
        },
        { readOnly: true },
      )
    })
}
