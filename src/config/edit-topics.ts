import { Document, isMap, isScalar, isSeq, parseDocument, YAMLSeq } from 'yaml'
import { UsageError } from '../domain/errors.js'

/*
 * Adding and removing a topic in the config file as a person would, keeping every comment, blank line and
 * the layout of everything else. The yaml package's document API finds the `topics` list and its items
 * (with their source ranges) and renders the new item; the edit is then made on the text at those ranges.
 * Why not String(doc) of the whole edited document: it re-flows what a person wrote (the shipped file's
 * long `[a, b, c]` lists become one bracket and one term a line: 400 lines changed for one topic added).
 * Every edit is verified by parsing the result: the topics must be exactly the old ones plus or minus one.
 */

/** The config text with `topic` appended to `topics`; `comment` (lines without '#') goes above it. */
export function addTopicToText(text: string, topic: Record<string, unknown>, comment?: string): string {
  const { doc, topics } = parse(text)
  const ids = topicIds(topics)
  const last = topics.items[topics.items.length - 1]
  const rendered = renderItem(topic, comment)
  let out: string
  if (!topics.flow && last && isMap(last) && last.range) {
    const dash = dashColumn(text, last.range[0])
    const at = itemEnd(text, last.range)
    const block = indent(rendered, dash)
    out = `${text.slice(0, at)}${text[at - 1] === '\n' || at === 0 ? '' : '\n'}${block}${text.slice(at)}`
  } else {
    // An empty or flow-style list: no layout of ours to keep there, so let the library write it.
    topics.flow = false
    topics.items.push(doc.createNode(topic))
    out = String(doc)
  }
  verify(out, [...ids, String(topic.id)])
  return out
}

/** The config text without the topic `id` (its comment lines above it go too); UsageError when there is none. */
export function removeTopicFromText(text: string, id: string): string {
  const { topics } = parse(text)
  const ids = topicIds(topics)
  const index = ids.indexOf(id)
  if (index < 0) throw new UsageError(`no topic "${id}" in the configuration`)
  const item = topics.items[index]!
  const next = topics.items[index + 1]
  if (topics.flow || !isMap(item) || !item.range) throw new UsageError('the `topics` list is written in flow style ([…]); remove the topic by hand')
  const start = blockStart(text, item.range[0])
  const end = next && isMap(next) && next.range ? blockStart(text, next.range[0]) : itemEnd(text, item.range)
  const out = text.slice(0, start) + text.slice(end)
  verify(
    out,
    ids.filter((x) => x !== id),
  )
  return out
}

function parse(text: string): { doc: Document; topics: YAMLSeq } {
  const doc = parseDocument(text)
  if (doc.errors.length) throw new UsageError(`the configuration file cannot be parsed: ${doc.errors[0]!.message.split('\n')[0]}`)
  const topics = doc.get('topics', true)
  if (!isSeq(topics)) throw new UsageError('the configuration file has no `topics:` list')
  return { doc, topics }
}

function topicIds(topics: YAMLSeq): string[] {
  return topics.items.map((t) => (isMap(t) && isScalar(t.get('id', true)) ? String(t.get('id')) : ''))
}

/** One list item as YAML ("- id: …"), the comment above it. */
function renderItem(topic: Record<string, unknown>, comment?: string): string {
  const doc = new Document()
  const node = doc.createNode(topic)
  if (comment) node.commentBefore = comment
  const seq = new YAMLSeq()
  seq.items.push(node)
  doc.contents = seq
  return doc.toString({ lineWidth: 120 })
}

function indent(block: string, columns: number): string {
  const pad = ' '.repeat(columns)
  return block
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n')
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1
}

/** Position just after the line break ending the line that holds `pos` (or the end of the text). */
function endOfLine(text: string, pos: number): number {
  const nl = text.indexOf('\n', Math.max(0, pos - 1))
  return nl < 0 ? text.length : nl + 1
}

/** Column of the "- " that opens the item whose content starts at `pos`. */
function dashColumn(text: string, pos: number): number {
  const start = lineStart(text, pos)
  const dash = text.slice(start, pos).indexOf('-')
  return dash < 0 ? pos - start : dash
}

/**
 * Where an item's block begins: its "- " line, or the comment lines directly above it at the dash's column.
 * A deeper comment just above is the previous item's (its commented-out last keys), not this one's.
 */
function blockStart(text: string, pos: number): number {
  const column = dashColumn(text, pos)
  let start = lineStart(text, pos)
  while (start > 0) {
    const prev = lineStart(text, start - 1)
    const line = text.slice(prev, start - 1)
    const depth = line.length - line.trimStart().length
    if (!line.trimStart().startsWith('#') || depth !== column) break
    start = prev
  }
  return start
}

/**
 * Where an item's block ends: after its last line of content or of comment deeper than its dash. The yaml
 * library ends an item's range at the next node, so the last topic's range takes in the blank lines and the
 * comment above the next top-level key (`# Cron expressions …` above `schedules:`): those are not the
 * item's, nor a comment at the dash's column (a commented-out item of the list).
 */
function itemEnd(text: string, range: readonly number[]): number {
  const column = dashColumn(text, range[0]!)
  let end = endOfLine(text, range[1]!)
  while (end > range[0]!) {
    const start = lineStart(text, end - 1)
    const line = text.slice(start, end).replace(/\r?\n$/, '')
    const content = line.trimStart()
    if (content && !(content.startsWith('#') && line.length - content.length <= column)) break
    end = start
  }
  return end
}

function verify(out: string, expected: string[]): void {
  const { topics } = parse(out)
  const got = topicIds(topics)
  if (got.join('\n') !== expected.join('\n'))
    throw new Error(`editing the topics list went wrong (expected ${expected.join(', ')}, got ${got.join(', ')}); the file was not changed`)
}
