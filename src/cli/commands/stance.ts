import type { Command } from 'commander'
import { IANAZone } from 'luxon'
import { NO_THEME, stanceOverTime, type StanceSeries } from '../../aggregate/stance-over-time.js'
import { parseUserTime, type BucketUnit } from '../../aggregate/time-buckets.js'
import { UsageError } from '../../domain/errors.js'
import { notMeasuredText, reviewCommand, type LabelProgress } from '../../domain/stance.js'
import { stanceState } from '../../jobs/stance-state.js'
import { oneTopic } from '../../jobs/topics.js'
import { bucketLabels } from '../bucket-labels.js'
import { printJson, println, type Io } from '../io.js'
import { oneOf, optionsOf } from '../options.js'
import { withContext } from '../session.js'
import { stanceChart } from '../stance-chart.js'
import { stanceCsv } from '../stance-csv.js'
import { formatTable, NOT_COLLECTED, pct } from '../table.js'

const FORMATS = ['table', 'csv', 'json', 'chart'] as const
type Format = (typeof FORMATS)[number]

interface Flags {
  from: string
  to: string
  bucket: BucketUnit
  topic?: string
  platform?: 'x' | 'bluesky'
  lang?: string
  theme?: string
  split?: 'platform' | 'lang' | 'theme'
  tz?: string
  format?: Format
  json?: boolean
}

export function registerStance(program: Command, io: Io): void {
  program
    .command('stance')
    .description('How the stance mix moved: counts and shares per label per hour, day or week, with 95% intervals')
    .requiredOption('--from <date>', 'start: YYYY-MM-DD (midnight in the time zone) or an ISO time')
    .requiredOption('--to <date>', 'end: YYYY-MM-DD (that whole day included) or an ISO time (excluded)')
    .option('-b, --bucket <unit>', 'hour, day or week', oneOf(['hour', 'day', 'week'] as const), 'day')
    .option('-t, --topic <id>', 'the topic (may be left out when the config has only one)')
    .option('-p, --platform <platform>', 'only x or bluesky', oneOf(['x', 'bluesky'] as const))
    .option('-l, --lang <code>', 'only posts detected in this language (en, zh, fr, ja)')
    .option('--theme <id>', "only posts tagged with this theme (an id from the topic's `themes`)")
    .option('--split <by>', 'one row per bucket and platform, language or theme', oneOf(['platform', 'lang', 'theme'] as const))
    .option('--tz <zone>', 'IANA time zone for buckets (default: the configured one)')
    .option('-f, --format <format>', 'table, csv (a row per bucket and label), json or chart (bars in the terminal)', oneOf(FORMATS))
    .option('--json', 'print the series as JSON (same as --format json)')
    .addHelpText(
      'after',
      `
Labels given by people count instead of the model's; deleted posts are left out. Days and weeks follow
the wall clock of the time zone (a daylight-saving day has 23 or 25 hours). A bucket that ends before the
topic's record begins (its first collection, or its first stored post if earlier) says "not collected":
its count is unknown, not zero (csv: empty cells; json: "collected": false).

A topic with no model yet, whose labels do not give every label enough examples for a first one (a new
topic), shows its posts per bucket and "Stance not yet measured" with its labels so far instead of shares
(json: "notMeasured": {counts, floor, review}); label its posts with \`stancewatch review --topic T\`.

Themes are multi-label: with --split theme a post tagged with two themes counts in both rows, so the rows
of a bucket can add up to more than its posts (the total row counts each post once); posts with no theme
are the "${NO_THEME}" row. Themes come from the config; \`stancewatch retag\` re-tags stored posts after
their terms change.

Formats: table (the default); csv, one row per bucket (and group) and label with count, human, posts,
share, ci_low and ci_high; json, the whole series as one document (--json is the same); chart, a bar per
bucket of its label shares, coloured on a terminal unless NO_COLOR is set.

Examples:
  $ stancewatch stance --from 2025-07-10 --to 2025-07-26
  $ stancewatch stance --from 2025-07-16 --to 2025-07-16 --bucket hour --platform x
  $ stancewatch stance --from 2025-07-01 --to 2025-07-31 --bucket week --split lang --json
  $ stancewatch stance --from 2025-07-10 --to 2025-07-26 --theme chips
  $ stancewatch stance --from 2025-07-10 --to 2025-07-26 --split theme --json
  $ stancewatch stance --from 2025-07-10 --to 2025-07-26 --format chart
  $ stancewatch stance --from 2025-07-01 --to 2025-09-30 --split platform --format csv > stance.csv`,
    )
    .action(async (_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      if (o.json && o.format && o.format !== 'json') throw new UsageError(`--json is --format json: give one of --json or --format ${o.format}`)
      const format: Format = o.json ? 'json' : (o.format ?? 'table')
      await withContext(
        io,
        o,
        (ctx) => {
          const zone = o.tz ?? ctx.config.timezone
          if (!IANAZone.isValidZone(zone)) throw new UsageError(`--tz ${zone}: not a known IANA time zone (e.g. UTC, Europe/Paris)`)
          const from = parseUserTime(o.from, zone, 'from', '--from')
          const to = parseUserTime(o.to, zone, 'to', '--to')
          if (to <= from) throw new UsageError('--to must be after --from')
          const topic = oneTopic(ctx, o.topic)
          if (o.theme !== undefined && !topic.themes.some((t) => t.id === o.theme)) {
            const valid = topic.themes.map((t) => t.id)
            throw new UsageError(
              `--theme ${o.theme}: topic "${topic.id}" has no such theme; ${valid.length ? `themes: ${valid.join(', ')}` : `it has no themes (add them under topics[].themes in ${ctx.configFile})`}`,
            )
          }
          if (o.split === 'theme' && topic.themes.length === 0)
            throw new UsageError(`--split theme: topic "${topic.id}" has no themes (add them under topics[].themes in ${ctx.configFile})`)
          const series = stanceOverTime(ctx.db, {
            topic,
            from,
            to,
            bucket: o.bucket,
            zone,
            platform: o.platform,
            lang: o.lang,
            theme: o.theme,
            split: o.split,
          })
          const state = stanceState(ctx, topic!)
          if (state.status === 'awaiting-labels') return printUnmeasured(io, series, state, format)
          if (format === 'json') printJson(io, series)
          else if (format === 'csv') io.stdout(stanceCsv(series))
          else if (format === 'chart') println(io, stanceChart(series, { color: io.stdoutIsTTY && !io.env.NO_COLOR }))
          else printSeries(io, series)
        },
        { readOnly: true },
      )
    })
}

/** A topic with no model yet: the sentence that says so instead of shares, and the posts per bucket. */
function printUnmeasured(io: Io, s: StanceSeries, p: LabelProgress, format: Format): void {
  const sentence = notMeasuredText(s.topic, p)
  if (format === 'json') return printJson(io, { ...s, notMeasured: { ...p, review: reviewCommand(s.topic) } })
  if (format === 'csv') {
    // The rows stay machine-readable (every post unclassified); the reason goes to the person.
    io.stderr(`stancewatch: ${s.topic}: ${sentence}\n`)
    return io.stdout(stanceCsv(s))
  }
  println(io, `${s.topic}: ${sentence}`)
  const names = bucketLabels(
    s.buckets.map((b) => b.start),
    s.bucket,
  )
  const rows = [...s.buckets.map((b) => [names.get(b.start)!, ...(s.split ? [b.group ?? ''] : []), b.collected ? String(b.total) : NOT_COLLECTED])]
  rows.push(['total', ...(s.split ? [''] : []), String(s.totals.total)])
  println(io, formatTable([s.bucket, ...(s.split ? [s.split] : []), 'posts'], rows))
  if (s.buckets.some((b) => !b.collected)) println(io, notCollectedNote(s))
}

/** Why some buckets show no counts at all. */
export function notCollectedNote(s: StanceSeries): string {
  return s.collectedFrom
    ? `Not collected: before ${s.collectedFrom.slice(0, 16).replace('T', ' ')}, when the topic's record begins, nothing was watched (unknown, not zero).`
    : 'Not collected: the topic has never been collected (unknown, not zero).'
}

function printSeries(io: Io, s: StanceSeries): void {
  const shown = s.labels.filter((l) => l !== 'unclassified' || s.totals.labels.find((x) => x.label === l)!.count > 0)
  println(
    io,
    `Stance of ${s.topic}, per ${s.bucket}, ${s.timezone}${s.filters.platform ? `, ${s.filters.platform} only` : ''}${s.filters.lang ? `, ${s.filters.lang} only` : ''}${s.filters.theme ? `, theme ${s.filters.theme} only` : ''}`,
  )
  const header = [s.bucket, ...(s.split ? [s.split] : []), 'posts', ...shown]
  const names = bucketLabels(
    s.buckets.map((b) => b.start),
    s.bucket,
  )
  const rows = [...s.buckets, { ...s.totals, group: s.split ? '' : null, start: 'total' }].map((b) => [
    b.start === 'total' ? 'total' : names.get(b.start)!,
    ...(s.split ? [b.group ?? ''] : []),
    b.collected ? String(b.total) : NOT_COLLECTED,
    ...shown.map((l) => {
      if (!b.collected) return ''
      const x = b.labels.find((y) => y.label === l)!
      return b.total ? `${x.count} ${pct(x.share)} (${pct(x.ci95[0])}–${pct(x.ci95[1])})` : '–'
    }),
  ])
  println(io, formatTable(header, rows))
  println(io, 'Shares of all posts in the bucket; in brackets the 95% interval.')
  if (s.buckets.some((b) => !b.collected)) println(io, notCollectedNote(s))
  if (s.split === 'theme') println(io, 'A post with several themes counts in each of their rows; the total counts it once.')
}
