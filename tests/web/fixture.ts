/**
 * A dashboard over a real database: the bundled sample through the demo's pipeline (replay, classify,
 * alerts, a digest), plus a page of hostile X posts that reply to one another, served on a free loopback
 * port by the same code as `stancewatch serve`.
 */
import path from 'node:path'
import type { AppContext } from '../../src/context.js'
import { classify } from '../../src/jobs/classify.js'
import { runDemo } from '../../src/jobs/demo.js'
import { ingest } from '../../src/jobs/ingest.js'
import { normalizePayload } from '../../src/normalize/index.js'
import { startDashboard, type Dashboard } from '../../src/web/server.js'
import { tempDir, testContext, writeTestConfig } from '../helpers.js'

const ARTICLE = 'https://www.nytimes.com/2025/07/16/technology/china-ai.html'
export const HOSTILE = [
  '<script>window.__pwned = 1</script> China AI fund',
  '<img src=x onerror="window.__pwned = 2"> the $8.5bn AI fund',
  '[click here](javascript:window.__pwned=3) China AI fund',
  'invoice\u202Efdp.exe China AI fund',
  '"><svg onload=window.__pwned=4> China AI fund',
]
export const HOSTILE_ID = (i: number) => String(1945900000000000000n + BigInt(i))

/** An X page of hostile posts linking the article; each after the first replies to the first. */
function hostilePage(): unknown {
  const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  return {
    data: HOSTILE.map((text, i) => ({
      id: HOSTILE_ID(i),
      text: `${escape(text)} https://t.co/h${i}`,
      author_id: String(900 + i),
      created_at: `2025-07-20T1${i}:00:00.000Z`,
      lang: 'en',
      public_metrics: { like_count: 5000 - i, retweet_count: 5, reply_count: 1, quote_count: 0 },
      entities: { urls: [{ start: 0, end: 1, url: `https://t.co/h${i}`, expanded_url: ARTICLE, unwound_url: ARTICLE }] },
      ...(i > 0 ? { referenced_tweets: [{ type: 'replied_to', id: HOSTILE_ID(0) }] } : {}),
    })),
    includes: {
      users: HOSTILE.map((_, i) => ({ id: String(900 + i), username: `hostile_${i}`, name: `<b>Name ${i}</b>`, public_metrics: { followers_count: 10 } })),
    },
    meta: { result_count: HOSTILE.length },
  }
}

export interface Fixture {
  ctx: AppContext
  dashboard: Dashboard
  url: string
  dir: string
  close: () => Promise<void>
}

export async function dashboardFixture(o: { token?: string | null } = {}): Promise<Fixture> {
  const tmp = tempDir('stancewatch-web-')
  const configPath = writeTestConfig(tmp.dir)
  const ctx = testContext({ configPath, dbPath: path.join(tmp.dir, 'dashboard.sqlite') })
  await runDemo(ctx, { outDir: path.join(tmp.dir, 'digests') })
  ingest(ctx, [normalizePayload(hostilePage())!], { source: 'replay', query: 'hostile' })
  await classify(ctx)
  const dashboard = await startDashboard(ctx, { host: '127.0.0.1', port: 0, token: o.token ?? null })
  return {
    ctx,
    dashboard,
    url: dashboard.url,
    dir: tmp.dir,
    close: async () => {
      await dashboard.close()
      ctx.db.close()
      tmp.cleanup()
    },
  }
}

/** The CSRF token a page of the dashboard carries. */
export async function csrfOf(url: string): Promise<string> {
  const page = await (await fetch(`${url}/posts`)).text()
  const m = /<meta name="csrf-token" content="([^"]+)"/.exec(page)
  if (!m) throw new Error('no CSRF token in the page')
  return m[1]!
}

/** A POST as the dashboard's own pages send it (same origin, CSRF token), unless `headers` say otherwise. */
export function postJson(url: string, route: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  return fetch(`${url}${route}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Origin: url, 'Sec-Fetch-Site': 'same-origin', ...headers },
    body: JSON.stringify(body),
  })
}
