import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { closeContext } from '../../src/context.js'
import { startChatServer, type ChatServer } from '../servers/chat-completions.js'
import { cli, tempDir, testContext, writeTestConfig } from '../helpers.js'
import { KEY, TOPIC } from './setup.js'

/** The scripted translator: every term prefixed with its language, in the shape the prompt asks for. */
function translator(system: string, user: string): string | null {
  if (!system.startsWith('You translate')) return null
  const langs = [...(/For each language asked \(([^)]*)\)/.exec(system)?.[1] ?? '').matchAll(/\b(en|zh|fr|ja):/g)].map((m) => m[1]!)
  const terms = JSON.parse(user) as { any: string[]; with?: string[] }
  const to = (l: string, xs: string[]) => xs.map((t) => `${l}:${t}`)
  return JSON.stringify(Object.fromEntries(langs.map((l) => [l, { any: to(l, terms.any), ...(terms.with ? { with: to(l, terms.with) } : {}) }])))
}

describe('stancewatch assist translate', () => {
  const tmp = tempDir()
  const db = path.join(tmp.dir, 'sw.sqlite')
  let server: ChatServer
  const config = (assistant: Record<string, unknown>, name: string) =>
    writeTestConfig(
      tmp.dir,
      (c) => {
        c.topics[0].assistant = assistant
        c.topics[0].keywords = [
          { id: 'fund-en', lang: 'en', any: ['state AI fund', 'Big Fund'], with: ['China'] },
          { id: 'chips-en', lang: 'en', any: ['H20'] },
          { id: 'chips-fr', lang: 'fr', any: ['puces H20'] },
        ]
      },
      name,
    )
  const run = (args: string[], cfg: string, env: NodeJS.ProcessEnv = { LLM_BASE_URL: server.url, LLM_API_KEY: KEY }) =>
    cli(['--config', cfg, '--db', db, 'assist', 'translate', '--topic', TOPIC, ...args], env, tmp.dir)

  beforeAll(async () => {
    server = await startChatServer({ apiKey: KEY, content: translator })
    closeContext(testContext({ dbPath: db }))
  })
  afterEach(() => {
    server.requests.length = 0
  })
  afterAll(async () => {
    await server.close()
    tmp.cleanup()
  })

  it('sends nothing unless the topic enables the assistant', async () => {
    const r = await run(['--to', 'fr,ja'], config({ enabled: false }, 'off.yaml'))
    expect(r.code).toBe(2)
    expect(server.requests).toHaveLength(0)
  })

  it('refuses a language keyword rules cannot have', async () => {
    const r = await run(['--to', 'fr,de'], config({ enabled: true, model: 'm' }, 'de.yaml'))
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('en, zh, fr, ja')
  })

  it('prints the proposed rules as YAML, skipping translations that exist, and answers again from the cache', async () => {
    const cfg = config({ enabled: true, model: 'm' }, 'on.yaml')
    const r = await run(['--to', 'fr,ja'], cfg)
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^# china-ai-fund \(m\): 3 keyword rules proposed for fr, ja; 2 sent, 0 from the cache/)
    expect(parseYaml(r.stdout)).toEqual([
      { id: 'fund-fr', lang: 'fr', any: ['fr:state AI fund', 'fr:Big Fund'], with: ['fr:China'] },
      { id: 'fund-ja', lang: 'ja', any: ['ja:state AI fund', 'ja:Big Fund'], with: ['ja:China'] },
      // chips-fr exists: only Japanese for chips-en; then chips-fr has nothing left to ask.
      { id: 'chips-ja', lang: 'ja', any: ['ja:H20'] },
    ])
    expect(server.requests).toHaveLength(2)
    expect(r.stdout).toContain('# left alone: chips-fr')
    server.requests.length = 0
    const again = await run(['--to', 'fr,ja', '--json'], cfg)
    expect(JSON.parse(again.stdout)).toMatchObject({ sent: 0, cached: 2 })
    expect(server.requests).toHaveLength(0)
  })

  it('counts an answer that is not the JSON asked for, and goes on', async () => {
    server.inject({ kind: 'not-json' })
    const r = await run(['--to', 'zh', '--json'], config({ enabled: true, model: 'm' }, 'zh.yaml'))
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    // fund-en's answer is prose: counted; chips-en's is used, and chips-fr then has nothing left to ask.
    expect(report).toMatchObject({ sent: 2, malformed: 1, skipped: ['chips-fr'] })
    expect(report.proposals.map((p: { id: string }) => p.id)).toEqual(['chips-zh'])
  })
})
