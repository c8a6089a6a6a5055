import path from 'node:path'
import type { Command } from 'commander'
import { DateTime } from 'luxon'
import { DEMO_DB, DEMO_OUT, removeDatabase, runDemo, type DemoSummary } from '../../jobs/demo.js'
import { LANGUAGE_NAMES, PLATFORM_NAMES } from '../../digest/text.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf } from '../options.js'
import { progressBar } from '../progress.js'
import { withContext } from '../session.js'

interface Flags {
  out: string
  json?: boolean
}

export function registerDemo(program: Command, io: Io): void {
  program
    .command('demo')
    .description('Run the whole pipeline on the bundled synthetic sample, in a fresh database, without credentials or network')
    .option('-o, --out <dir>', 'folder for the demo digest', DEMO_OUT)
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Uses ${DEMO_DB} (or --db), which it deletes and recreates; your real database is never touched.

Examples:
  $ npm run demo
  $ stancewatch demo --out /tmp/demo --json`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      const db = o.db ?? DEMO_DB
      removeDatabase(db)
      await withContext(
        io,
        { ...o, db },
        async (ctx) => {
          const bar = progressBar(io, 'bytes')
          const summary = await runDemo(ctx, { outDir: o.out, onProgress: bar.update })
          bar.stop()
          if (o.json) printJson(io, summary)
          else printSummary(io, summary)
        },
        { logLevel: 'error' },
      )
    })
}

function printSummary(io: Io, s: DemoSummary): void {
  const pct = (n: number) => `${((n / Math.max(1, s.posts)) * 100).toFixed(0)}%`
  const c = s.collect.stats
  println(io, `stancewatch demo: ${s.posts} posts about "${s.topic}" from the synthetic sample (${s.sample}), in ${s.seconds.toFixed(1)} s`)
  println(
    io,
    `  read ${s.collect.pages} payloads: ${c.fetched} posts, ${c.newPosts} stored, ${c.duplicates} seen twice (stored once), ${c.offTopic} off-topic dropped, ${c.skipped} malformed skipped, ${c.edits} edited, ${c.deletions} deleted upstream`,
  )
  println(
    io,
    `  platforms: ${Object.entries(s.byPlatform)
      .map(([k, n]) => `${PLATFORM_NAMES[k] ?? k} ${n}`)
      .join(', ')}`,
  )
  println(
    io,
    `  languages: ${Object.entries(s.byLanguage)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => `${LANGUAGE_NAMES[k] ?? k} ${n}`)
      .join(', ')}`,
  )
  println(
    io,
    `  stance: ${Object.entries(s.stance)
      .map(([k, n]) => `${k} ${n} (${pct(n)})`)
      .join(', ')}  [model ${s.model}]`,
  )
  println(io, `  alerts fired: ${s.alerts.length}`)
  const local = (iso: string, fmt: string) => DateTime.fromISO(iso, { zone: s.timezone }).toFormat(fmt)
  for (const a of s.alerts)
    println(
      io,
      `    ${a.kind.replace(/_/g, ' ')}${a.platform ? ` (${PLATFORM_NAMES[a.platform]})` : ''} ${local(a.window_start, 'yyyy-MM-dd HH:mm')}–${local(a.window_end, 'HH:mm')} ${s.timezone}: ${a.observed} posts vs ${a.expected.toFixed(1)} expected`,
    )
  println(io, `  digest of the busiest day, ${s.digest.date} (${s.digest.posts} posts):`)
  for (const f of s.digest.files) println(io, `    ${path.relative(process.cwd(), f)}`)
  println(io, `  database: ${s.database} — try: npx stancewatch --db ${s.database} stance --from 2025-07-10 --to 2025-07-26`)
}
