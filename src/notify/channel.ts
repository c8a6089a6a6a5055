import type { ChannelConfig } from '../config/schema.js'
import type { Logger } from '../logger.js'
import type { Message, MessageKind } from '../domain/message.js'

/** What one send is given besides the message. */
export interface SendContext {
  /** Aborts on the per-try timeout and when the run is asked to stop. */
  signal: AbortSignal
  /** What an earlier, interrupted try of this delivery already did (null the first time). */
  progress: unknown
  /** Remember partial work at once (e.g. each post of a thread), so a retry continues instead of repeating it. */
  saveProgress(progress: unknown): void
  log: Logger
}

/**
 * A place messages go. `unavailable` says why it cannot be used (its secret is not set): deliveries to it
 * are recorded as skipped with that reason. `send` resolves when the medium accepted the message and
 * throws (preferably a ChannelError) when it did not.
 */
export interface Channel {
  id: string
  type: ChannelConfig['type']
  accepts: ReadonlySet<MessageKind>
  unavailable: string | null
  send(message: Message, sc: SendContext): Promise<void>
}

/**
 * A failed send, classified for the retry logic: `retryAfterMs` is the medium's own "come back later"
 * (429 Retry-After); `permanent` means trying again now cannot help (a rejected payload, wrong credentials),
 * so the round ends early and only a later round (after the config or the receiver is fixed) tries again.
 */
export class ChannelError extends Error {
  override name = 'ChannelError'
  readonly status: number | undefined
  readonly retryAfterMs: number | undefined
  readonly permanent: boolean
  constructor(message: string, o: { status?: number; retryAfterMs?: number; permanent?: boolean } = {}) {
    super(message)
    this.status = o.status
    this.retryAfterMs = o.retryAfterMs
    this.permanent = o.permanent ?? false
  }
}

/** Which kinds a channel's `send: [alerts, digest, ops]` lets through; `alerts` includes the operational ones. */
export function acceptedKinds(cfg: ChannelConfig): ReadonlySet<MessageKind> {
  return new Set(cfg.send.flatMap((s): MessageKind[] => (s === 'alerts' ? ['alert', 'ops'] : s === 'ops' ? ['ops'] : ['digest'])))
}
