import type { XRPCError } from '@atproto/api'

/** @atproto/xrpc's ResponseType.Unknown: what it reports when fetch itself threw, i.e. no HTTP response. */
const NO_RESPONSE = 1

/** The HTTP status of an XRPC failure (1 and 2 are the library's own: no answer, an answer that failed the lexicon). */
export function xrpcStatus(e: XRPCError): number {
  return e.status
}

function isXrpcError(e: unknown): e is XRPCError {
  return e instanceof Error && typeof (e as { status?: unknown }).status === 'number' && 'error' in e
}

/**
 * The request got no answer: connection refused, DNS failure, socket closed, aborted or timed out. Verified
 * against @atproto/api 0.19.19: each is an XRPCError with status 1, no headers, and the fetch TypeError (or
 * the DOMException of the abort) as its cause; that TypeError's own cause holds the code (ECONNREFUSED…).
 */
export function isNetworkFailure(e: unknown): boolean {
  const cause = isXrpcError(e) ? (xrpcStatus(e) === NO_RESPONSE ? e.cause : null) : e
  return cause instanceof TypeError || (cause instanceof DOMException && (cause.name === 'AbortError' || cause.name === 'TimeoutError'))
}

/** One line for logs and run records: status and error name, and for a network failure the system's reason. */
export function describeBskyError(e: unknown): string {
  const text = isXrpcError(e) ? `${e.status}${e.error ? ` ${e.error}` : ''}${e.message ? `: ${e.message}` : ''}` : e instanceof Error ? e.message : String(e)
  const reason = isNetworkFailure(e) ? systemReason(e) : null
  return `${text}${reason ? ` (${reason})` : ''}`.slice(0, 300)
}

/** "fetch failed" says nothing: the innermost cause says "connect ECONNREFUSED 127.0.0.1:443" or "getaddrinfo ENOTFOUND…". */
function systemReason(e: unknown): string | null {
  let inner: unknown = e
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause
  return inner !== e && inner instanceof Error && inner.message !== (e as Error).message ? inner.message : null
}
