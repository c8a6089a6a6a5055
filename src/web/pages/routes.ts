import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { COMBINED_DIR } from '../../jobs/combined-digest.js'
import { listAlerts, alertWithContext } from '../alerts.js'
import { readFilters, topicOf } from '../filters.js'
import { HttpError, sendHtml } from '../http.js'
import type { WebRequest } from '../request.js'
import { combinedDigestsView, digestsView, healthView, postsView, reviewView, stanceView } from '../views.js'
import { alertsPage } from './alerts.js'
import { combinedFileUrl, digestFileUrl, digestsPage, digestViewPage } from './digests.js'
import { healthPage } from './health.js'
import { layout, type PageName } from './layout.js'
import { postsPage } from './posts.js'
import { reviewPage } from './review.js'
import { stancePage } from './stance.js'

/** The digest file shown in a frame: our own rendering, but still sandboxed (no script, no same origin). */
const DIGEST_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'"

export function handlePage(r: WebRequest): void {
  const { ctx, url, res } = r
  const p = url.searchParams
  const frame = (page: PageName, title: string, topic: string, body: ReturnType<typeof stancePage>, chart = false) =>
    sendHtml(res, 200, layout({ ctx, csrf: r.csrf, page, title, topic, body, chart }))

  // Digest files under paths shaped like the digest folder, so the combined digest's relative links to each
  // topic's digest (`../TOPIC/digest-DAY.html`) open that digest inside the frame.
  const served = /^\/digests\/files\/([^/]+)\/digest-([^/]+)\.html$/.exec(url.pathname)
  if (served) {
    const [, folder = '', day = ''] = served
    const topic = ctx.config.topics.find((t) => encodeURIComponent(t.id) === folder)
    if (folder !== COMBINED_DIR && !topic) throw new HttpError(404, 'no such digest folder')
    return sendDigestFile(r, topic ? digestFile(r, topic.id, day).file : combinedFile(r, day).file)
  }
  switch (url.pathname) {
    case '/': {
      const f = readFilters(ctx, p, r.defaultTopic)
      return frame('stance', `Stance over time: ${f.topic.name}`, f.topic.id, stancePage(ctx, f, stanceView(ctx, f)), true)
    }
    case '/posts': {
      const f = readFilters(ctx, p, r.defaultTopic)
      return frame('posts', `Posts: ${f.topic.name}`, f.topic.id, postsPage(ctx, f, postsView(ctx, f)))
    }
    case '/review': {
      const topic = topicOf(ctx, p.get('topic') ?? r.defaultTopic)
      return frame('review', `Review: ${topic.name}`, topic.id, reviewPage(ctx, reviewView(ctx, topic.id, 20)))
    }
    case '/alerts': {
      const topic = topicOf(ctx, p.get('topic') ?? r.defaultTopic)
      const state = p.get('state') || null
      const alerts = listAlerts(ctx, { topicId: topic.id, state, limit: 200 }).map((a) => alertWithContext(ctx, a.id)!)
      return frame('alerts', 'Alerts', topic.id, alertsPage(ctx, alerts, state))
    }
    case '/digests': {
      const topic = topicOf(ctx, p.get('topic') ?? r.defaultTopic)
      const combined = ctx.config.topics.length > 1 ? combinedDigestsView(ctx) : []
      return frame('digests', `Digests: ${topic.name}`, topic.id, digestsPage(ctx, topic.id, digestsView(ctx, topic.id), combined))
    }
    case '/digests/view': {
      const topic = topicOf(ctx, p.get('topic') ?? r.defaultTopic)
      const day = digestFile(r, topic.id, p.get('day') ?? '').day
      return frame('digests', `Digest of ${day}`, topic.id, digestViewPage(digestFileUrl(topic.id, day), `Digest of ${day}`))
    }
    case '/digests/file':
      return sendDigestFile(r, digestFile(r, topicOf(ctx, p.get('topic') ?? r.defaultTopic).id, p.get('day') ?? '').file)
    case '/digests/all': {
      const topic = topicOf(ctx, p.get('topic') ?? r.defaultTopic)
      const day = combinedFile(r, p.get('day') ?? '').day
      return frame('digests', `All topics: digest of ${day}`, topic.id, digestViewPage(combinedFileUrl(day), `All topics: digest of ${day}`))
    }
    case '/health': {
      const topic = topicOf(ctx, p.get('topic') ?? r.defaultTopic)
      return frame('health', 'Health', topic.id, healthPage(healthView(ctx)))
    }
    default:
      throw new HttpError(404, `no page ${url.pathname}`)
  }
}

function sendDigestFile(r: WebRequest, file: string): void {
  r.res.setHeader('Content-Security-Policy', DIGEST_CSP)
  r.res.setHeader('X-Frame-Options', 'SAMEORIGIN')
  sendHtml(r.res, 200, readFileSync(file, 'utf8'))
}

/** A stored digest's HTML file: only a path the database lists for that day, never one from the request. */
function digestFile(r: WebRequest, topicId: string, day: string): { day: string; file: string } {
  const d = digestsView(r.ctx, topicId).find((x) => x.day === day)
  const file = d?.files.find((f) => f.endsWith('.html'))
  if (!d || !file || !existsSync(file)) throw new HttpError(404, `no HTML digest stored for ${day || '(no day given)'}`)
  return { day, file }
}

const DAY = /^\d{4}-\d{2}-\d{2}$/

/**
 * A combined digest's HTML file, found as a topic's is (the path the database lists for that day), and only
 * if it is where the combined digest job writes it: `combined/digest-DAY.html` under the digest folder.
 */
function combinedFile(r: WebRequest, day: string): { day: string; file: string } {
  if (!DAY.test(day)) throw new HttpError(404, `no combined digest for ${day || '(no day given)'}: the day is YYYY-MM-DD`)
  const d = combinedDigestsView(r.ctx).find((x) => x.day === day)
  const file = d?.files.find((f) => f.endsWith('.html'))
  const where = file && path.basename(path.dirname(file)) === COMBINED_DIR && path.basename(file) === `digest-${day}.html`
  if (!d || !file || !where || !existsSync(file)) throw new HttpError(404, `no combined HTML digest stored for ${day}`)
  return { day, file }
}
