import type { ChannelConfig } from '../../config/schema.js'
import type { Env } from '../../config/env.js'
import type { AppContext } from '../../context.js'
import type { Channel } from '../channel.js'
import { blueskyProblem, smtpUrl, webhookUrl } from '../secrets.js'
import { blueskyChannel } from './bluesky.js'
import { discordChannel } from './discord.js'
import { emailChannel } from './email.js'
import { logChannel } from './log.js'
import { slackChannel } from './slack.js'
import { webhookChannel } from './webhook.js'

/** One configured channel, ready to send (or saying why it cannot). Reading its secret registers it for scrubbing. */
export function buildChannel(ctx: AppContext, cfg: ChannelConfig): Channel {
  switch (cfg.type) {
    case 'log':
      return logChannel(cfg, ctx.log)
    case 'webhook':
      return webhookChannel(cfg, ctx.env)
    case 'slack':
      return slackChannel(cfg, ctx.env)
    case 'discord':
      return discordChannel(cfg, ctx.env)
    case 'email':
      return emailChannel(cfg, ctx.env, ctx.config.notify.timeout_seconds * 1000)
    case 'bluesky':
      return blueskyChannel(cfg, ctx)
  }
}

/** Every channel in the config, in its order. */
export function buildChannels(ctx: AppContext): Channel[] {
  return ctx.config.notify.channels.map((c) => buildChannel(ctx, c))
}

/**
 * Why a configured channel cannot send (its secret is unset or malformed), or null: the same verdict its
 * `unavailable` gives, without a database, for `stancewatch config check`.
 */
export function channelProblem(cfg: ChannelConfig, env: Env): string | null {
  switch (cfg.type) {
    case 'log':
      return null
    case 'webhook':
    case 'slack':
    case 'discord':
      return webhookUrl(env, cfg.url_env).problem
    case 'email':
      return smtpUrl(env, cfg.smtp_url_env).problem
    case 'bluesky':
      return blueskyProblem(env)
  }
}
