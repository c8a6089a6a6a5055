import type { Command } from 'commander'
import { makeDigests, type DigestResult } from '../../jobs/digest.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'
import { withContext } from '../session.js'

interface Flags {
  date?: string
  topic?: string
  out?: string
  json?: boolean
}

export function registerDigest(program: Command, io: Io): void {
  program
    .command('digest')
    .description('Write the daily digest of a day (Markdown, self-contained HTML and JSON)')
    .option('-d, --date <YYYY-MM-DD>', 'the day, in the configured time zone (default: yesterday there)')
    .option('-t, --topic <id>', 'only this topic')
    .option('-o, --out <dir>', 'folder for digest-YYYY-MM-DD.{md,html,json} (default: digest.out_dir in the config)')
    .option('--json', 'print the digest facts as JSON')
    .addHelpText(
      'after',
      `
Re-running a day rebuilds its files from what is stored now. With several topics, each gets a sub-folder.

Examples:
  $ stancewatch digest --date 2025-07-16
  $ stancewatch digest --date 2025-07-16 --out /tmp/digests --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      await withContext(io, o, (ctx) => {
        const results = makeDigests(ctx, { date: o.date, topic: o.topic, outDir: o.out })
        if (o.json) printJson(io, { digests: results })
        else for (const r of results) printResult(io, r)
      })
    })
}

function printResult(io: Io, r: DigestResult): void {
  println(io, `${r.topic} ${r.date}: ${r.empty ? 'no posts that day (the digest says so)' : `${r.posts} posts`}`)
  for (const f of r.files) println(io, `  ${f}`)
}
