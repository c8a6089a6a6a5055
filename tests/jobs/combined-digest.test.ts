import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { readEnv } from '../../src/config/env.js'
import { createContext, type AppContext } from '../../src/context.js'
import { makeCombinedDigest } from '../../src/jobs/combined-digest.js'
import { runJob } from '../../src/jobs/scheduled.js'
import { silentLogger } from '../../src/logger.js'
import { markTopicsCollected } from '../../src/store/topic-coverage.js'
import { tempDir, writeTestConfig } from '../helpers.js'

const NOW = new Date('2025-07-17T14:00:00Z')

describe('the combined digest in the daemon', () => {
  const tmp = tempDir('stancewatch-combined-')
  let ctx: AppContext | undefined
  afterEach(() => ctx?.db.close())

  const context = (combined: boolean, secondId = 'second', name = `c-${Math.random().toString(36).slice(2)}`) => {
    const configPath = writeTestConfig(
      tmp.dir,
      (c) => {
        c.digest = { ...c.digest, out_dir: path.join(tmp.dir, name), combined }
        c.daemon = { digest_catch_up_days: 1 }
        c.topics.push({ id: secondId, name: 'A second topic', keywords: [{ id: 'k', any: ['second topic'] }], stance: c.topics[0].stance })
      },
      `${name}.yaml`,
    )
    ctx = createContext({ env: readEnv({}), log: silentLogger, configPath, dbPath: ':memory:', now: () => NOW })
    markTopicsCollected(ctx.db, ['china-ai-fund', secondId], NOW.getTime() - 3 * 86_400_000)
    return ctx
  }
  const keys = (c: AppContext) =>
    (c.db.prepare("SELECT DISTINCT message_key FROM deliveries WHERE kind = 'digest' ORDER BY 1").pluck().all() as string[]).sort()

  it('with digest.combined on, the digest job also writes and delivers the combined digest of the day', async () => {
    const c = context(true)
    const out = await runJob(c, 'digest')
    expect(out.status, out.reason ?? undefined).toBe('ok')
    const dir = c.config.digest.out_dir
    for (const f of ['china-ai-fund', 'second', 'combined']) expect(existsSync(path.join(dir, f, 'digest-2025-07-16.md')), f).toBe(true)
    const md = readFileSync(path.join(dir, 'combined', 'digest-2025-07-16.md'), 'utf8')
    expect(md).toContain('No post matched two topics on this day.')
    expect(md).toContain('](../second/digest-2025-07-16.md)')
    expect(keys(c)).toEqual(['digest:*combined:2025-07-16', 'digest:china-ai-fund:2025-07-16', 'digest:second:2025-07-16'])
  })

  it('off by default: no combined digest is written or sent', async () => {
    const c = context(false)
    expect((await runJob(c, 'digest')).status).toBe('ok')
    expect(existsSync(path.join(c.config.digest.out_dir, 'combined'))).toBe(false)
    expect(keys(c)).toEqual(['digest:china-ai-fund:2025-07-16', 'digest:second:2025-07-16'])
  })

  it('a topic called "combined" is a config error naming the key and the fix', () => {
    const c = context(true, 'combined')
    expect(() => makeCombinedDigest(c, { date: '2025-07-16' })).toThrow(/topics\[\]\.id.*rename the topic, or set digest\.combined: false/s)
  })
})
