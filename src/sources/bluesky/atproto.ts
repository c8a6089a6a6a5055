import type * as Atproto from '@atproto/api'

type AtprotoApi = Pick<typeof Atproto, 'Agent' | 'CredentialSession' | 'XRPCError' | 'AppBskyFeedDefs'>

let loaded: AtprotoApi | null = null

/** @atproto/api weighs ~40 MB: loaded the first time Bluesky is called (search or notify), not by every command. */
export async function atproto(): Promise<AtprotoApi> {
  if (!loaded) {
    const m = await import('@atproto/api')
    loaded = { Agent: m.Agent, CredentialSession: m.CredentialSession, XRPCError: m.XRPCError, AppBskyFeedDefs: m.AppBskyFeedDefs }
  }
  return loaded
}
