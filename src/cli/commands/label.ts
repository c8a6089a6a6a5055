import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { Command } from 'commander'
import { parsePostLabels } from '../../classify/post-label-files.js'
import { InputError, ReportedFailure, UsageError } from '../../domain/errors.js'
import { labelPost } from '../../jobs/label.js'
import { labelRows, type LabelFileReport } from '../../jobs/label-file.js'
import { undoLastLabels, type UndoResult } from '../../jobs/label-undo.js'
import { printJson, println, type Io } from '../io.js'
import { parsePostRef } from '../post-ref.js'
import { optionsOf } from '../options.js'
import { progressBar } from '../progress.js'
import { withContext } from '../session.js'

interface Flags {
  topic?: string
  by?: string
  clear?: boolean
  file?: string
  undo?: boolean
  json?: boolean
}

export function registerLabel(program: Command, io: Io): void {
  program
    .command('label')
    .description("Correct a post's stance: a person's label overrides the model everywhere and joins the training set")
    .argument('[post]', 'the post: its URL, tweet id, at:// URI, or #N as shown by export and review')
    .argument('[label]', 'the stance, one of the topic labels (omit with --clear)')
    .option('-t, --topic <id>', 'the topic, when the post is in several (with --file: for rows without a topic column)')
    .option('--by <name>', 'who labelled it, kept with the label (default: $STANCEWATCH_USER or $USER; with --file: for rows without a by column)')
    .option('--clear', "remove the person's label: the post goes back to the model")
    .option('--file <file>', 'many labels from a CSV, TSV or JSONL file (- for standard input): see below')
    .option('--undo', 'take back the last label change (a whole --file as one); again to go further back')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
The label takes effect at once in stance queries, digests and exports (marked as human). It trains the
next model: run \`stancewatch train\` to retrain and re-score. The same label again changes nothing.

--file: CSV or TSV with a header row, or JSON Lines (by extension; sniffed for other names and stdin),
one post per row. Columns (any case): post (or ref, url, id), label (or stance, one of the topic's labels,
or "clear" to remove a person's label), and optionally topic and by. Every row is checked as a single
\`label\` would be; rows that pass are written together in one transaction, rows that do not are listed
with their line and why (malformed, no such post, not in topic, unknown label, two labels for one post).
Rows already labelled so are "unchanged": running the same file twice changes nothing the second time.
Exit 0 when no row was refused, 1 when some were (the others are applied), 2 when the file cannot be read.

--undo: puts back exactly what was there before the last change: the person's label it replaced, or the
model's label when there was none. A whole --file is one change; a command that changed nothing is not.
Nothing left to undo: says so, exit 0.

Examples:
  $ stancewatch label https://x.com/someone/status/1946000000000000001 concern
  $ stancewatch label '#1234' praise --by alice
  $ stancewatch label at://did:plc:abc/app.bsky.feed.post/3lu2k neutral --topic china-ai-fund
  $ stancewatch label '#1234' --clear
  $ stancewatch label --file reviewed.csv          # post,label[,topic,by] per row
  $ stancewatch label --file labels.jsonl --json   # {"post": "#1234", "label": "praise"} per line
  $ cut -f1,3 sheet.tsv | stancewatch label --file -
  $ stancewatch label --undo`,
    )
    .action(async (ref: string | undefined, label: string | undefined, _: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      if (o.undo) {
        if (ref || o.file || o.clear || o.topic || o.by)
          throw new UsageError('--undo takes no post, label, --file, --clear, --topic or --by: it takes back the last change')
        return withContext(io, o, (ctx) => printUndo(io, undoLastLabels(ctx), o.json))
      }
      const by = o.by ?? io.env.STANCEWATCH_USER ?? io.env.USER ?? null
      if (o.file !== undefined) {
        if (ref || o.clear) throw new UsageError('--file takes the posts and labels from the file: give no post, label or --clear beside it')
        const { bytes, name } = await readInput(io, o.file)
        const file = parsePostLabels(bytes, name)
        for (const w of file.warnings) io.stderr(`stancewatch: ${name}: ${w}\n`)
        const rows = file.rows.map((r) => ({
          line: r.line,
          ref: parsePostRef(r.ref),
          label: r.label,
          topic: r.topic,
          by: r.by,
        }))
        const report = await withContext(io, o, (ctx) => {
          const bar = progressBar(io, 'rows')
          try {
            return labelRows(ctx, rows, file.malformed, { file: name, topic: o.topic, by, onProgress: bar.update })
          } finally {
            bar.stop()
          }
        })
        printFileReport(io, report, o.json)
        if (report.refused > 0) throw new ReportedFailure(`${report.refused} of ${report.rows.length} rows refused (see the report)`)
        return
      }
      if (!ref) throw new UsageError('give a post and a label, --file F, or --undo')
      if (o.clear && label) throw new UsageError('give either a label or --clear, not both')
      if (!o.clear && !label) throw new UsageError('missing the label; give one of the topic labels, or --clear to remove a label')
      await withContext(io, o, (ctx) => {
        const r = labelPost(ctx, parsePostRef(ref), o.clear ? null : label!, { topic: o.topic, by })
        if (o.json) printJson(io, r)
        else if (!r.changed)
          println(io, `#${r.post.id} (${r.topicId}): unchanged, ${r.label === null ? "it has no person's label" : `already labelled ${r.label} by a person`}`)
        else if (r.label === null) println(io, `#${r.post.id} (${r.topicId}): person's label removed; the model decides again`)
        else
          println(
            io,
            `#${r.post.id} (${r.topicId}): ${r.label}, labelled by ${r.by ?? 'a person'} (was ${r.previous.label ?? 'unclassified'}${r.previous.source ? `, by ${r.previous.source === 'human' ? 'a person' : 'the model'}` : ''})`,
          )
      })
    })
}

async function readInput(io: Io, file: string): Promise<{ bytes: Buffer; name: string }> {
  if (file === '-') {
    if (process.stdin.isTTY) throw new UsageError('--file - reads the labels from standard input: pipe a file in, or give its path')
    const chunks: Buffer[] = []
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
    return { bytes: Buffer.concat(chunks), name: 'stdin' }
  }
  try {
    return { bytes: readFileSync(path.resolve(io.cwd, file)), name: file }
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const why = err.code === 'ENOENT' ? 'it does not exist' : err.code === 'EISDIR' ? 'it is a directory' : err.message
    throw new InputError(`cannot read the label file ${file}: ${why}. Fix: give the path of a .csv, .tsv or .jsonl file, or - for standard input`)
  }
}

function printFileReport(io: Io, r: LabelFileReport, json: boolean | undefined): void {
  if (json) return printJson(io, r)
  for (const row of r.rows.filter((x) => x.status === 'refused')) println(io, `${r.file}:${row.line}: refused (${row.reason}): ${row.message}`)
  const batch = r.batch === null ? '' : ` (\`stancewatch label --undo\` takes the whole file back)`
  println(
    io,
    `${r.file}: ${r.applied} applied, ${r.unchanged} unchanged, ${r.refused} refused${r.applied === 0 && r.refused === 0 ? ': nothing to change' : ''}${batch}`,
  )
}

function printUndo(io: Io, r: UndoResult, json: boolean | undefined): void {
  if (json) return printJson(io, r)
  if (!r.batch) return println(io, 'nothing to undo: no label change is left to take back')
  const what = r.batch.kind === 'file' ? `the labels from ${r.batch.file ?? 'a file'}` : 'a label change'
  println(
    io,
    `undid ${what} (${r.batch.at.slice(0, 16).replace('T', ' ')}${r.batch.by ? `, by ${r.batch.by}` : ''}): ${r.restored.length} post${r.restored.length === 1 ? '' : 's'} restored`,
  )
  const shown = r.restored.slice(0, 20)
  for (const x of shown)
    println(
      io,
      `  #${x.postId} (${x.topicId}): ${x.undid ?? 'no label'} → ${x.restored === null ? `the model's label${x.stance ? ` (${x.stance})` : ''}` : `${x.restored}${x.by ? `, by ${x.by}` : ''}`}`,
    )
  if (r.restored.length > shown.length) println(io, `  … and ${r.restored.length - shown.length} more (--json lists all)`)
  for (const s of r.skipped) println(io, `  #${s.postId} (${s.topicId}): not restored: ${s.message}`)
}
