import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'csv-parse/sync'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { closeContext } from '../../src/context.js'
import type { CSV_COLUMNS } from '../../src/export/records.js'
import { setHumanLabel } from '../../src/store/labels.js'
import { startChatServer, type ChatServer } from '../servers/chat-completions.js'
import { cli, tempDir } from '../helpers.js'
import { assistantConfig, assistantContext, KEY, postByText, storePosts, TEXTS, TOPIC } from './setup.js'

describe('stancewatch assist', () => {
  const tmp = tempDir()
  const db = path.join(tmp.dir, 'sw.sqlite')
  let server: ChatServer
  let config: string
  let env: NodeJS.ProcessEnv
  const run = (args: string[], e = env, cfg = config) => cli(['--config', cfg, '--db', db, ...args], e, tmp.dir)

  beforeAll(async () => {
    server = await startChatServer({ apiKey: KEY })
    env = { LLM_BASE_URL: server.url, LLM_API_KEY: KEY }
    config = assistantConfig(tmp.dir)
    const ctx = assistantContext(config, {}, db)
    storePosts(ctx, TEXTS)
    closeContext(ctx)
  })
  afterEach(() => {
    server.requests.length = 0
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })

  it('sends nothing for a topic that does not enable it (exit 2), nor without LLM_BASE_URL', async () => {
    const off = await run(['assist', '--topic', TOPIC], env, assistantConfig(tmp.dir, { enabled: false }, 'off.yaml'))
    expect(off.code).toBe(2)
    expect(off.stderr).toContain('topics[0].assistant.enabled')
    const noUrl = await run(['assist', '--topic', TOPIC], { LLM_API_KEY: KEY })
    expect(noUrl.code).toBe(2)
    expect(noUrl.stderr).toContain('LLM_BASE_URL')
    expect(server.requests).toHaveLength(0)
    // `config check` says so beforehand, as a warning.
    const check = await cli(['--config', config, 'config', 'check'], { LLM_API_KEY: KEY }, tmp.dir)
    expect(check.code).toBe(0)
    expect(check.stdout).toContain('warning: topic china-ai-fund enables the assistant but LLM_BASE_URL is not set')
  })

  it('a dry run shows what would be sent and sends nothing', async () => {
    const r = await run(['assist', '--topic', TOPIC, '--dry-run'])
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/dry run: 8 posts picked, 0 answered from the cache, 8 would be sent \(~\d+ input \+ 1600 output tokens/)
    expect(server.requests).toHaveLength(0)
  })

  it('a wrong key stops the pass after one request (exit 1), and the key is never logged', async () => {
    const r = await run(['--log-level', 'debug', 'assist', '--topic', TOPIC], { ...env, LLM_API_KEY: 'sk-wrong-but-secret-77' })
    expect(r.code).toBe(1)
    expect(r.stdout).toContain('stopped: the server refused the key (LLM_API_KEY)')
    expect(server.requests).toHaveLength(1)
    expect(`${r.stdout}${r.stderr}`).not.toContain('sk-wrong-but-secret-77')
  })

  it('labels the sample, prints the report, and the agreement once people label the same posts', async () => {
    const r = await run(['--log-level', 'debug', 'assist', '--topic', TOPIC, '--limit', '5', '--json'])
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report).toMatchObject({ topic: TOPIC, model: 'test-model', sample: 5, sent: 5, cached: 0, stoppedBy: null })
    expect(server.requests.every((q) => q.authorization === `Bearer ${KEY}`)).toBe(true)
    expect(r.stderr).toContain('assistant pass finished')
    expect(r.stderr).not.toContain(KEY)

    const text = await run(['assist', '--topic', TOPIC])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(
      /^china-ai-fund \(test-model\): 3 posts picked, 3 sent, 0 from the cache\n {2}labelled: concern \d, praise \d, neutral \d; unsure \d\n {2}malformed 0, refused 0, failed 0\n {2}tokens \d+ in \/ \d+ out, cost \$0\.0000; budget left \d+ tokens, \$1\.0000\n/,
    )
    expect(text.stdout).toContain('agreement with people: no post labelled by both yet')

    const ctx = assistantContext(config, {}, db)
    setHumanLabel(ctx.db, postByText(ctx, TEXTS[1]!), TOPIC, 'concern', 'alice', 1)
    setHumanLabel(ctx.db, postByText(ctx, TEXTS[2]!), TOPIC, 'concern', 'alice', 1)
    closeContext(ctx)
    const a = await run(['assist', 'agreement', '--topic', TOPIC, '--json'])
    expect(a.code).toBe(0)
    expect(JSON.parse(a.stdout)).toMatchObject({ topic: TOPIC, stored: { concern: 3, praise: 2, neutral: 2 }, unsure: 1, agreement: { n: 2, percent: 50 } })
    const human = await run(['assist', 'agreement', '--topic', TOPIC])
    expect(human.stdout).toContain("agreement with people on 2 posts: 50.0%, Cohen's kappa 0.000")

    // The export shows the assistant's label as such, beside the post's stance (a person's here).
    const exported = await run(['export', '--format', 'jsonl', '--from', '2025-07-01', '--to', '2025-07-31'])
    expect(exported.code).toBe(0)
    const records = exported.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    const byText = (t: string) => records.find((x) => x.text === t)
    expect(byText(TEXTS[2]!)).toMatchObject({
      stance: { label: 'concern', source: 'human' },
      assistant_label: { label: 'praise', confidence: 0.8, model: 'test-model' },
    })
    expect(byText('Hmm').assistant_label).toEqual({ label: null, confidence: null, model: 'test-model' })
    expect(records.filter((x) => x.assistant_label)).toHaveLength(TEXTS.length)
    // The CSV too, in columns of their own after the post's stance; empty where the assistant was not asked or was unsure.
    const csv = await run(['export', '--format', 'csv', '--from', '2025-07-01', '--to', '2025-07-31'])
    expect(csv.code).toBe(0)
    const rows: string[][] = parse(csv.stdout, { bom: true })
    const col = (name: (typeof CSV_COLUMNS)[number]) => rows[0]!.indexOf(name)
    const csvRow = (t: string) => rows.find((r) => r[col('text')] === t)!
    expect([col('assistant_label'), col('assistant_confidence'), col('assistant_model')].map((c) => csvRow(TEXTS[2]!)[c])).toEqual([
      'praise',
      '0.8',
      'test-model',
    ])
    expect(csvRow(TEXTS[2]!)[col('stance_label')]).toBe('concern')
    expect([col('assistant_label'), col('assistant_model')].map((c) => csvRow('Hmm')[c])).toEqual(['', 'test-model'])

    // Nowhere in the database either (its -wal included).
    for (const f of readdirSync(tmp.dir).filter((n) => n.startsWith('sw.sqlite'))) expect(readFileSync(path.join(tmp.dir, f)).includes(KEY)).toBe(false)
  })
})
