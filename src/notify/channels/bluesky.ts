import type { ChannelConfig } from '../../config/schema.js'
import type { AppContext } from '../../context.js'
import { registerSecret } from '../../util/secrets.js'
import { dmText, threadTexts } from '../bluesky-text.js'
import { blueskyAgent, blueskyError, untilAborted } from '../bluesky-session.js'
import { acceptedKinds, type Channel, type SendContext } from '../channel.js'
import type { Message } from '../../domain/message.js'
import { blueskyProblem } from '../secrets.js'

/** Bluesky's chat service: chat.bsky.* calls go through the PDS with an atproto-proxy header naming it. */
const CHAT_SERVICE = 'did:web:api.bsky.chat'

interface Ref {
  uri: string
  cid: string
}

/** Thread progress kept between tries: the posts already made, so a retry continues the thread. */
function postedSoFar(progress: unknown): Ref[] {
  const posts = (progress as { posts?: unknown } | null)?.posts
  return Array.isArray(posts) ? posts.filter((p): p is Ref => typeof (p as Ref)?.uri === 'string' && typeof (p as Ref)?.cid === 'string') : []
}

/**
 * Posts from the BSKY_IDENTIFIER account: mode `post` a short thread (title, summary, link; replies carry
 * root and parent refs), mode `dm` one direct message to `dm_to`. Links are facets with UTF-8 byte
 * offsets; no mention facets are ever made, so nobody named in the text is notified.
 */
export function blueskyChannel(cfg: Extract<ChannelConfig, { type: 'bluesky' }>, ctx: AppContext): Channel {
  registerSecret(ctx.env.bluesky.appPassword)
  return {
    id: cfg.id,
    type: 'bluesky',
    accepts: acceptedKinds(cfg),
    unavailable: blueskyProblem(ctx.env),
    send: (m, sc) => (cfg.mode === 'dm' ? sendDm(ctx, cfg.dm_to!, m, sc) : postThread(ctx, m, sc)),
  }
}

async function postThread(ctx: AppContext, m: Message, sc: SendContext): Promise<void> {
  const texts = threadTexts(m)
  const posted = postedSoFar(sc.progress).slice(0, texts.length)
  if (posted.length === texts.length) return
  const agent = await untilAborted(blueskyAgent(ctx), sc.signal).catch(async (e: unknown) => {
    throw await blueskyError(e, 'login')
  })
  for (let i = posted.length; i < texts.length; i++) {
    const { text, facets } = texts[i]!
    const root = posted[0]
    const parent = posted[i - 1]
    try {
      const ref = await untilAborted(
        agent.post({ text, facets, createdAt: ctx.now().toISOString(), ...(root && parent ? { reply: { root, parent } } : {}) }),
        sc.signal,
      )
      posted.push({ uri: ref.uri, cid: ref.cid })
      sc.saveProgress({ posts: posted })
    } catch (e) {
      throw await blueskyError(e, `post ${i + 1} of ${texts.length}`)
    }
  }
}

async function sendDm(ctx: AppContext, to: string, m: Message, sc: SendContext): Promise<void> {
  let step = 'login'
  try {
    const agent = await untilAborted(blueskyAgent(ctx), sc.signal)
    step = `resolving ${to}`
    const did = to.startsWith('did:') ? to : (await untilAborted(agent.resolveHandle({ handle: to.replace(/^@/, '') }), sc.signal)).data.did
    const chat = agent.withProxy('bsky_chat', CHAT_SERVICE)
    step = 'getConvoForMembers'
    const convo = await untilAborted(chat.chat.bsky.convo.getConvoForMembers({ members: [did] }), sc.signal)
    step = 'sendMessage'
    const { text, facets } = dmText(m)
    await untilAborted(chat.chat.bsky.convo.sendMessage({ convoId: convo.data.convo.id, message: { text, facets } }), sc.signal)
  } catch (e) {
    throw await blueskyError(e, step)
  }
}
