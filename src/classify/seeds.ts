import { readFileSync } from 'node:fs'
import { ConfigError, type ConfigProblem } from '../domain/errors.js'
import type { Example } from './stance-model.js'

/**
 * The seed labels a topic ships with: JSONL of `{text, label, ...}`. Every bad line is reported with its
 * number; a model trained on a silently half-read file would be wrong in ways nobody could see.
 */
export function readSeedExamples(file: string, labels: readonly string[]): Example[] {
  const problems: ConfigProblem[] = []
  const out: Example[] = []
  const lines = readFileSync(file, 'utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
  lines.forEach((raw, i) => {
    if (!raw.trim()) return
    let row: unknown
    try {
      row = JSON.parse(raw)
    } catch {
      problems.push({
        file,
        key: `line ${i + 1}`,
        line: i + 1,
        message: 'is not valid JSON',
        fix: 'write one JSON object per line: {"text": "...", "label": "..."}',
      })
      return
    }
    const r = row as { text?: unknown; label?: unknown }
    if (typeof r.text !== 'string' || !r.text.trim()) {
      problems.push({ file, key: `line ${i + 1}`, line: i + 1, message: 'has no "text"', fix: 'add the post text as "text"' })
    } else if (typeof r.label !== 'string' || !labels.includes(r.label)) {
      problems.push({
        file,
        key: `line ${i + 1}`,
        line: i + 1,
        message: `has label ${JSON.stringify(r.label)}, which this topic does not define`,
        fix: `use one of: ${labels.join(', ')}`,
      })
    } else out.push({ text: r.text, label: r.label })
  })
  if (problems.length) throw new ConfigError(problems)
  return out
}
