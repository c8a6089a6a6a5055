import type { TopicConfig } from '../config/schema.js'
import type { AppContext } from '../context.js'
import { UsageError } from '../domain/errors.js'

/** The topics a command applies to: the one named, or every topic when none is. */
export function topicById(ctx: AppContext, id: string | undefined): TopicConfig[] {
  if (!id) return [...ctx.config.topics]
  const t = ctx.config.topics.find((x) => x.id === id)
  if (!t) throw new UsageError(`no topic "${id}" in ${ctx.configFile}; topics: ${topicList(ctx)}`)
  return [t]
}

/**
 * The one topic a command works on: the one named, or the only one configured. With several and none
 * named, guessing would quietly report on the wrong topic, so the person chooses.
 */
export function oneTopic(ctx: AppContext, id: string | undefined): TopicConfig {
  if (!id && ctx.config.topics.length > 1)
    throw new UsageError(`several topics are configured in ${ctx.configFile}; choose one with --topic (${topicList(ctx)})`)
  return topicById(ctx, id)[0]!
}

const topicList = (ctx: AppContext) => ctx.config.topics.map((x) => x.id).join(', ')
