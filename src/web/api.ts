/*
 * The JSON API behind the pages. Read-only except labels (set, undo), the retrain action and alert states;
 * POSTs reach here only after the same-origin and CSRF checks (server.ts).
 */
import { retrain, readLabelRequest, setLabel, undoLabel } from './actions.js'
import { alertWithContext, changeAlertState, listAlerts } from './alerts.js'
import { UsageError } from '../domain/errors.js'
import { sendExport } from './export.js'
import { readFilters, topicOf } from './filters.js'
import { HttpError, readJson, sendJson } from './http.js'
import type { WebRequest } from './request.js'
import { combinedDigestsView, digestsView, healthView, postsView, reviewView, stanceView } from './views.js'

const REVIEW_MAX = 100

export async function handleApi(r: WebRequest): Promise<void> {
  const { ctx, url, res } = r
  const p = url.searchParams
  const path = url.pathname
  const post = r.req.method === 'POST'
  const alertState = /^\/api\/alerts\/(\d+)\/state$/.exec(path)
  const alertOne = /^\/api\/alerts\/(\d+)$/.exec(path)

  if (!post && path === '/api/stance') return sendJson(res, 200, stanceView(ctx, readFilters(ctx, p, r.defaultTopic)))
  if (!post && path === '/api/posts') return sendJson(res, 200, postsView(ctx, readFilters(ctx, p, r.defaultTopic)))
  if (!post && path === '/api/posts/export') {
    const format = p.get('format') ?? 'jsonl'
    if (format !== 'jsonl' && format !== 'csv') throw new UsageError('format: jsonl or csv')
    return sendExport(ctx, res, readFilters(ctx, p, r.defaultTopic), format)
  }
  if (!post && path === '/api/review') {
    const n = Math.min(REVIEW_MAX, Math.max(1, Number(p.get('n') ?? 20) || 20))
    return sendJson(res, 200, reviewView(ctx, topicOf(ctx, p.get('topic') ?? r.defaultTopic).id, n))
  }
  if (!post && path === '/api/alerts')
    return sendJson(res, 200, listAlerts(ctx, { topicId: p.get('topic') ?? null, state: p.get('state') || null, limit: 200 }))
  if (!post && alertOne) {
    const a = alertWithContext(ctx, Number(alertOne[1]))
    if (!a) throw new HttpError(404, `no alert #${alertOne[1]}`)
    return sendJson(res, 200, a)
  }
  if (!post && path === '/api/digests') return sendJson(res, 200, digestsView(ctx, topicOf(ctx, p.get('topic') ?? r.defaultTopic).id))
  if (!post && path === '/api/digests/all') return sendJson(res, 200, combinedDigestsView(ctx))
  if (!post && path === '/api/health') return sendJson(res, 200, healthView(ctx))

  if (post && path === '/api/labels') return sendJson(res, 200, setLabel(ctx, readLabelRequest(await readJson(r.req))))
  if (post && path === '/api/labels/undo') {
    await readJson(r.req)
    return sendJson(res, 200, undoLabel(ctx))
  }
  if (post && path === '/api/retrain') {
    const body = (await readJson(r.req)) as { topic?: unknown }
    return sendJson(res, 200, await retrain(ctx, typeof body.topic === 'string' ? body.topic : r.defaultTopic))
  }
  if (post && alertState) {
    const body = (await readJson(r.req)) as { state?: unknown }
    return sendJson(res, 200, changeAlertState(ctx, Number(alertState[1]), typeof body.state === 'string' ? body.state : ''))
  }
  throw new HttpError(post ? 405 : 404, post ? 'not a state-changing route' : `no API route ${path}`)
}
