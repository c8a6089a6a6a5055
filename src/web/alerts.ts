/*
 * The alerts as the dashboard shows them: their states (open, acknowledged, resolved) and each alert's full
 * stored context, assembled by the same `alertDetails` as `stancewatch alerts show`.
 */
import { alertDetails, type AlertDetails } from '../alerts/details.js'
import type { AppContext } from '../context.js'
import { InputError, UsageError } from '../domain/errors.js'
import { alertById, ALERT_STATES, recentAlerts, setAlertState, type AlertRecord, type AlertState } from '../store/alerts.js'

export { ALERT_STATES }

export interface AlertView {
  id: number
  kind: string
  topicId: string
  platform: string | null
  state: string
  windowStart: string
  windowEnd: string
  firedAt: string
  observed: number
  expected: number
  score: number
}

const iso = (ms: number) => new Date(ms).toISOString()

function view(a: AlertRecord): AlertView {
  return {
    id: a.id,
    kind: a.kind,
    topicId: a.topicId,
    platform: a.platform,
    state: a.state,
    windowStart: iso(a.windowStart),
    windowEnd: iso(a.windowEnd),
    firedAt: iso(a.firedAt),
    observed: a.observed,
    expected: a.expected,
    score: a.score,
  }
}

export function listAlerts(ctx: AppContext, o: { topicId: string | null; state: string | null; limit: number }): AlertView[] {
  if (o.state !== null && !(ALERT_STATES as readonly string[]).includes(o.state)) throw new UsageError(`state: one of ${ALERT_STATES.join(', ')}`)
  return recentAlerts(ctx.db, o.limit, o.topicId, o.state).map(view)
}

/** An alert with everything stored about it (observed vs expected, stance mix, terms, accounts, posts). */
export function alertWithContext(ctx: AppContext, id: number): (AlertView & { details: AlertDetails }) | null {
  const a = alertById(ctx.db, id)
  const details = a && alertDetails(ctx.db, id)
  return a && details ? { ...view(a), details } : null
}

export function changeAlertState(ctx: AppContext, id: number, state: string): AlertView {
  if (!(ALERT_STATES as readonly string[]).includes(state)) throw new UsageError(`state: one of ${ALERT_STATES.join(', ')}`)
  if (!setAlertState(ctx.db, id, state as AlertState)) throw new InputError(`no alert #${id}`)
  ctx.log.info({ alert: id, state }, 'alert state changed from the dashboard')
  return view(alertById(ctx.db, id)!)
}
