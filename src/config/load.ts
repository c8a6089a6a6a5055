import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { LineCounter, isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml'
import { z } from 'zod'
import { ConfigError, type ConfigProblem } from '../domain/errors.js'
import { formatKey } from './key-path.js'
import { configSchema, type Config } from './schema.js'
import { semanticProblems, type SemanticProblem } from './validate.js'

export interface LoadedConfig {
  config: Config
  /** The file as the user named it, for messages. */
  file: string
  /** Absolute folder of the file: relative paths inside it resolve from here. */
  dir: string
}

/** Read, parse and validate the config file; throws ConfigError listing every problem found. */
export function loadConfig(file: string): LoadedConfig {
  const absolute = path.resolve(file)
  if (!existsSync(absolute)) {
    throw new ConfigError([
      {
        file,
        key: '(file)',
        message: 'the configuration file does not exist',
        fix: 'create it (copy config/stancewatch.yaml from the repository) or point STANCEWATCH_CONFIG / --config at an existing file',
      },
    ])
  }
  const text = readFileSync(absolute, 'utf8')
  return parseConfigText(text, file, path.dirname(absolute))
}

/** Parse config text; exposed so tests can check each message without writing files. */
export function parseConfigText(text: string, file: string, dir: string): LoadedConfig {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => ({
        file,
        key: '(syntax)',
        line: e.linePos?.[0]?.line ?? lineCounter.linePos(e.pos[0]).line,
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
        fix: 'correct the YAML at that line (check indentation, colons and quotes)',
      })),
    )
  }
  // reportInput: without it zod leaves the offending value out, and a wrong type reads as "missing".
  const parsed = configSchema.safeParse(doc.toJS() ?? {}, { reportInput: true })
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issueToProblem(issue, file, doc, lineCounter)))
  }
  const config = parsed.data
  // Every path in the file means the same wherever the command is started from: its own folder.
  for (const topic of config.topics) topic.stance.seeds = path.resolve(dir, topic.stance.seeds)
  config.digest.out_dir = path.resolve(dir, config.digest.out_dir)
  if (config.sources.archive_dir !== null) config.sources.archive_dir = path.resolve(dir, config.sources.archive_dir)
  config.sources.replay_files = config.sources.replay_files.map((f) => path.resolve(dir, f))
  const problems = semanticProblems(config).map((p) => ({
    file,
    key: p.key,
    line: lineOf(doc, lineCounter, p.path),
    message: p.message,
    fix: p.fix,
  }))
  if (problems.length > 0) throw new ConfigError(problems)
  return { config: deepFreeze(config), file, dir }
}

/** Problems found after loading (they carry a key path), with the file and the line of their key. */
export function locateProblems(file: string, problems: readonly SemanticProblem[]): ConfigProblem[] {
  const lineCounter = new LineCounter()
  const doc = parseDocument(readFileSync(path.resolve(file), 'utf8'), { lineCounter })
  return problems.map((p) => ({ file, key: p.key, line: lineOf(doc, lineCounter, p.path), message: p.message, fix: p.fix }))
}

type Issue = z.core.$ZodIssue

function issueToProblem(issue: Issue, file: string, doc: Document, lc: LineCounter): ConfigProblem {
  const p = issue.path
  const key = formatKey(p)
  const line = lineOf(doc, lc, p)
  switch (issue.code) {
    case 'invalid_type': {
      const missing = issue.input === undefined
      return missing
        ? { file, key, line, message: `is missing (expected ${issue.expected})`, fix: `add \`${lastKey(p)}\` with a ${describe(issue.expected)}` }
        : { file, key, line, message: `should be ${describe(issue.expected)}, got ${typeName(issue.input)}`, fix: `change it to a ${describe(issue.expected)}` }
    }
    case 'unrecognized_keys': {
      const allowed = allowedKeysAt(p)
      return {
        file,
        key: issue.keys.map((k) => formatKey([...p, k])).join(', '),
        line: lineOf(doc, lc, [...p, issue.keys[0]!]),
        message: `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${k}\``).join(', ')}`,
        fix: `remove it or correct its spelling${allowed.length ? `; allowed here: ${allowed.join(', ')}` : ''}`,
      }
    }
    case 'invalid_value':
      return {
        file,
        key,
        line,
        message: `is ${JSON.stringify(issue.input)}, which is not allowed`,
        fix: `use one of: ${issue.values.map((v) => String(v)).join(', ')}`,
      }
    case 'too_small':
      return { file, key, line, message: tooSmallMessage(issue), fix: tooSmallFix(issue) }
    case 'too_big':
      return {
        file,
        key,
        line,
        message: `is too large (at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''})`,
        fix: `lower it to ${String(issue.maximum)} or less`,
      }
    case 'invalid_format':
      return { file, key, line, message: `is not valid: ${issue.message}`, fix: formatFix(issue.format) }
    case 'custom': {
      const fix = (issue.params as { fix?: string } | undefined)?.fix
      return { file, key, line, message: issue.message, fix: fix ?? 'see the comments in config/stancewatch.yaml for the expected form' }
    }
    default:
      return { file, key, line, message: issue.message, fix: 'see the comments in config/stancewatch.yaml for the expected form' }
  }
}

function tooSmallMessage(issue: Extract<Issue, { code: 'too_small' }>): string {
  if (issue.origin === 'array') return `needs at least ${String(issue.minimum)} item${issue.minimum === 1 ? '' : 's'}`
  if (issue.origin === 'string') return 'must not be empty'
  return `is too small (at least ${String(issue.minimum)})`
}

function tooSmallFix(issue: Extract<Issue, { code: 'too_small' }>): string {
  if (issue.origin === 'array') return `list at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}`
  if (issue.origin === 'string') return 'write a value or remove the key'
  return `raise it to ${String(issue.minimum)} or more`
}

function formatFix(format: string): string {
  if (format === 'url') return 'write a full http(s) URL, e.g. https://www.example.com/2025/07/16/article.html'
  if (format === 'regex') return 'use lower-case letters, digits, "-" or "_" (e.g. china-ai-fund)'
  return `write it in the ${format} format`
}

function describe(expected: string): string {
  if (expected === 'array') return 'list'
  if (expected === 'object') return 'mapping (key: value lines)'
  return expected
}

function typeName(v: unknown): string {
  if (v === null) return 'null (an empty value)'
  if (Array.isArray(v)) return 'a list'
  return typeof v === 'object' ? 'a mapping' : `${typeof v} ${JSON.stringify(v)}`
}

function lastKey(p: readonly PropertyKey[]): string {
  const last = p[p.length - 1]
  return last === undefined ? '(top level)' : String(last)
}

function lineOf(doc: Document, lc: LineCounter, p: readonly PropertyKey[]): number | undefined {
  // A key is reported where the key is written, not where its (block) value starts.
  const last = p[p.length - 1]
  if (typeof last === 'string') {
    const parent = p.length === 1 ? doc.contents : doc.getIn(p.slice(0, -1) as unknown[], true)
    if (isMap(parent)) {
      const pair = parent.items.find((it) => isScalar(it.key) && it.key.value === last)
      const range = pair && isScalar(pair.key) ? pair.key.range : undefined
      if (range) return lc.linePos(range[0]).line
    }
  }
  // Otherwise walk down as far as the document goes: a missing key is reported at its parent.
  for (let depth = p.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(p.slice(0, depth) as unknown[], true)
    if (node && typeof node === 'object' && 'range' in node && Array.isArray(node.range)) {
      return lc.linePos(node.range[0] as number).line
    }
    if (node && (isMap(node) || isSeq(node)) && node.range) return lc.linePos(node.range[0]).line
  }
  return undefined
}

/** The keys the schema accepts at a path, for "did you mean" style fixes. */
function allowedKeysAt(p: readonly PropertyKey[]): string[] {
  let schema: z.ZodType = configSchema
  for (const k of p) {
    schema = unwrap(schema)
    if (typeof k === 'number' && schema instanceof z.ZodArray) schema = schema.element as z.ZodType
    else if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(k)] ?? z.never()
    else return []
  }
  schema = unwrap(schema)
  return schema instanceof z.ZodObject ? Object.keys(schema.shape) : []
}

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s
  while (cur instanceof z.ZodDefault || cur instanceof z.ZodOptional) cur = cur.unwrap() as z.ZodType
  return cur
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o)
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}
