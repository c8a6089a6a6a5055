import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cli, tempDir, writeTestConfig } from '../helpers.js'
import { startWebhookReceiver, type WebhookReceiver } from '../servers/webhook-receiver.js'

describe('stancewatch notify test', () => {
  let t: { dir: string; cleanup: () => void }
  let rx: WebhookReceiver
  let config: string
  let db: string
  beforeEach(async () => {
    t = tempDir()
    rx = await startWebhookReceiver()
    db = path.join(t.dir, 'sw.sqlite')
    config = writeTestConfig(t.dir, (c) => {
      c.notify = {
        public_url: 'https://example.org/digests',
        retry: { attempts: 2, backoff_seconds: 0.01 },
        channels: [
          { id: 'log', type: 'log' },
          { id: 'hook', type: 'webhook', url_env: 'HOOK_URL', send: ['digest'] },
          { id: 'team-slack', type: 'slack' },
        ],
      }
    })
  })
  afterEach(async () => {
    await rx.close()
    t.cleanup()
  })

  it('sends a test message through every channel and prints each result', async () => {
    const r = await cli(['--config', config, '--db', db, 'notify', 'test'], { HOOK_URL: `${rx.url}/hook/test-token-abcdef123456` })
    expect(r.code).toBe(0)
    const lines = r.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^channel\s+type\s+result\s+tries\s+detail$/)
    expect(lines.find((l) => l.startsWith('log '))).toMatch(/^log\s+log\s+sent\s+1$/)
    expect(lines.find((l) => l.startsWith('hook '))).toMatch(/^hook\s+webhook\s+sent\s+1$/)
    expect(lines.find((l) => l.startsWith('team-slack '))).toMatch(/^team-slack\s+slack\s+skipped\s+0\s+not configured: SLACK_WEBHOOK_URL is not set$/)
    // A digest-only channel gets the test as a digest; the public link is included.
    expect(rx.requests).toHaveLength(1)
    expect(rx.requests[0]!.json).toMatchObject({
      kind: 'digest',
      title: 'stancewatch: test message',
      link: 'https://example.org/digests',
      data: { test: true },
    })
    expect(r.stderr).not.toContain('test-token-abcdef123456')
  })

  it('--channel picks channels, --json prints one document, and a failing receiver is reported', async () => {
    rx.setDefault({ status: 500, body: 'down' })
    const r = await cli(['--config', config, '--db', db, 'notify', 'test', '--channel', 'hook', '--json'], {
      HOOK_URL: `${rx.url}/hook/test-token-abcdef123456`,
    })
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout) as { results: { channel: string; status: string; attempts: number; error?: string }[] }
    expect(doc.results).toEqual([
      { channel: 'hook', key: expect.stringMatching(/^test:/), status: 'failed', attempts: 2, error: 'webhook hook answered HTTP 500: down' },
    ])
    expect(rx.requests).toHaveLength(2)
  })

  it('an unknown --channel is a usage error (exit 2) naming the configured ones', async () => {
    const r = await cli(['--config', config, '--db', db, 'notify', 'test', '--channel', 'nope'])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain('--channel nope: no such channel')
    expect(r.stderr).toContain('configured: log, hook, team-slack')
  })

  it('--help shows examples', async () => {
    const r = await cli(['notify', 'test', '--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('Examples:')
    expect(r.stdout).toContain('stancewatch notify test --channel team-slack')
  })
})

describe('notify in the configuration', () => {
  let t: { dir: string; cleanup: () => void }
  beforeEach(() => {
    t = tempDir()
  })
  afterEach(() => t.cleanup())

  it('config check says which channels are not configured, and never prints a secret', async () => {
    const config = writeTestConfig(t.dir, (c) => {
      c.notify = {
        channels: [
          { id: 'log', type: 'log' },
          { id: 'team-slack', type: 'slack' },
          { id: 'hook', type: 'webhook', url_env: 'HOOK_URL' },
        ],
      }
    })
    const r = await cli(['--config', config, 'config', 'check'], { HOOK_URL: 'https://hooks.example.org/very-secret-token-123456' })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('notify: log (log) ok; team-slack (slack) not configured: SLACK_WEBHOOK_URL is not set; hook (webhook) ok')
    expect(r.stdout + r.stderr).not.toContain('very-secret-token-123456')
    const json = await cli(['--config', config, 'config', 'check', '--json'])
    const doc = JSON.parse(json.stdout) as { notify: { id: string; configured: boolean; problem: string | null }[] }
    expect(doc.notify.map((c) => [c.id, c.configured, c.problem])).toEqual([
      ['log', true, null],
      ['team-slack', false, 'not configured: SLACK_WEBHOOK_URL is not set'],
      ['hook', false, 'not configured: HOOK_URL is not set'],
    ])
  })

  it('duplicate channel ids, an unknown type and a dm without recipient are reported with key and fix (exit 2)', async () => {
    const dup = writeTestConfig(t.dir, (c) => {
      c.notify = {
        channels: [
          { id: 'a', type: 'log' },
          { id: 'a', type: 'slack' },
          { id: 'b', type: 'bluesky', mode: 'dm' },
        ],
      }
    })
    const r = await cli(['--config', dup, 'config', 'check'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/notify\.channels\[1\]\.id: channel id "a" is used twice\. Fix: give every channel its own id/)
    expect(r.stderr).toMatch(/notify\.channels\[2\]\.dm_to: mode dm needs the recipient\. Fix: add `dm_to: handle\.bsky\.social`/)
    const bad = writeTestConfig(
      t.dir,
      (c) => {
        c.notify = {
          channels: [
            { id: 'x', type: 'pager' },
            { id: 'y', type: 'webhook', url: 'https://hooks.example.org/secret' },
          ],
        }
      },
      'bad.yaml',
    )
    const r2 = await cli(['--config', bad, 'config', 'check'])
    expect(r2.code).toBe(2)
    expect(r2.stderr).toContain('notify.channels[0].type: is not a known channel type (use one of: log, webhook, slack, discord, email, bluesky)')
    expect(r2.stderr).toContain('notify.channels[1].url: unknown key `url`')
  })
})
