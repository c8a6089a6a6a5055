import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse as parseCsv } from 'csv-parse/sync'
import { InputError } from '../domain/errors.js'

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
  encoding: 'utf-8' | 'utf-8-bom' | 'windows-1252' | 'utf-16le' | 'utf-16be'
  /** One line each, for a person to read. */
  warnings: string[]
}

type Field = 'text' | 'label' | 'target' | 'id'
type Format = LabelledFile['format']
type Encoding = LabelledFile['encoding']

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
  const { text, encoding } = decode(bytes, name, warnings)
  if (!text.trim()) throw new InputError(`${name}: the file is empty. Fix: give a file with a header row and one labelled row per line`)
  const format = detectFormat(text, name)
  const raw = format === 'jsonl' ? readJsonl(text, name, warnings) : readTable(text, name, format, warnings)
  const rows = keepComplete(raw, name, warnings)
  unifyLabelCase(rows, warnings)
  return { rows, format, encoding, warnings }
}

// ---------------------------------------------------------------------------------------------------
// Encoding

/** WHATWG windows-1252 for bytes 0x80–0x9F (the rest of the high half is Latin-1). Decoded by hand because
 * some Node versions' TextDecoder('windows-1252') yields C1 control characters for this range. */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
]

export function decodeWindows1252(bytes: Uint8Array): string {
  let out = ''
  const CHUNK = 8192
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const codes: number[] = []
    const end = Math.min(bytes.length, start + CHUNK)
    for (let i = start; i < end; i++) {
      const b = bytes[i]!
      codes.push(b >= 0x80 && b < 0xa0 ? CP1252_HIGH[b - 0x80]! : b)
    }
    out += String.fromCharCode(...codes)
  }
  return out
}

function decode(bytes: Buffer, name: string, warnings: string[]): { text: string; encoding: Encoding } {
  let text: string
  let encoding: Encoding
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    encoding = 'utf-8-bom'
    text = strictDecode('utf-8', bytes.subarray(3), name, 'it starts with a UTF-8 byte-order mark')
  } else if (bytes[0] === 0xff && bytes[1] === 0xfe) {
    encoding = 'utf-16le'
    text = strictDecode('utf-16le', bytes.subarray(2), name, 'it starts with a UTF-16 LE byte-order mark')
  } else if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    encoding = 'utf-16be'
    text = strictDecode('utf-16be', bytes.subarray(2), name, 'it starts with a UTF-16 BE byte-order mark')
  } else {
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
      encoding = 'utf-8'
    } catch {
      ;({ text, encoding } = decodeNotUtf8(bytes, name, warnings))
    }
  }
  if (text.includes('\u0000')) {
    throw new InputError(
      `${name}: the file contains NUL characters, so it is probably UTF-16 or UTF-32 without a byte-order mark, or not a text file. ` +
        'Fix: save it as UTF-8 (in a spreadsheet: "CSV UTF-8" or "Unicode text" with a byte-order mark)',
    )
  }
  return { text: text.replace(/\r\n?/g, '\n'), encoding }
}

function strictDecode(label: string, bytes: Uint8Array, name: string, why: string): string {
  try {
    return new TextDecoder(label, { fatal: true, ignoreBOM: true }).decode(bytes)
  } catch {
    throw new InputError(`${name}: ${why} but is not valid ${label.toUpperCase()}. Fix: re-save the file as UTF-8`)
  }
}

/**
 * Not valid UTF-8. Usually a Windows-1252 (Western European) export; but a UTF-8 file with a few broken bytes
 * must not turn into mojibake as a whole, and a Chinese GBK file must not be read as Latin letters.
 */
function decodeNotUtf8(bytes: Buffer, name: string, warnings: string[]): { text: string; encoding: Encoding } {
  const scan = scanUtf8(bytes)
  if (scan.validMultiByte > scan.invalid.length) {
    const lines = [...new Set(linesAt(bytes, scan.invalid))]
    warnings.push(
      `${scan.invalid.length} ${scan.invalid.length === 1 ? 'byte that is' : 'bytes that are'} not valid UTF-8 replaced with "\uFFFD" (${listLines(lines)}); the rest of the file is UTF-8`,
    )
    return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8' }
  }
  // In Windows-1252 text, non-ASCII letters stand mostly alone ("café", "Müller", “quotes”). In double-byte
  // encodings (GBK, Big5, Shift-JIS) or Cyrillic/Greek code pages nearly every high byte is in a long run.
  let high = 0
  let inLongRuns = 0
  let run = 0
  const endRun = () => {
    if (run >= 4) inLongRuns += run
    run = 0
  }
  for (const b of bytes) {
    if (b >= 0x80) {
      high++
      run++
    } else endRun()
  }
  endRun()
  if (high >= 16 && inLongRuns / high > 0.5) {
    throw new InputError(
      `${name}: the file is not UTF-8, and does not look like Windows-1252 either: its non-ASCII bytes come in long runs, ` +
        'as in Chinese, Japanese or Korean legacy encodings (GBK/GB18030, Big5, Shift-JIS) or Cyrillic and Greek code pages. ' +
        'Fix: convert it to UTF-8 first, e.g. `iconv -f GB18030 -t UTF-8 in.tsv > out.tsv` for Chinese text',
    )
  }
  warnings.push('the file is not valid UTF-8: decoded as Windows-1252 (Western European); if accented letters look wrong, convert it to UTF-8')
  return { text: decodeWindows1252(bytes), encoding: 'windows-1252' }
}

/** Count well-formed multi-byte UTF-8 sequences and the offsets of bytes that are not part of one. */
function scanUtf8(bytes: Uint8Array): { validMultiByte: number; invalid: number[] } {
  let validMultiByte = 0
  const invalid: number[] = []
  let i = 0
  while (i < bytes.length) {
    const b = bytes[i]!
    if (b < 0x80) {
      i++
      continue
    }
    let need = 0
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2
      if (b === 0xe0) lo = 0xa0
      if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3
      if (b === 0xf0) lo = 0x90
      if (b === 0xf4) hi = 0x8f
    }
    let ok = need > 0
    for (let k = 1; ok && k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) ok = false
    }
    if (ok) {
      validMultiByte++
      i += need + 1
    } else {
      invalid.push(i)
      i++
    }
  }
  return { validMultiByte, invalid }
}

/** 1-based line of each byte offset (offsets ascending), counting LF, CRLF and lone CR as line breaks. */
function linesAt(bytes: Uint8Array, offsets: number[]): number[] {
  const out: number[] = []
  let line = 1
  let i = 0
  for (const pos of offsets) {
    for (; i < pos; i++) {
      if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++
    }
    out.push(line)
  }
  return out
}

// ---------------------------------------------------------------------------------------------------
// Format

function detectFormat(text: string, name: string): Format {
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

function normaliseName(name: string): string {
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
  if (format === 'csv' && only.includes(';')) return ' (the header contains semicolons: this reader expects commas in a .csv file; re-export it with commas, or with tabs as .tsv)'
  if (format === 'tsv' && only.includes(',')) return ' (the header has commas but no tabs: if the file is comma-separated, name it .csv)'
  return ''
}

function preview(line: string): string {
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

interface TableRecord {
  line: number
  fields: string[]
  raw: string
}

function splitTsv(text: string): TableRecord[] {
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

function splitCsv(text: string, name: string): TableRecord[] {
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
    throw new InputError(`${where}: cannot be read as CSV: ${err.message}. Fix: quote fields as in RFC 4180: "a field, with a comma", and "" for a quote inside a quoted field`)
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
      throw new InputError(`${name}:${line}: a JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object: ${preview(raw)}. Fix: write one object per line, e.g. {"text": "...", "label": "FAVOR"}`)
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
        throw new InputError(`${name}:${line}: "${key}" is ${Array.isArray(v) ? 'an array' : 'an object'}, expected a string: ${preview(raw)}. Fix: give the ${field} as a string`)
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

function listLines(lines: number[]): string {
  const MAX = 20
  const shown = lines.slice(0, MAX).join(', ')
  const more = lines.length > MAX ? `, and ${lines.length - MAX} more` : ''
  return `${lines.length === 1 ? 'line' : 'lines'} ${shown}${more}`
}
