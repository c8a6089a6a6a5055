import { execFile } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readEnv } from '../../src/config/env.js'
import { createContext, closeContext } from '../../src/context.js'
import { ingest } from '../../src/jobs/ingest.js'
import { silentLogger } from '../../src/logger.js'
import { topicCounts } from '../../src/store/status.js'
import { BIN } from '../compiled.js'
import { CONFIG, ROOT, tempDir } from '../helpers.js'
import { makePost } from '../post.js'
import { startArticleSite, type ArticleSite } from '../servers/articles.js'
import { startXServer } from '../servers/x-api.js'
import { makeXDataset } from '../servers/x-data.js'

const exec = promisify(execFile)

let site: ArticleSite
let tmp: { dir: string; cleanup: () => void }
let config: string
let db: string

/** The compiled command, as a person runs it, in the temporary folder (no .env, no credentials). */
async function sw(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return swEnv({}, ...args)
}

async function swEnv(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await exec('node', [BIN, '--config', config, '--db', db, ...args], { cwd: tmp.dir, env: { PATH: process.env.PATH, ...env } })
    return { code: 0, stdout, stderr }
  } catch (e) {
    const { code, stdout, stderr } = e as { code: number; stdout: string; stderr: string }
    return { code, stdout, stderr }
  }
}

beforeAll(async () => {
  site = await startArticleSite()
  tmp = tempDir('stancewatch-topic-')
  // The shipped, commented config in a folder of its own, with its seed file beside it.
  mkdirSync(path.join(tmp.dir, 'config/seeds'), { recursive: true })
  config = path.join(tmp.dir, 'config/stancewatch.yaml')
  copyFileSync(CONFIG, config)
  copyFileSync(path.join(ROOT, 'config/seeds/china-ai-fund.jsonl'), path.join(tmp.dir, 'config/seeds/china-ai-fund.jsonl'))
  db = path.join(tmp.dir, 'db.sqlite')
})
afterAll(async () => {
  await site.close()
  tmp.cleanup()
})

describe('stancewatch topic', () => {
  it('add without --yes and without a terminal shows the proposal and the estimate, and writes nothing', async () => {
    const before = readFileSync(config, 'utf8')
    const r = await sw('topic', 'add', `${site.url}/share/china-ai`)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Proposed topic "china-bets-billions-start"')
    expect(r.stdout).toMatch(/rule china-bets-billions-start-names-en \[en\]: any DeepSeek, H20/)
    expect(r.stdout).toContain('NEEDS REVIEW')
    expect(r.stdout).toMatch(/X: \d+ recent-search quer(y|ies); reads and cost unknown/)
    expect(r.stdout).toContain('X_BEARER_TOKEN is not set')
    expect(r.stdout).toMatch(/Bluesky: \d+ searchPosts queries/)
    expect(r.stdout).toContain('Not added')
    expect(readFileSync(config, 'utf8')).toBe(before)
  })

  it('add --yes --json: one JSON document; the topic is written with every comment kept and passes config check', async () => {
    const before = readFileSync(config, 'utf8')
    const r = await sw(
      'topic',
      'add',
      `${site.url}/2025/07/16/technology/china-ai.html`,
      '--id',
      'ai-fund-2',
      '--labels',
      'concern:Worries;praise:Welcomes',
      '--yes',
      '--json',
    )
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as {
      written: boolean
      proposal: { topic: { id: string } }
      estimate: { x: { estimatedReads: null } }
      article: { headline: string }
    }
    expect(out).toMatchObject({ written: true, proposal: { topic: { id: 'ai-fund-2' } }, estimate: { x: { estimatedReads: null } } })
    expect(out.article.headline).toContain('China Bets Billions')
    const after = readFileSync(config, 'utf8')
    const comments = (t: string) => t.split('\n').filter((l) => l.trimStart().startsWith('#'))
    expect(comments(after).filter((l) => !l.includes('Proposed by'))).toEqual(comments(before))
    expect(existsSync(path.join(tmp.dir, 'config/seeds/ai-fund-2.jsonl'))).toBe(true)
    expect((await sw('config', 'check')).code).toBe(0)
    const list = JSON.parse((await sw('topic', 'list', '--json')).stdout) as { topics: { id: string; labels: string[] }[] }
    expect(list.topics.map((t) => [t.id, t.labels])).toEqual([
      ['china-ai-fund', ['concern', 'praise', 'neutral']],
      ['ai-fund-2', ['concern', 'praise']],
    ])
    const show = JSON.parse((await sw('topic', 'show', 'ai-fund-2', '--json')).stdout) as { topic: { articles: string[] } }
    expect(show.topic.articles).toEqual([`${site.url}/2025/07/16/technology/china-ai.html`])
  })

  it('with X credentials the estimate comes from the counts endpoint (the loopback X server), reading no post', async () => {
    const bearer = 'test-bearer-topic-add-AAAAAAAAAAAAAAAAAAAAAAA'
    const x = await startXServer({ ...makeXDataset({ seed: 3, count: 40, now: Date.now() }), bearer })
    try {
      const r = await swEnv({ X_BEARER_TOKEN: bearer, X_API_BASE_URL: x.url }, 'topic', 'add', `${site.url}/2025/07/16/technology/china-ai.html`, '--json')
      expect(r.code).toBe(0)
      const out = JSON.parse(r.stdout) as {
        written: boolean
        estimate: { x: { estimatedReads: number | null; estimatedCostUsd: number | null; queries: string[] } }
      }
      expect(out.written).toBe(false)
      expect(typeof out.estimate.x.estimatedReads).toBe('number')
      expect(out.estimate.x.estimatedCostUsd).toBeCloseTo(out.estimate.x.estimatedReads! * 0.005)
      expect(x.requests.map((q) => q.path)).toEqual(out.estimate.x.queries.map(() => '/2/tweets/counts/recent'))
    } finally {
      await x.close()
    }
  })

  it('clear errors: a taken id or a non-HTML answer exit 2; a timeout or too many redirects exit 1; nothing is written', async () => {
    const before = readFileSync(config, 'utf8')
    const taken = await sw('topic', 'add', `${site.url}/2025/07/16/technology/china-ai.html`, '--id', 'china-ai-fund', '--yes')
    expect([taken.code, taken.stderr]).toEqual([2, expect.stringContaining('a topic "china-ai-fund" already exists')])
    const pdf = await sw('topic', 'add', `${site.url}/report.pdf`, '--yes', '--json')
    expect(pdf.code).toBe(2)
    expect(JSON.parse(pdf.stdout)).toMatchObject({ error: { message: expect.stringContaining('is not an HTML page') } })
    const hang = await sw('topic', 'add', `${site.url}/hang`, '--timeout', '0.3', '--yes')
    expect([hang.code, hang.stderr]).toEqual([1, expect.stringContaining('(timeout)')])
    const hops = await sw('topic', 'add', `${site.url}/hop/9`, '--yes')
    expect([hops.code, hops.stderr]).toEqual([1, expect.stringContaining('more than 5 redirects')])
    const ftp = await sw('topic', 'add', 'ftp://127.0.0.1/a.html', '--yes')
    expect([ftp.code, ftp.stderr]).toEqual([2, expect.stringContaining('not an http(s) address')])
    expect(readFileSync(config, 'utf8')).toBe(before)
  })

  it('a change that fails the config check is undone (exit 2), its seed file too', async () => {
    const broken = path.join(tmp.dir, 'config/replay-only.yaml')
    writeFileSync(broken, readFileSync(config, 'utf8').replace('enabled: [jetstream, x, bluesky]', 'enabled: [replay]'))
    const before = readFileSync(broken, 'utf8')
    const r = await sw('--config', broken, 'topic', 'add', `${site.url}/fr/2025/07/16/chine-ia.html`, '--id', 'chine-ia', '--yes')
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('replay is enabled but sources.replay_files lists no archive')
    expect(r.stderr).toContain('the file was restored')
    expect(readFileSync(broken, 'utf8')).toBe(before)
    expect(existsSync(path.join(tmp.dir, 'config/seeds/chine-ia.jsonl'))).toBe(false)
  })

  it('remove takes the topic out of the config (comments kept) and keeps its stored posts', async () => {
    const ctx = createContext({ env: readEnv({}), log: silentLogger, configPath: config, dbPath: db })
    try {
      const posts = [1, 2, 3].map((i) => makePost({ platformId: `19456000000000000${i}0`, text: `Moonshot AI and DeepSeek open-weight models, take ${i}` }))
      ingest(ctx, [{ kind: 'x-search', posts, edits: [], deletions: [], skipped: [], ignored: 0, streamTimeUs: null } as never], {
        source: 'replay',
        query: 'test',
      })
      expect(topicCounts(ctx.db, 'ai-fund-2').posts).toBe(3)
    } finally {
      closeContext(ctx)
    }
    const without = readFileSync(config, 'utf8')
    const refused = await sw('topic', 'remove', 'ai-fund-2')
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringContaining('add --yes')])
    const r = await sw('topic', 'remove', 'ai-fund-2', '--yes', '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ removed: 'ai-fund-2', file: config, postsKept: 3 })
    expect(readFileSync(config, 'utf8')).toBe(readFileSync(CONFIG, 'utf8'))
    expect(without).not.toBe(readFileSync(config, 'utf8'))
    const human = await sw('topic', 'list')
    expect(human.stdout).toContain('china-ai-fund')
    expect(human.stdout).not.toContain('ai-fund-2')
    const again = createContext({ env: readEnv({}), log: silentLogger, configPath: config, dbPath: db })
    try {
      expect(topicCounts(again.db, 'ai-fund-2').posts).toBe(3)
    } finally {
      closeContext(again)
    }
    const last = await sw('topic', 'remove', 'china-ai-fund', '--yes')
    expect([last.code, last.stderr]).toEqual([2, expect.stringContaining('the only topic')])
  })
})
