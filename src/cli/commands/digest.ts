import type { Command } from 'commander'
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
  json?: boolean
}

export function registerDigest(program: Command, io: Io): void {
  program
    .command('digest')
    .description('Write the daily digest of a day (Markdown, self-contained HTML and JSON)')
    .option('-d, --date <YYYY-MM-DD>', 'the day, in the configured time zone (default: yesterday there)')
    .option('-t, --topic <id>', 'only this topic')
    .option('-o, --out <dir>', 'folder for digest-YYYY-MM-DD.{md,html,json} (default: digest.out_dir in the config)')
    .option('--deliver', 'also send it through the notify channels, unless this day was already delivered')
    .option('--redeliver', 'send it again even if this day was already delivered')
    .option('--json', 'print the digest facts as JSON')
    .addHelpText(
      'after',
      `
Re-running a day rebuilds its files from what is stored now, and delivers nothing unless asked. With
several topics, each gets a sub-folder. Channels are configured under notify: in the config; every
delivery attempt is recorded and failed ones are retried by the daemon.

Examples:
  $ stancewatch digest --date 2025-07-16
  $ stancewatch digest --date 2025-07-16 --deliver
  $ stancewatch digest --date 2025-07-16 --out /tmp/digests --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(io, o, async (ctx) => {
        const results = await exclusive(ctx, io, o, 'digest', 'stancewatch digest', async () => {
          const made = makeDigests(ctx, { date: o.date, topic: o.topic, outDir: o.out })
          return o.deliver || o.redeliver ? deliverDigests(ctx, made, { force: o.redeliver }) : made
        })
        if (o.json) printJson(io, { digests: results })
        else for (const r of results) printResult(io, r)
      })
    })
}

function printResult(io: Io, r: DigestResult): void {
  println(io, `${r.topic} ${r.date}: ${r.empty ? 'no posts that day (the digest says so)' : `${r.posts} posts`}`)
  for (const f of r.files) println(io, `  ${f}`)
  for (const d of r.deliveries)
    println(io, `  → ${d.channel}: ${d.status}${d.attempts > 1 ? ` after ${d.attempts} attempts` : ''}${d.error ? ` (${d.error})` : ''}`)
  if (r.deliveredAt && !r.deliveries.some((d) => d.status === 'sent')) println(io, `  (delivered ${r.deliveredAt}; --redeliver sends it again)`)
}
