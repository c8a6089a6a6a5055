import { InputError } from '../domain/errors.js'
import { decodeText, type Encoding } from '../text/decode.js'
import { detectFormat, normaliseName, preview, splitCsv, splitTsv, type Format, type TableRecord } from './labelled-files.js'

/**
 * People's labels for stored posts, in bulk (`label --file`): CSV or TSV with a header row, or JSONL, with a
 * post reference and a label on each row, and optionally the topic and who labelled it. Read with the same
 * decoding, format detection and CSV/TSV splitting as the labelled training files. A file that cannot be read
 * as a table is an `InputError`; a single row that cannot be read is returned in `malformed` with its line,
 * so the good rows around it still count.
 */

export interface PostLabelRow {
  /** 1-based line where the row starts. */
  line: number
  /** The post reference as written (URL, tweet id, at:// URI, #N). */
  ref: string
  /** As written (trimmed); `null` when a JSON line gives `"label": null`, which clears like the word `clear`. */
  label: string | null
  topic: string | null
  by: string | null
}

export interface MalformedRow {
  line: number
  message: string
}

export interface PostLabelFile {
  rows: PostLabelRow[]
  malformed: MalformedRow[]
  format: Format
  encoding: Encoding
  warnings: string[]
}

type Field = 'post' | 'label' | 'topic' | 'by'
const FIELDS: readonly Field[] = ['post', 'label', 'topic', 'by']

/** Accepted column names and JSON keys (trimmed, any case), in order of preference when several are present. */
export const POST_LABEL_COLUMNS: Readonly<Record<Field, readonly string[]>> = {
  post: ['post', 'ref', 'url', 'id', 'uri', 'link'],
  label: ['label', 'stance'],
  topic: ['topic'],
  by: ['by', 'author'],
}

const EXAMPLE = '{"post": "#123", "label": "concern"}'

export function parsePostLabels(bytes: Buffer, name: string): PostLabelFile {
  const warnings: string[] = []
  const { text, encoding } = decodeText(bytes, name, warnings)
  if (!text.trim()) throw new InputError(`${name}: the file is empty. Fix: give a header row (post,label) and one post and label per line`)
  const format = detectFormat(text, name)
  const raw = format === 'jsonl' ? readJsonl(text, name) : readTable(text, name, format, warnings)
  const rows: PostLabelRow[] = []
  const malformed: MalformedRow[] = [...raw.malformed]
  for (const r of raw.rows) {
    if (!r.post && r.label === '' && !r.topic && !r.by) continue // an empty row, e.g. ",,"
    if (!r.post) malformed.push({ line: r.line, message: 'no post reference on this row' })
    else if (r.label === '') malformed.push({ line: r.line, message: 'no label on this row (write "clear" to remove a person\'s label)' })
    else rows.push({ line: r.line, ref: unquote(r.post), label: r.label === null ? null : unquote(r.label), topic: unquote(r.topic) || null, by: r.by || null })
  }
  malformed.sort((a, b) => a.line - b.line)
  return { rows, malformed, format, encoding, warnings }
}

/** TSV has no quoting, but a reference or label in quotes ("#12") means the same without them: no reference or label holds a quote. */
function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1).trim() : s
}

interface RawRow {
  line: number
  post: string
  label: string | null
  topic: string
  by: string
}

function mapColumns(header: string[], name: string, line: number, warnings: string[]): Partial<Record<Field, number>> {
  const normalised = header.map(normaliseName)
  const index: Partial<Record<Field, number>> = {}
  for (const field of FIELDS) {
    const found = POST_LABEL_COLUMNS[field].map((alias) => normalised.indexOf(alias)).filter((i) => i >= 0)
    if (!found.length) continue
    index[field] = found[0]
    if (found.length > 1)
      warnings.push(
        `several columns could hold the ${field}: used "${header[found[0]!]!.trim()}", ignored ${found
          .slice(1)
          .map((i) => `"${header[i]!.trim()}"`)
          .join(', ')}`,
      )
  }
  const missing = (['post', 'label'] as const).filter((f) => index[f] === undefined)
  if (missing.length) {
    const found = header.map((h) => `"${h.trim()}"`).join(', ')
    const accepted = missing.map((f) => `for the ${f}: ${POST_LABEL_COLUMNS[f].join(', ')}`).join('; ')
    throw new InputError(
      `${name}:${line}: no ${missing.join(' and no ')} column in the header row. Columns found: ${found}. Accepted names (any case) ${accepted}. ` +
        'Fix: make the first line a header row, e.g. post,label',
    )
  }
  return index
}

function readTable(text: string, name: string, format: 'csv' | 'tsv', warnings: string[]): { rows: RawRow[]; malformed: MalformedRow[] } {
  const records: TableRecord[] = format === 'tsv' ? splitTsv(text) : splitCsv(text, name)
  const header = records.shift()
  if (!header) throw new InputError(`${name}: the file is empty. Fix: give a header row (post,label) and one post and label per line`)
  const index = mapColumns(header.fields, name, header.line, warnings)
  const rows: RawRow[] = []
  const malformed: MalformedRow[] = []
  for (const r of records) {
    if (r.fields.every((f) => f.trim() === '')) continue
    if (r.fields.length !== header.fields.length) {
      malformed.push({
        line: r.line,
        message: `malformed line: ${r.fields.length} ${r.fields.length === 1 ? 'field' : 'fields'} where the header has ${header.fields.length}: ${preview(r.raw)}`,
      })
      continue
    }
    const get = (f: Field) => (index[f] === undefined ? '' : r.fields[index[f]]!.trim())
    rows.push({ line: r.line, post: get('post'), label: get('label'), topic: get('topic'), by: get('by') })
  }
  return { rows, malformed }
}

function readJsonl(text: string, name: string): { rows: RawRow[]; malformed: MalformedRow[] } {
  const lines = text.split('\n')
  if (
    lines
      .find((l) => l.trim() !== '')!
      .trim()
      .startsWith('[')
  )
    throw new InputError(`${name}: the file is a JSON array; label files are JSON Lines, one object per line. Fix: convert it, e.g. \`jq -c '.[]' ${name}\``)
  const rows: RawRow[] = []
  const malformed: MalformedRow[] = []
  lines.forEach((raw, i) => {
    if (!raw.trim()) return
    const line = i + 1
    let value: unknown
    try {
      value = JSON.parse(raw)
    } catch (e) {
      malformed.push({ line, message: `malformed line: not valid JSON (${(e as Error).message}): ${preview(raw)}; write one object per line, e.g. ${EXAMPLE}` })
      return
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      malformed.push({ line, message: `malformed line: not a JSON object: ${preview(raw)}; write one object per line, e.g. ${EXAMPLE}` })
      return
    }
    const obj = value as Record<string, unknown>
    const byName = new Map<string, string>()
    for (const key of Object.keys(obj)) if (!byName.has(normaliseName(key))) byName.set(normaliseName(key), key)
    let bad: string | null = null
    const get = (field: Field): string | null => {
      for (const alias of POST_LABEL_COLUMNS[field]) {
        const key = byName.get(alias)
        if (key === undefined) continue
        const v = obj[key]
        if (v === null) return null
        if (v === undefined) return ''
        if (typeof v === 'string') return v.trim()
        if (typeof v === 'number' || typeof v === 'boolean') return String(v)
        bad ??= `malformed line: "${key}" is ${Array.isArray(v) ? 'an array' : 'an object'}, expected a string: ${preview(raw)}`
        return ''
      }
      return ''
    }
    const row: RawRow = { line, post: get('post') ?? '', label: get('label'), topic: get('topic') ?? '', by: get('by') ?? '' }
    // A big tweet id written as a JSON number has lost its last digits: refuse it rather than label another post.
    const postKey = POST_LABEL_COLUMNS.post.map((a) => byName.get(a)).find((k) => k !== undefined)
    if (postKey && typeof obj[postKey] === 'number' && !Number.isSafeInteger(obj[postKey]))
      bad ??= `malformed line: the post id ${String(obj[postKey])} is a JSON number too big to be exact; write it as a string: "${postKey}": "…"`
    if (bad) malformed.push({ line, message: bad })
    else if (!byName.size) malformed.push({ line, message: `malformed line: an empty object; write e.g. ${EXAMPLE}` })
    else rows.push(row)
  })
  return { rows, malformed }
}
