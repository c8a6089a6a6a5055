import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN } from '../compiled.js'
import { CONFIG, tempDir } from '../helpers.js'

interface Run {
  code: number
  stdout: string
  stderr: string
}

const { STANCEWATCH_USER: _, ...env } = process.env

/** The compiled command, as a person runs it; `input` goes to its standard input. */
function bin(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...env, USER: 'tester' }, stdio: 'pipe' })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

interface Row {
  id: number
  platform: string
  platformId: string
  url: string
  label: string
  confidence: number
  source: string
}

/** `label --file` and `label --undo` through the compiled CLI, on the demo database. */
describe('label --file and --undo', () => {
  const tmp = tempDir('stancewatch-label-file-')
  const db = path.join(tmp.dir, 'labels.sqlite')
  const base = ['--config', CONFIG, '--db', db]
  const file = (name: string, text: string | Buffer) => {
    const f = path.join(tmp.dir, name)
    writeFileSync(f, text)
    return f
  }
  const read = <T>(sql: string, ...args: unknown[]) => {
    const d = new Database(db, { readonly: true })
    try {
      return d.prepare(sql).all(...args) as T[]
    } finally {
      d.close()
    }
  }
  const stateOf = (id: number) =>
    read<Row>(
      `SELECT p.id, p.platform, p.platform_id AS platformId, p.url, pt.stance_label AS label, pt.stance_confidence AS confidence, pt.stance_source AS source
       FROM posts p JOIN post_topics pt ON pt.post_id = p.id WHERE p.id = ? AND pt.topic_id = 'china-ai-fund'`,
      id,
    )[0]!
  let x: Row[] = []
  let bsky: Row[] = []
  /** A label other than the model's, so that every row is a change. */
  const other = (r: Row) => (r.label === 'concern' ? 'praise' : 'concern')

  beforeAll(async () => {
    const r = await bin([...base, 'demo', '--out', path.join(tmp.dir, 'digests')])
    expect(r.code, r.stderr).toBe(0)
    const rows = (platform: string) =>
      read<Row>(
        `SELECT p.id, p.platform, p.platform_id AS platformId, p.url, pt.stance_label AS label, pt.stance_confidence AS confidence, pt.stance_source AS source
         FROM posts p JOIN post_topics pt ON pt.post_id = p.id
         WHERE pt.topic_id = 'china-ai-fund' AND p.platform = ? AND p.deleted_at IS NULL AND pt.stance_label IN ('concern', 'praise', 'neutral') AND p.topics = '["china-ai-fund"]'
         ORDER BY p.id LIMIT 8`,
        platform,
      )
    x = rows('x')
    bsky = rows('bluesky')
    expect(x.length).toBe(8)
    expect(bsky.length).toBe(8)
  }, 120_000)
  afterAll(tmp.cleanup)

  it('applies a CSV of URLs, tweet ids, at:// URIs and #N, refuses the bad rows with their lines and reasons, exit 1; a second run changes nothing', async () => {
    // A spreadsheet's CSV: byte-order mark, CRLF, a quoted note with commas, quotes and a line break.
    const csv =
      '\uFEFFPost,Stance,Note\r\n' +
      `${x[0]!.url},${other(x[0]!)},"she said ""no"", twice"\r\n` +
      `${x[1]!.platformId},${other(x[1]!)},"two\r\nlines"\r\n` +
      `${bsky[0]!.platformId},${other(bsky[0]!)},plain\r\n` +
      `${bsky[1]!.url},${other(bsky[1]!)},web URL\r\n` +
      `#${x[2]!.id},${other(x[2]!)},\r\n` +
      `#${x[3]!.id},FAVOR,unknown label\r\n` +
      `https://x.com/nobody/status/1,concern,no such post\r\n` +
      `#${x[4]!.id},concern\r\n` + // two fields: malformed
      `#${x[5]!.id},clear,no person's label to clear\r\n`
    const f = file('first.csv', csv)
    const r = await bin([...base, 'label', '--file', f])
    expect(r.code, r.stderr).toBe(1)
    expect(r.stdout).toContain('5 applied, 1 unchanged, 3 refused')
    expect(r.stdout).toMatch(/first\.csv:8: refused \(unknown-label\): "FAVOR" is not a stance of topic "china-ai-fund"; use one of: concern, praise, neutral/)
    expect(r.stdout).toMatch(/first\.csv:9: refused \(no-such-post\): no stored post matches "https:\/\/x.com\/nobody\/status\/1"/)
    expect(r.stdout).toMatch(/first\.csv:10: refused \(malformed\): malformed line: 2 fields where the header has 3/)
    expect(r.stderr).toContain('3 of 9 rows refused')
    for (const p of [x[0]!, x[1]!, bsky[0]!, bsky[1]!, x[2]!]) expect(stateOf(p.id)).toMatchObject({ label: other(p), source: 'human' })
    expect(stateOf(x[3]!.id)).toMatchObject({ label: x[3]!.label, source: 'model' })
    expect(read<{ author: string }>('SELECT DISTINCT author FROM labels WHERE post_id IS NOT NULL')).toEqual([{ author: 'tester' }])

    const again = await bin([...base, 'label', '--file', f, '--json'])
    expect(again.code).toBe(1)
    const report = JSON.parse(again.stdout)
    expect(report).toMatchObject({ applied: 0, unchanged: 6, refused: 3, batch: null })
    expect(report.rows.map((x: any) => [x.line, x.status, x.reason ?? null])).toEqual([
      [2, 'unchanged', null],
      [3, 'unchanged', null],
      [5, 'unchanged', null],
      [6, 'unchanged', null],
      [7, 'unchanged', null],
      [8, 'refused', 'unknown-label'],
      [9, 'refused', 'no-such-post'],
      [10, 'refused', 'malformed'],
      [11, 'unchanged', null],
    ])

    // Taking the file back: the model's labels return, exactly as they were.
    const undo = await bin([...base, 'label', '--undo'])
    expect(undo.code, undo.stderr).toBe(0)
    expect(undo.stdout).toContain('undid the labels from')
    expect(undo.stdout).toContain('5 posts restored')
    for (const p of [x[0]!, x[1]!, bsky[0]!, bsky[1]!, x[2]!]) expect(stateOf(p.id)).toEqual(p)
    expect(read('SELECT 1 FROM labels WHERE post_id IS NOT NULL')).toEqual([])
  })

  it('reads TSV and JSONL (and JSONL from standard input), all rows applied: exit 0; the topic and by columns are used', async () => {
    const tsv = file('more.tsv', `url\tlabel\ttopic\tby\n${x[5]!.url}\t${other(x[5]!)}\tchina-ai-fund\talice\n"#${x[6]!.id}"\t${other(x[6]!)}\t\t\n`)
    const t = await bin([...base, 'label', '--file', tsv])
    expect(t.code, t.stdout + t.stderr).toBe(0)
    expect(t.stdout).toContain('2 applied, 0 unchanged, 0 refused')
    expect(read('SELECT author FROM labels WHERE post_id = ?', x[5]!.id)).toEqual([{ author: 'alice' }])
    expect(read('SELECT author FROM labels WHERE post_id = ?', x[6]!.id)).toEqual([{ author: 'tester' }])

    const jsonl =
      `{"post": "${bsky[2]!.platformId}", "label": "${other(bsky[2]!)}"}\n` +
      `{"id": ${x[7]!.id}, "stance": "${other(x[7]!)}", "text": "ignored"}\n` + // a number: the post's #N
      '\n' +
      `{"ref": "#${x[6]!.id}", "label": null}\n` // clears the TSV's label
    const j = await bin([...base, 'label', '--file', '-', '--json'], jsonl)
    expect(j.code, j.stderr).toBe(0)
    expect(JSON.parse(j.stdout)).toMatchObject({ file: 'stdin', applied: 3, unchanged: 0, refused: 0 })
    expect(stateOf(bsky[2]!.id)).toMatchObject({ label: other(bsky[2]!), source: 'human' })
    expect(stateOf(x[7]!.id)).toMatchObject({ label: other(x[7]!), source: 'human' })
    expect(stateOf(x[6]!.id)).toEqual(x[6]!)

    // Undo walks back one batch at a time: the JSONL (x6 labelled again by the TSV's label), then the TSV.
    const u1 = JSON.parse((await bin([...base, 'label', '--undo', '--json'])).stdout)
    expect(u1.batch).toMatchObject({ kind: 'file', file: 'stdin', by: 'tester' })
    expect(u1.restored).toHaveLength(3)
    expect(stateOf(x[6]!.id)).toMatchObject({ label: other(x[6]!), source: 'human' })
    expect(read('SELECT author FROM labels WHERE post_id = ?', x[6]!.id)).toEqual([{ author: 'tester' }])
    expect(stateOf(bsky[2]!.id)).toEqual(bsky[2]!)
    const u2 = JSON.parse((await bin([...base, 'label', '--undo', '--json'])).stdout)
    expect(u2.batch).toMatchObject({ kind: 'file', file: tsv })
    expect(stateOf(x[5]!.id)).toEqual(x[5]!)
    expect(stateOf(x[6]!.id)).toEqual(x[6]!)
  })

  it('undoes a single label, then a correction of it, and says when there is nothing left; stance and export show the model again', async () => {
    const p = x[0]!
    const stanceCount = async () => {
      const r = await bin([...base, 'stance', '--from', '2025-07-01', '--to', '2025-08-01', '--bucket', 'week', '--json'])
      const totals = JSON.parse(r.stdout).totals.labels as { label: string; count: number; human: number }[]
      return Object.fromEntries(totals.map((l) => [l.label, { count: l.count, human: l.human }]))
    }
    const exported = async () => {
      const out = path.join(tmp.dir, 'export.jsonl')
      expect((await bin([...base, 'export', '--format', 'jsonl', '-o', out])).code).toBe(0)
      return readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { url: string; stance: { label: string; source: string } })
        .find((e) => e.url === p.url)!.stance
    }
    const before = await stanceCount()
    expect(await exported()).toMatchObject({ label: p.label, source: 'model' })

    expect((await bin([...base, 'label', p.url, 'neutral'])).code).toBe(0)
    const same = await bin([...base, 'label', p.url, 'neutral'])
    expect(same.stdout).toContain('unchanged')
    expect((await bin([...base, 'label', `#${p.id}`, 'praise', '--by', 'bob'])).code).toBe(0)
    expect(await exported()).toMatchObject({ label: 'praise', source: 'human' })

    const u1 = await bin([...base, 'label', '--undo'])
    expect(u1.stdout).toContain(`#${p.id} (china-ai-fund): praise → neutral, by tester`)
    expect(stateOf(p.id)).toMatchObject({ label: 'neutral', source: 'human' })
    const u2 = await bin([...base, 'label', '--undo'])
    expect(u2.stdout).toContain(`neutral → the model's label (${p.label})`)
    expect(stateOf(p.id)).toEqual(p)
    expect(await exported()).toMatchObject({ label: p.label, source: 'model' })
    expect(await stanceCount()).toEqual(before)

    // Older batches were undone by the tests before: nothing is left.
    const none = await bin([...base, 'label', '--undo'])
    expect(none).toMatchObject({ code: 0, stdout: 'nothing to undo: no label change is left to take back\n' })
    expect(JSON.parse((await bin([...base, 'label', '--undo', '--json'])).stdout)).toEqual({ batch: null, restored: [], skipped: [] })
  })

  it('refuses a file it cannot read as a table with exit 2, and unclear command lines as usage errors', async () => {
    const noPost = await bin([...base, 'label', '--file', file('bad.csv', 'text,label\nhello,concern\n')])
    expect(noPost.code).toBe(2)
    expect(noPost.stderr).toContain('no post column in the header row')
    expect(noPost.stderr).toContain('post, ref, url, id')
    const missing = await bin([...base, 'label', '--file', path.join(tmp.dir, 'nope.csv')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain('it does not exist')
    expect((await bin([...base, 'label', '--undo', '#1'])).code).toBe(2)
    expect((await bin([...base, 'label', '#1', 'concern', '--file', 'x.csv'])).code).toBe(2)
    const help = await bin(['label', '--help'])
    expect(help.stdout).toContain('label --file reviewed.csv')
    expect(help.stdout).toContain('label --undo')
  })
})
