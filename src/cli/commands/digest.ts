import type { Command } from 'commander'
import { UsageError } from '../../domain/errors.js'
import { deliverCombinedDigest, makeCombinedDigest, type CombinedResult } from '../../jobs/combined-digest.js'
import { deliverDigests, makeDigests, type DigestResult } from '../../jobs/digest.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'
import { exclusive, withContext } from '../session.js'

interface Flags {
  date?: string
  topic?: string
  out?: string
  deliver?: boolean
  redeliver?: boolean
  combined?: boolean
  json?: boolean
}

export function registerDigest(program: Command, io: Io): void {
  program
    .command('digest')
    .description('Write the daily digest of a day (Markdown, self-contained HTML and JSON)')
    .option('-d, --date <YYYY-MM-DD>', 'the day, in the configured time zone (default: yesterday there)')
    .option('-t, --topic <id>', 'only this topic (default: every topic)')
    .option('--combined', 'also one digest of all topics side by side, in combined/ (on by default when digest.combined is true)')
    .option('-o, --out <dir>', 'folder for digest-YYYY-MM-DD.{md,html,json} (default: digest.out_dir in the config)')
    .option('--deliver', 'also send it through the notify channels, unless this day was already delivered')
    .option('--redeliver', 'send it again even if this day was already delivered')
    .option('--json', 'print the digest facts as JSON')
    .addHelpText(
      'after',
      `
Re-running a day rebuilds its files from what is stored now, and delivers nothing unless asked. With
several topics, each gets a sub-folder, and a post matched by two topics counts in both. --combined (or
digest.combined: true in the config, without --topic) also writes combined/digest-DATE.*: per topic its
posts, stance shares with their change, its top alert and a link to its own digest, and how many posts
each pair of topics shared; it is delivered like the others. Channels are configured under notify: in the
config; every delivery attempt is recorded and failed ones are retried by the daemon.

Examples:
  $ stancewatch digest --date 2025-07-16
  $ stancewatch digest --date 2025-07-16 --deliver
  $ stancewatch digest --date 2025-07-16 --out /tmp/digests --json
  $ stancewatch digest --date 2025-07-16 --topic china-ai-fund
  $ stancewatch digest --date 2025-07-16 --combined --deliver`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      if (o.combined && o.topic) throw new UsageError('--combined puts every topic side by side: leave out --topic')
      await withContext(io, o, async (ctx) => {
        const combined = o.combined || (ctx.config.digest.combined && !o.topic)
        const { results, all } = await exclusive(ctx, io, o, 'digest', 'stancewatch digest', async () => {
          const send = o.deliver || o.redeliver
          let made = makeDigests(ctx, { date: o.date, topic: o.topic, outDir: o.out })
          if (send) made = await deliverDigests(ctx, made, { force: o.redeliver })
          if (!combined) return { results: made, all: null }
          const c = makeCombinedDigest(ctx, { date: made[0]!.date, outDir: o.out })
          return { results: made, all: send ? await deliverCombinedDigest(ctx, c, { force: o.redeliver }) : c }
        })
        if (o.json) printJson(io, { digests: results, ...(all ? { combined: all } : {}) })
        else {
          for (const r of results) printResult(io, r)
          if (all) printCombined(io, all)
        }
      })
    })
}

function printCombined(io: Io, c: CombinedResult): void {
  println(io, `all topics ${c.date}: ${c.posts} distinct posts`)
  for (const s of c.facts.shared) println(io, `  ${s.posts} posts matched both ${s.a} and ${s.b}`)
  for (const f of c.files) println(io, `  ${f}`)
  for (const d of c.deliveries) println(io, `  → ${d.channel}: ${d.status}${d.error ? ` (${d.error})` : ''}`)
}

function printResult(io: Io, r: DigestResult): void {
  println(io, `${r.topic} ${r.date}: ${r.empty ? 'no posts that day (the digest says so)' : `${r.posts} posts`}`)
  for (const f of r.files) println(io, `  ${f}`)
  for (const d of r.deliveries)
    println(io, `  → ${d.channel}: ${d.status}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}${d.error ? ` (${d.error})` : ''}`)
  if (r.deliveredAt && !r.deliveries.some((d) => d.status === 'sent')) println(io, `  (delivered ${r.deliveredAt}; --redeliver sends it again)`)
}
