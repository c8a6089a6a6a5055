import { copyFileSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Io } from '../../src/cli/io.js'
import { runCli } from '../../src/cli/run.js'
import { CONFIG, ROOT, tempDir } from '../helpers.js'
import { startArticleSite, type ArticleSite } from '../servers/articles.js'

let site: ArticleSite
let tmp: { dir: string; cleanup: () => void }
let config: string

beforeAll(async () => {
  site = await startArticleSite()
  tmp = tempDir('stancewatch-topic-ask-')
  mkdirSync(path.join(tmp.dir, 'seeds'))
  config = path.join(tmp.dir, 'stancewatch.yaml')
  copyFileSync(CONFIG, config)
  copyFileSync(path.join(ROOT, 'config/seeds/china-ai-fund.jsonl'), path.join(tmp.dir, 'seeds/china-ai-fund.jsonl'))
})
afterAll(async () => {
  await site.close()
  tmp.cleanup()
})

/** The command in-process with a person at a terminal answering `answer`; returns what was asked and printed. */
async function withAnswer(answer: string | null, ...args: string[]) {
  const asked: string[] = []
  let stdout = ''
  const io: Io = {
    stdout: (s) => void (stdout += s),
    stderr: () => {},
    stdoutIsTTY: true,
    stderrIsTTY: false,
    env: {},
    cwd: tmp.dir,
    ask: (q) => {
      asked.push(q)
      return Promise.resolve(answer)
    },
  }
  const code = await runCli(['--config', config, '--db', path.join(tmp.dir, 'db.sqlite'), ...args], io)
  return { code, asked, stdout }
}

describe('topic add and remove at a terminal', () => {
  it('asks y/N: no answer or "n" writes nothing, "y" adds the topic; remove asks too', async () => {
    const before = readFileSync(config, 'utf8')
    const url = `${site.url}/2025/07/16/technology/china-ai.html`
    for (const answer of [null, '', 'n']) {
      const r = await withAnswer(answer, 'topic', 'add', url, '--id', 'asked')
      expect(r.code).toBe(0)
      expect(r.asked).toEqual([`Add topic "asked" to ${config}? [y/N] `])
      expect(r.stdout).toContain('Not added.')
      expect(readFileSync(config, 'utf8')).toBe(before)
    }
    const yes = await withAnswer('y', 'topic', 'add', url, '--id', 'asked')
    expect(yes.stdout).toContain('Added topic "asked"')
    expect(readFileSync(config, 'utf8')).toContain('- id: asked')
    const keep = await withAnswer('no', 'topic', 'remove', 'asked')
    expect(keep.asked[0]).toContain('Its stored posts stay in the database')
    expect(readFileSync(config, 'utf8')).toContain('- id: asked')
    const gone = await withAnswer('yes', 'topic', 'remove', 'asked')
    expect(gone.stdout).toContain('Removed topic "asked"')
    expect(readFileSync(config, 'utf8')).toBe(before)
  })
})
