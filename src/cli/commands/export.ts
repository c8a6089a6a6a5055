import { closeSync, openSync, writeSync } from 'node:fs'
import type { Command } from 'commander'
import { parseUserTime } from '../../aggregate/time-buckets.js'
import { exportPosts } from '../../jobs/export.js'
import { println, type Io } from '../io.js'
import { oneOf, optionsOf } from '../options.js'
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
}

export function registerExport(program: Command, io: Io): void {
  program
    .command('export')
    .description("Export a topic's posts with their stance labels as JSONL or CSV")
    .requiredOption('-f, --format <format>', 'jsonl or csv', oneOf(['jsonl', 'csv'] as const))
    .option('-t, --topic <id>', 'topic (default: the first in the config)')
    .option('--from <date>', 'posts created from this day (YYYY-MM-DD, configured time zone) or ISO time')
    .option('--to <date>', 'posts created up to this day (included) or ISO time (excluded)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
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

Examples:
  $ stancewatch export --format jsonl > posts.jsonl
  $ stancewatch export --format csv --from 2025-07-16 --to 2025-07-16 --bom -o day.csv`,
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
          const options = {
            format: o.format,
            topic: o.topic,
            from,
            to,
            includeDeleted: Boolean(o.includeDeleted),
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
