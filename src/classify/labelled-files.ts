import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { InputError } from '../domain/errors.js'
import { decodeText, listLines, type Encoding } from '../text/decode.js'

/**
 * Labelled data files for `eval` and `train`: TSV, CSV or JSONL with a text and a label per row, as the
 * public stance benchmarks come once converted (SemEval-2016 Task 6 tweets, NLPCC-2016 Weibo posts).
 *
 * Nothing is dropped or changed silently: every skipped row, every header read through an alias, every
 * label whose spelling was unified and every encoding guess ends up in `warnings`; anything that cannot
 * be read as a table is an `InputError` that says where, what was found and what to do.
 */

export interface LabelledRow {
  /** The post, with only the surrounding whitespace trimmed. */
  text: string
  /** As written (trimmed); spellings that differ only in case are unified to the most frequent one. */
  label: string
  target: string | null
  id: string | null
  /** 1-based line in the file where the row starts. */
  line: number
}

export interface LabelledFile {
  rows: LabelledRow[]
  format: 'tsv' | 'csv' | 'jsonl'
  /** How the bytes were decoded. The UTF-16 forms are only ever chosen from a byte-order mark. */
  encoding: Encoding
  /** One line each, for a person to read. */
  warnings: string[]
}

type Field = 'text' | 'label' | 'target' | 'id'
export type Format = LabelledFile['format']

/** Accepted column names (compared trimmed and case-insensitively), the canonical one first. */
export const COLUMN_NAMES: Readonly<Record<Field, readonly string[]>> = {
  text: ['text', 'tweet', 'content', 'post', 'sentence', '微博'],
  label: ['label', 'stance', 'class'],
  target: ['target', 'topic'],
  id: ['id'],
}
const FIELDS: readonly Field[] = ['text', 'label', 'target', 'id']

const EXTENSIONS: Readonly<Record<string, Format>> = {
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.txt': 'tsv',
  '.csv': 'csv',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'jsonl',
}

/** Read a labelled data file from disk; see {@link parseLabelled}. */
export function readLabelledFile(file: string): LabelledFile {
  let bytes: Buffer
  try {
    bytes = readFileSync(file)
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    const why = err.code === 'ENOENT' ? 'it does not exist' : err.code === 'EISDIR' ? 'it is a directory' : err.message
    throw new InputError(`cannot read the labelled data file ${file}: ${why}. Fix: give the path of a .tsv, .csv or .jsonl file`)
  }
  return parseLabelled(bytes, file)
}

/** Parse a labelled data file from its bytes; `name` picks the format by extension and names the file in messages. */
export function parseLabelled(bytes: Buffer, name: string): LabelledFile {
  const warnings: string[] = []
  const { text, encoding } = decodeText(bytes, name, warnings)
  if (!text.trim()) throw new InputError(`${name}: the file is empty. Fix: give a file with a header row and one labelled row per line`)
  const format = detectFormat(text, name)
  const raw = format === 'jsonl' ? readJsonl(text, name, warnings) : readTable(text, name, format, warnings)
  const rows = keepComplete(raw, name, warnings)
  unifyLabelCase(rows, warnings)
  return { rows, format, encoding, warnings }
}

// ---------------------------------------------------------------------------------------------------
// Format

export function detectFormat(text: string, name: string): Format {
  const byExtension = EXTENSIONS[path.extname(name).toLowerCase()]
  if (byExtension) return byExtension
  const first = text.split('\n').find((l) => l.trim() !== '') ?? ''
  if (first.trimStart().startsWith('{')) return 'jsonl'
  if (first.includes('\t')) return 'tsv'
  return 'csv'
}

// ---------------------------------------------------------------------------------------------------
// Rows before checks: values as read, possibly empty

interface RawRow {
  line: number
  text: string
  label: string
  target: string
  id: string
}

export function normaliseName(name: string): string {
  let n = name.trim()
  if (n.length >= 2 && n.startsWith('"') && n.endsWith('"')) n = n.slice(1, -1).trim()
  return n.toLowerCase()
}

interface ColumnMap {
  index: Partial<Record<Field, number>>
}

/** Match header names to fields; alias use and ambiguous headers are reported in `warnings`. */
function mapColumns(header: string[], name: string, headerLine: number, format: Format, warnings: string[]): ColumnMap {
  const normalised = header.map(normaliseName)
  const index: Partial<Record<Field, number>> = {}
  const aliases: string[] = []
  for (const field of FIELDS) {
    const candidates: { col: number; rank: number }[] = []
    normalised.forEach((n, col) => {
      const rank = COLUMN_NAMES[field].indexOf(n)
      if (rank >= 0) candidates.push({ col, rank })
    })
    if (!candidates.length) continue
    candidates.sort((a, b) => a.rank - b.rank || a.col - b.col)
    const chosen = candidates[0]!
    index[field] = chosen.col
    if (chosen.rank > 0) aliases.push(`"${header[chosen.col]!.trim()}" → ${field}`)
    if (candidates.length > 1) {
      const others = candidates.slice(1).map((c) => `"${header[c.col]!.trim()}" (column ${c.col + 1})`)
      warnings.push(`several columns could hold the ${field}: used "${header[chosen.col]!.trim()}" (column ${chosen.col + 1}), ignored ${others.join(', ')}`)
    }
  }
  if (aliases.length) warnings.push(`columns read by their benchmark names: ${aliases.join(', ')}`)
  const missing = (['text', 'label'] as const).filter((f) => index[f] === undefined)
  if (missing.length) {
    const found = header.length ? header.map((h) => `"${h.trim()}"`).join(', ') : '(none)'
    const accepted = missing.map((f) => `for the ${f}: ${COLUMN_NAMES[f].join(', ')}`).join('; ')
    throw new InputError(
      `${name}:${headerLine}: no ${missing.join(' and no ')} column in the header row. Columns found: ${found}. ` +
        `Accepted names (any case) ${accepted}. Fix: make the first line a header row and name the columns with these names` +
        separatorHint(header, format),
    )
  }
  return { index }
}

/** A header that only makes sense with another separator: say so. */
function separatorHint(header: string[], format: Format): string {
  if (header.length !== 1) return ''
  const only = header[0]!
  if (format === 'csv' && only.includes('\t')) return ' (the header contains tabs: if the file is tab-separated, name it .tsv)'
  if (format === 'csv' && only.includes(';'))
    return ' (the header contains semicolons: this reader expects commas in a .csv file; re-export it with commas, or with tabs as .tsv)'
  if (format === 'tsv' && only.includes(',')) return ' (the header has commas but no tabs: if the file is comma-separated, name it .csv)'
  return ''
}

export function preview(line: string): string {
  const shown = line.length > 80 ? `${line.slice(0, 80)}…` : line
  return JSON.stringify(shown)
}

// TSV ------------------------------------------------------------------------------------------------

/**
 * TSV has no quoting: tweets are full of quote characters. The one exception is a field a spreadsheet or
 * pandas wrote quoted because it contained quotes: wrapped in double quotes with every inner quote doubled,
 * and at least one doubled pair (so a tweet that merely is a quotation keeps its quote marks).
 */
export function unwrapTsvField(field: string): string {
  const t = field.trim()
  if (t.length < 4 || !t.startsWith('"') || !t.endsWith('"')) return field
  const inner = t.slice(1, -1)
  if (!inner.includes('""') || !/^(?:[^"]|"")*$/.test(inner)) return field
  return inner.replaceAll('""', '"')
}

function readTable(text: string, name: string, format: 'tsv' | 'csv', warnings: string[]): RawRow[] {
  const records = format === 'tsv' ? splitTsv(text) : splitCsv(text, name)
  const headerRecord = records.shift()
  if (!headerRecord) throw new InputError(`${name}: the file is empty. Fix: give a file with a header row and one labelled row per line`)
  const header = headerRecord.fields
  const { index } = mapColumns(header, name, headerRecord.line, format, warnings)
  const rows: RawRow[] = []
  for (const r of records) {
    if (r.fields.length === 1 && header.length > 1 && r.fields[0]!.trim() === '') continue // a blank line
    if (r.fields.length !== header.length) {
      const fix =
        format === 'tsv'
          ? 'look for a tab inside the text or a missing field on that line; TSV has no quoting, so a text that holds tabs or line breaks needs the file saved as CSV'
          : 'put double quotes around every field that contains a comma, a quote or a line break, and double the quotes inside it ("")'
      throw new InputError(
        `${name}:${r.line}: found ${r.fields.length} ${r.fields.length === 1 ? 'field' : 'fields'} where the header (line ${headerRecord.line}) has ${header.length} ` +
          `(${header.map((h) => h.trim()).join(', ')}): ${preview(r.raw)}. Fix: ${fix}`,
      )
    }
    const get = (f: Field) => (index[f] === undefined ? '' : r.fields[index[f]]!.trim())
    rows.push({ line: r.line, text: get('text'), label: get('label'), target: get('target'), id: get('id') })
  }
  return rows
}

export interface TableRecord {
  line: number
  fields: string[]
  raw: string
}

export function splitTsv(text: string): TableRecord[] {
  const out: TableRecord[] = []
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '' && !raw.includes('\t')) return
    out.push({ line: i + 1, fields: raw.split('\t').map(unwrapTsvField), raw })
  })
  return out
}

interface CsvOutput {
  record: string[]
  raw: string
  info: { lines: number }
}

export function splitCsv(text: string, name: string): TableRecord[] {
  let lastEnd = 0
  let parsed: CsvOutput[]
  try {
    parsed = parseCsv(text, {
      relax_column_count: true, // counted here, to say where and what to do
      relax_quotes: true, // a quote inside an unquoted field is just a character
      trim: true, // whitespace around the separators, so `a, "b, c"` is two fields
      skip_empty_lines: true,
      raw: true,
      info: true,
      on_record: (record, context) => {
        lastEnd = context.lines
        return record
      },
    }) as unknown as CsvOutput[]
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number }
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new InputError(
        `${name}:${lastEnd + 1}: a quoted field in the row starting after line ${lastEnd} is never closed: the file ends inside it. ` +
          'Fix: close the quote, and double the quotes inside a quoted field ("")',
      )
    }
    const where = err.lines ? `${name}:${err.lines}` : name
    throw new InputError(
      `${where}: cannot be read as CSV: ${err.message}. Fix: quote fields as in RFC 4180: "a field, with a comma", and "" for a quote inside a quoted field`,
    )
  }
  return parsed.map((p) => {
    const body = p.raw.replace(/^\n+/, '').replace(/\n$/, '')
    const newlines = body.split('\n').length - 1
    return { line: p.info.lines - newlines, fields: p.record, raw: body }
  })
}

// JSONL ----------------------------------------------------------------------------------------------

function readJsonl(text: string, name: string, warnings: string[]): RawRow[] {
  const lines = text.split('\n')
  const first = lines.find((l) => l.trim() !== '')!.trim()
  if (first.startsWith('[')) {
    throw new InputError(
      `${name}: the file is a JSON array; this reader expects JSON Lines, one object per line. Fix: convert it, e.g. \`jq -c '.[]' ${name} > data.jsonl\``,
    )
  }
  const rows: RawRow[] = []
  const keysSeen = new Set<string>()
  const aliasUse = new Map<string, Field>()
  const has: Record<Field, boolean> = { text: false, label: false, target: false, id: false }
  lines.forEach((raw, i) => {
    if (!raw.trim()) return
    const line = i + 1
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (e) {
      throw new InputError(
        `${name}:${line}: not valid JSON (${(e as Error).message}): ${preview(raw)}. Fix: write one JSON object per line, e.g. {"text": "...", "label": "FAVOR"}`,
      )
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(
        `${name}:${line}: a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object: ${preview(raw)}. Fix: write one object per line, e.g. {"text": "...", "label": "FAVOR"}`,
      )
    }
    const obj = value as Record<string, unknown>
    const byName = new Map<string, string>()
    for (const key of Object.keys(obj)) {
      keysSeen.add(key)
      const n = normaliseName(key)
      if (!byName.has(n)) byName.set(n, key)
    }
    const get = (field: Field): string => {
      for (const [rank, alias] of COLUMN_NAMES[field].entries()) {
        const key = byName.get(alias)
        if (key === undefined) continue
        has[field] = true
        if (rank > 0) aliasUse.set(key, field)
        const v = obj[key]
        if (v === null || v === undefined) return ''
        if (typeof v === 'string') return v.trim()
        if (typeof v === 'number' || typeof v === 'boolean') return String(v)
        throw new InputError(
          `${name}:${line}: "${key}" is ${Array.isArray(v) ? 'an array' : 'an object'}, expected a string: ${preview(raw)}. Fix: give the ${field} as a string`,
        )
      }
      return ''
    }
    rows.push({ line, text: get('text'), label: get('label'), target: get('target'), id: get('id') })
  })
  const missing = (['text', 'label'] as const).filter((f) => !has[f])
  if (missing.length) {
    const found = keysSeen.size ? [...keysSeen].map((k) => `"${k}"`).join(', ') : '(none)'
    const accepted = missing.map((f) => `for the ${f}: ${COLUMN_NAMES[f].join(', ')}`).join('; ')
    throw new InputError(
      `${name}: no line has a ${missing.join(' or a ')} key. Keys found: ${found}. Accepted keys (any case) ${accepted}. ` +
        'Fix: name the keys with these names, e.g. {"text": "...", "label": "FAVOR"}',
    )
  }
  if (aliasUse.size) warnings.push(`keys read by their benchmark names: ${[...aliasUse].map(([k, f]) => `"${k}" → ${f}`).join(', ')}`)
  return rows
}

// ---------------------------------------------------------------------------------------------------
// Checks shared by all formats

function keepComplete(raw: RawRow[], name: string, warnings: string[]): LabelledRow[] {
  const rows: LabelledRow[] = []
  const noText: number[] = []
  const noLabel: number[] = []
  const empty: number[] = []
  for (const r of raw) {
    if (!r.text && !r.label) empty.push(r.line)
    else if (!r.text) noText.push(r.line)
    else if (!r.label) noLabel.push(r.line)
    else rows.push({ text: r.text, label: r.label, target: r.target || null, id: r.id || null, line: r.line })
  }
  const skipped: string[] = []
  if (empty.length) skipped.push(`${plural(empty.length, 'row')} with neither text nor label skipped (${listLines(empty)})`)
  if (noText.length) skipped.push(`${plural(noText.length, 'row')} without text skipped (${listLines(noText)})`)
  if (noLabel.length) skipped.push(`${plural(noLabel.length, 'row')} without a label skipped (${listLines(noLabel)})`)
  warnings.push(...skipped)
  if (!rows.length) {
    const why = raw.length ? `: ${skipped.join('; ')}` : ': there is nothing below the header'
    throw new InputError(`${name}: no labelled rows${why}. Fix: give a file with a text and a label on every row`)
  }
  return rows
}

/** "favor" ×3 and "FAVOR" ×10 in one file are the same label: write all of them the more frequent way. */
function unifyLabelCase(rows: LabelledRow[], warnings: string[]): void {
  const groups = new Map<string, Map<string, number>>()
  for (const r of rows) {
    const key = r.label.toLowerCase()
    const spellings = groups.get(key) ?? new Map<string, number>()
    spellings.set(r.label, (spellings.get(r.label) ?? 0) + 1)
    groups.set(key, spellings)
  }
  const rename = new Map<string, string>()
  for (const spellings of groups.values()) {
    if (spellings.size < 2) continue
    // Most frequent wins; on a tie, the spelling met first (Map keeps insertion order, sort is stable).
    const ranked = [...spellings].sort((a, b) => b[1] - a[1])
    const winner = ranked[0]![0]
    for (const [spelling] of ranked.slice(1)) rename.set(spelling, winner)
    warnings.push(`label written in mixed case: ${ranked.map(([s, n]) => `"${s}" ×${n}`).join(', ')}; all read as "${winner}"`)
  }
  if (!rename.size) return
  for (const r of rows) r.label = rename.get(r.label) ?? r.label
}

// ---------------------------------------------------------------------------------------------------

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}
