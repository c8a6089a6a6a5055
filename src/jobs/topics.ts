import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'

/** The topics a command applies to: the one named, or every topic when none is. */
export function topicById(ctx: AppContext, id: string | undefined): TopicConfig[] {
  if (!id) return [...ctx.config.topics]
  const t = ctx.config.topics.find((x) => x.id === id)
  if (!t) throw new UsageError(`no topic "${id}" in ${ctx.configFile}; topics: ${ctx.config.topics.map((x) => x.id).join(', ')}`)
  return [t]
}
