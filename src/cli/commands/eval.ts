import type { Command } from 'commander'
import { readLabelledFile } from '../../classify/labelled-files.js'
import { UsageError } from '../../domain/errors.js'
import { evalFolds, evalTrainTest, type EvalReport, type ScoreReport } from '../../jobs/eval.js'
import { printJson, println, type Io } from '../io.js'
import { optionsOf, positiveInt } from '../options.js'
import { formatTable, pct } from '../table.js'

interface Flags {
  train?: string
  test?: string
  data?: string
  folds?: number
  json?: boolean
}

export function registerEval(program: Command, io: Io): void {
  program
    .command('eval')
    .description("Measure the stance engine on labelled data, beside natural's BayesClassifier")
    .option('--train <file>', 'training rows (TSV, CSV or JSONL with text and label, optional target and id)')
    .option('--test <file>', 'test rows, same format')
    .option('--data <file>', 'rows for k-fold cross-validation instead of --train/--test')
    .option('-k, --folds <k>', 'folds for --data', positiveInt, 5)
    .option('--json', 'print {labels, macro_f1, favor_against_f1, accuracy, per_target, confusion, train_s, predict_s, baseline} as JSON')
    .addHelpText(
      'after',
      `
Files: TSV or CSV with a header row, or JSONL; columns text, label, optional target and id (the SemEval
headers Tweet, Stance, Target and ID work too); UTF-8 (with or without BOM), UTF-16 or Windows-1252. With a
target column, one model is trained per target and the metrics are pooled over all test rows. With
FAVOR and AGAINST labels, the stance-benchmark score (mean of their F1) is shown too. Needs no database
and no configuration.

Examples:
  $ stancewatch eval --train train.tsv --test test.tsv
  $ stancewatch eval --data labelled.csv --folds 10 --json`,
    )
    .action((_: unknown, cmd: Command) => {
      const o = optionsOf<Flags>(cmd)
      if (o.data && (o.train || o.test)) throw new UsageError('use either --data (cross-validation) or --train with --test, not both')
      if (!o.data && !(o.train && o.test)) throw new UsageError('give --train and --test, or --data for cross-validation')
      if (o.data && o.folds! < 2) throw new UsageError('--folds must be 2 or more')
      const read = (f: string) => {
        const file = readLabelledFile(f)
        for (const w of file.warnings) io.stderr(`stancewatch: ${f}: ${w}\n`)
        return file.rows
      }
      const report = o.data ? evalFolds(read(o.data), o.folds!) : evalTrainTest(read(o.train!), read(o.test!))
      if (o.json) printJson(io, report)
      else printReport(io, report)
    })
}

function printReport(io: Io, r: EvalReport): void {
  println(io, r.folds ? `${r.folds}-fold cross-validation on ${r.n_train} rows` : `trained on ${r.n_train} rows, tested on ${r.n_test}`)
  if (r.targets.length) println(io, `one model per target: ${r.targets.join(', ')}`)
  println(io, '')
  const labels = Object.keys(r.labels)
  const fa = r.favor_against_f1 !== null
  const row = (name: string, s: ScoreReport) => [
    name,
    s.accuracy.toFixed(3),
    s.macro_f1.toFixed(3),
    ...(fa ? [s.favor_against_f1!.toFixed(3)] : []),
    ...labels.map((l) => s.labels[l]!.f1.toFixed(3)),
    `${s.train_s.toFixed(1)} s`,
    `${s.predict_s.toFixed(2)} s`,
  ]
  println(
    io,
    formatTable(
      ['model', 'accuracy', 'macro-F1', ...(fa ? ['F1 favor+against'] : []), ...labels.map((l) => `F1 ${l}`), 'train', 'predict'],
      [row('stancewatch', r), row('natural Bayes', r.baseline)],
    ),
  )
  if (r.targets.length) {
    println(io, '')
    println(
      io,
      formatTable(
        ['target', 'rows', 'macro-F1', 'accuracy', 'Bayes macro-F1'],
        Object.entries(r.per_target).map(([t, s]) => [
          t,
          String(s.support),
          s.macro_f1.toFixed(3),
          pct(s.accuracy),
          r.baseline.per_target[t]?.macro_f1.toFixed(3) ?? '–',
        ]),
      ),
    )
  }
  println(io, '')
  println(io, 'Confusion (rows: actual, columns: predicted)')
  println(
    io,
    formatTable(
      ['', ...labels],
      labels.map((a) => [a, ...labels.map((p) => String(r.confusion[a]?.[p] ?? 0))]),
    ),
  )
}
