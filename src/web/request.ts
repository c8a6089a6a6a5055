import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AppContext } from '../context.js'

/** One request as the routes see it. */
export interface WebRequest {
  ctx: AppContext
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** The token our pages send back with every change. */
  csrf: string
  /** The topic shown when a request names none (`serve --topic`). */
  defaultTopic?: string
}
